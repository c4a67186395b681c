// (A stack policy.) In a stack with a worker-identity issuer, every federated identity credential
// (application or managed identity) trusts what the stack registers, exactly as Entra compares
// it: its issuer is the stack's own issuer or a native issuer its workloads name, written exactly
// as the tokens' iss (Entra compares case-sensitively, a trailing slash included), and its subject
// is one subject registered for that issuer (a workload's, or its native one; a workflow
// instance's subject is never a FIC's, since each instance has its own).

import type { StackValidationPolicy } from "@pulumi/policy";
import type { StackResource } from "../gcp/stack-issuers.js";
import { plainProps } from "../resource-policy.js";
import { registeredIssuer, stackRegistry } from "../stack-registry.js";
import { FIC_TYPES, ficTrust } from "./credentials.js";

/** Violations by resource index. */
export function azureRegisteredSubjectViolations(
  resources: readonly StackResource[],
): ReadonlyMap<number, readonly string[]> {
  const registry = stackRegistry(resources);
  const found = new Map<number, readonly string[]>();
  if (registry.kind !== "registry") return found;
  resources.forEach(({ type, props }, index) => {
    if (!FIC_TYPES.has(type)) return;
    const { issuer, subject, name } = ficTrust(props);
    if (issuer === undefined) return;
    const label = `the federated identity credential ${name === undefined ? "" : `${JSON.stringify(name)} `}`;
    const messages: string[] = [];
    const registered = registeredIssuer(registry, issuer);
    if (registered === undefined) {
      messages.push(
        `${label}trusts ${issuer}, an issuer this stack neither runs nor registers as a workload's native issuer; ` +
          "remove it, or register the workload whose native tokens it is for (workloads.<name>.native)",
      );
    } else {
      const [exact, entry] = registered;
      if (issuer !== exact) {
        messages.push(
          `${label}names the issuer ${JSON.stringify(issuer)}, but the tokens' iss is ${JSON.stringify(exact)} and Entra ` +
            `compares it exactly: write issuer ${JSON.stringify(exact)}`,
        );
      }
      if (subject !== undefined && !entry.subjects.has(subject)) {
        const prefix = [...entry.subjectPrefixes].find((p) => subject.startsWith(p));
        messages.push(
          `${label}trusts the subject ${JSON.stringify(subject)}, which no workload of this stack registers for ${exact}` +
            (prefix === undefined ? "" : ` (it is a workflow instance's: each instance has its own subject)`) +
            "; trust exactly one registered workload's subject (or its native subject)",
        );
      }
    }
    if (messages.length > 0) found.set(index, messages);
  });
  return found;
}

export const azureTrustRegisteredSubjects: StackValidationPolicy = {
  name: "azure-trust-registered-subjects",
  description:
    "Federated identity credentials trust the stack's issuer or its workloads' native issuers, exactly, and one registered subject each.",
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    const resources = args.resources.map((r) => ({ type: r.type, props: plainProps(r.props), urn: r.urn }));
    for (const [index, messages] of azureRegisteredSubjectViolations(resources)) {
      for (const message of messages) reportViolation(message, resources[index]!.urn);
    }
  },
};
