// (A stack policy.) In a stack with a worker-identity issuer, AWS trust names only what the stack
// registers: an IAM OIDC provider is for the stack's own issuer or for a native issuer its
// workloads name (Cloudflare's oidc_tokens binding), and a role statement trusting either names on
// `<provider>:sub` only exact subjects registered for that issuer (a workflow's roles: its
// `workflow/<account>/<name>/*`). A worker-identity subject under the native issuer's provider, a
// native subject of another issuer, a look-alike or a wildcard in a native subject are refused.

import type { StackValidationPolicy } from "@pulumi/policy";
import type { StackResource } from "../gcp/stack-issuers.js";
import { plainProps } from "../resource-policy.js";
import { type RegisteredIssuer, registeredIssuer, stackRegistry } from "../stack-registry.js";
import { comparesPositively, conditionClauses, isKey, isLike } from "./conditions.js";
import { isWebIdentityStatement, oidcProviderHosts, trustDocument } from "./trust-document.js";

const ROLE_TYPE = "aws:iam/role:Role";
const OIDC_PROVIDER_TYPE = "aws:iam/openIdConnectProvider:OpenIdConnectProvider";

/** Violations by resource index. */
export function awsRegisteredSubjectViolations(
  resources: readonly StackResource[],
): ReadonlyMap<number, readonly string[]> {
  const registry = stackRegistry(resources);
  const found = new Map<number, readonly string[]>();
  if (registry.kind !== "registry") return found;
  const byPrefix = new Map<string, [string, RegisteredIssuer]>();
  for (const [url, registered] of registry.issuers)
    byPrefix.set(url.replace(/^https:\/\//, "").toLowerCase(), [url, registered]);
  resources.forEach(({ type, props }, index) => {
    const messages: string[] = [];
    if (
      type === OIDC_PROVIDER_TYPE &&
      typeof props.url === "string" &&
      registeredIssuer(registry, props.url) === undefined
    ) {
      messages.push(
        `the OIDC provider for ${props.url} trusts an issuer this stack neither runs nor registers as a workload's ` +
          "native issuer; remove it, or register the workload whose native tokens it is for (workloads.<name>.native)",
      );
    }
    if (type === ROLE_TYPE) messages.push(...roleViolations(props.assumeRolePolicy, byPrefix));
    if (messages.length > 0) found.set(index, messages);
  });
  return found;
}

function roleViolations(policy: unknown, byPrefix: ReadonlyMap<string, [string, RegisteredIssuer]>): string[] {
  const document = trustDocument(policy);
  if (document.kind !== "document") return [];
  const messages: string[] = [];
  for (const statement of document.statements) {
    if (!isWebIdentityStatement(statement)) continue;
    for (const host of oidcProviderHosts(statement)) {
      const issuer = byPrefix.get(host.toLowerCase());
      if (issuer === undefined) continue;
      const [url, registered] = issuer;
      for (const clause of conditionClauses(statement)) {
        if (!comparesPositively(clause) || !isKey(clause, host, "sub")) continue;
        for (const value of clause.values) {
          if (typeof value !== "string" || admits(registered, value, isLike(clause))) continue;
          const what = registered.kind === "native" ? "native subject registered for" : "subject registered with";
          messages.push(
            `${statement.label}: ${clause.operator} ${clause.key} ${JSON.stringify(value)} is not one ${what} ` +
              `${url} in this stack; name exactly one workload's subject (workloads.<name>${registered.kind === "native" ? ".native.subject" : ""})`,
          );
        }
      }
    }
  }
  return messages;
}

function admits(registered: RegisteredIssuer, value: string, like: boolean): boolean {
  if (registered.subjects.has(value)) return !like || !/[*?]/.test(value);
  // A workflow's role: every instance, and nothing else (aws-web-identity-exact-subject holds the '/*' form).
  return (
    like && registered.kind === "issuer" && value.endsWith("*") && registered.subjectPrefixes.has(value.slice(0, -1))
  );
}

export const awsTrustRegisteredSubjects: StackValidationPolicy = {
  name: "aws-trust-registered-subjects",
  description:
    "OIDC providers are for the stack's issuer or its workloads' native issuers, and roles trusting them name only subjects registered for that issuer.",
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    const resources = args.resources.map((r) => ({ type: r.type, props: plainProps(r.props), urn: r.urn }));
    for (const [index, messages] of awsRegisteredSubjectViolations(resources)) {
      for (const message of messages) reportViolation(message, resources[index]!.urn);
    }
  },
};
