// (A stack policy.) In a stack with a worker-identity issuer, GCP trust names only what the stack
// registers: a workload identity pool provider is for the stack's own issuer or for a native
// issuer its workloads name, a native issuer's provider admits exactly its registered subjects
// (`assertion.sub in [...]` or `==`: principal:// identifiers name the pool, not the provider, so
// a native provider admitting any sub would let another Worker's token be a principal meant for
// ours), and a `principal://…/subject/<sub>` grant in one of the stack's pools names a subject the
// stack registers (a workload's, or its native one).

import type { StackValidationPolicy } from "@pulumi/policy";
import { isRecord } from "../inputs.js";
import { plainProps } from "../resource-policy.js";
import { allRegisteredSubjects, registeredIssuer, stackRegistry } from "../stack-registry.js";
import type { StackResource } from "./stack-issuers.js";

const POOL_TYPE = "gcp:iam/workloadIdentityPool:WorkloadIdentityPool";
const PROVIDER_TYPE = "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider";
const GRANT_TYPES = new Set(["gcp:serviceaccount/iAMMember:IAMMember", "gcp:serviceaccount/iAMBinding:IAMBinding"]);
const PRINCIPAL =
  /^principal:\/\/iam\.googleapis\.com\/projects\/\d+\/locations\/global\/workloadIdentityPools\/([^/]+)\/subject\/(.*)$/;
const STRING = String.raw`"(?:[^"\\]|\\.)*"`;
const SUBJECT_CONDITION = new RegExp(
  String.raw`^\s*assertion\.sub\s*(?:==\s*(${STRING})|in\s*\[\s*(${STRING}(?:\s*,\s*${STRING})*)\s*\])\s*$`,
);

/** Violations by resource index. */
export function gcpRegisteredSubjectViolations(
  resources: readonly StackResource[],
): ReadonlyMap<number, readonly string[]> {
  const registry = stackRegistry(resources);
  const found = new Map<number, readonly string[]>();
  if (registry.kind !== "registry") return found;
  const pools = new Set(
    resources
      .filter((r) => r.type === POOL_TYPE && typeof r.props.workloadIdentityPoolId === "string")
      .map((r) => String(r.props.workloadIdentityPoolId)),
  );
  const subjects = allRegisteredSubjects(registry);
  resources.forEach(({ type, props }, index) => {
    const messages: string[] = [];
    if (type === PROVIDER_TYPE && isRecord(props.oidc) && typeof props.oidc.issuerUri === "string") {
      const issuerUri = props.oidc.issuerUri;
      const registered = registeredIssuer(registry, issuerUri);
      if (registered === undefined) {
        messages.push(
          `the pool provider for ${issuerUri} trusts an issuer this stack neither runs nor registers as a workload's ` +
            "native issuer; remove it, or register the workload whose native tokens it is for (workloads.<name>.native)",
        );
      } else if (registered[1].kind === "native") {
        const problem = nativeConditionProblem(props.attributeCondition, registered[1].subjects);
        if (problem !== undefined) messages.push(`the pool provider for the native issuer ${issuerUri} ${problem}`);
      }
    }
    if (GRANT_TYPES.has(type)) {
      const members =
        typeof props.member === "string" ? [props.member] : Array.isArray(props.members) ? props.members : [];
      for (const member of members) {
        const match = typeof member === "string" ? PRINCIPAL.exec(member) : null;
        if (match === null || !pools.has(match[1]!) || subjects.has(match[2]!)) continue;
        messages.push(
          `${member} names the subject ${JSON.stringify(match[2])}, which no workload of this stack registers ` +
            "(as its subject or its native subject); grant exactly one registered workload's subject",
        );
      }
    }
    if (messages.length > 0) found.set(index, messages);
  });
  return found;
}

function nativeConditionProblem(condition: unknown, registered: ReadonlySet<string>): string | undefined {
  const fix = `set attributeCondition to assertion.sub in [<the registered subjects>] (${[...registered].map((s) => JSON.stringify(s)).join(", ")})`;
  if (typeof condition !== "string")
    return `has no attributeCondition, so any Worker's native token enters the pool; ${fix}`;
  const match = SUBJECT_CONDITION.exec(condition);
  if (match === null)
    return `has the attributeCondition ${JSON.stringify(condition)}, which does not admit exactly listed subjects; ${fix}`;
  const literals = (match[1] ?? match[2] ?? "").match(new RegExp(STRING, "g")) ?? [];
  for (const literal of literals) {
    const subject = JSON.parse(literal) as string;
    if (!registered.has(subject)) {
      return `admits ${literal}, which is not a native subject registered for this issuer; ${fix}`;
    }
  }
  return undefined;
}

export const gcpTrustRegisteredSubjects: StackValidationPolicy = {
  name: "gcp-trust-registered-subjects",
  description:
    "Pool providers are for the stack's issuer or its workloads' native issuers (those admit exactly their registered subjects), and principal grants name registered subjects.",
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    const resources = args.resources.map((r) => ({ type: r.type, props: plainProps(r.props), urn: r.urn }));
    for (const [index, messages] of gcpRegisteredSubjectViolations(resources)) {
      for (const message of messages) reportViolation(message, resources[index]!.urn);
    }
  },
};
