// What GCP Workload Identity Federation is told about a native issuer (Cloudflare's `oidc_tokens`
// binding), as pure functions: the attribute mapping and the condition that
// admits only the registered subjects, and the console texts. Only iss, sub and aud are known of a
// native token, so the mapping reads sub alone and the condition nothing else.
//
// Why a condition: principal://…/subject/<sub> identifiers name the pool, not the provider
// (IAM docs, principal identifiers), so a token any provider of the pool admits with that sub
// would be that principal. Each native provider therefore admits only the exact subjects the stack
// registered for its issuer (`assertion.sub in [...]`, within the attributeCondition's 4096
// characters, which the validator holds), and no native subject may be the issuer's own form or
// another workload's (worker/config/native.ts): no token of one provider can become a principal a
// binding meant for another provider's tokens.

import { nativeSubjectCondition } from "../../config/native.js";
import { GCP_IAM } from "../../config/provider-limits.js";
import type { WorkloadConfig } from "../../config/types.js";
import type { ConsoleText } from "./workload-identity.js";

/** google.subject is the native token's sub verbatim; nothing else is mapped (no other claim is known). */
export function nativeAttributeMapping(): Record<string, string> {
  return { "google.subject": "assertion.sub" };
}

/** The workloads (with gcp) whose native tokens come from `issuer`, sorted by name. */
export function nativeWorkloadsOf(workloads: readonly WorkloadConfig[], issuer: string): WorkloadConfig[] {
  return workloads
    .filter((w) => w.gcp !== undefined && w.native?.issuer === issuer)
    .sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** The distinct native issuers of the workloads with gcp, sorted. */
export function nativeIssuersOf(workloads: readonly WorkloadConfig[]): string[] {
  const issuers = new Set<string>();
  for (const w of workloads) if (w.gcp !== undefined && w.native !== undefined) issuers.add(w.native.issuer);
  return [...issuers].sort();
}

/** The provider's condition: exactly the registered subjects of its workloads. */
export function nativeProviderCondition(workloads: readonly WorkloadConfig[]): string {
  const subjects = workloads.map((w) => w.native?.subject).filter((s): s is string => s !== undefined);
  const condition = nativeSubjectCondition(subjects);
  if (condition.length > GCP_IAM.attributeCondition.value) {
    throw new Error(
      `the native provider's attributeCondition is ${condition.length} characters, more than GCP's ${GCP_IAM.attributeCondition.value}`,
    );
  }
  return condition;
}

export function describeNativeProvider(
  issuer: string,
  workloads: readonly WorkloadConfig[],
  stack: string,
): ConsoleText {
  const host = new URL(issuer).host;
  const displayName = `cf ${host}`;
  const max = GCP_IAM.providerDisplayName.value;
  const description =
    `Cloudflare oidc_tokens issuer ${issuer}. Admits only the subjects of the Workers ` +
    `${workloads.map((w) => w.name).join(", ")} (worker-identity, Pulumi stack ${stack}).`;
  const descriptionMax = GCP_IAM.providerDescription.value;
  return {
    displayName: displayName.length <= max ? displayName : `...${displayName.slice(displayName.length - max + 3)}`,
    description: description.length <= descriptionMax ? description : `${description.slice(0, descriptionMax - 3)}...`,
  };
}
