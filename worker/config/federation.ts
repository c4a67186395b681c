// What a workload's cloud section (`aws`, `gcp`) needs from the stack's, and the checks both
// clouds share: the cloud is federated at all, the workload may request the cloud's audience,
// and the names the stack creates in the cloud (roles, service accounts) are unique.

import type { IssueCollector } from "./issues.js";
import { memberKey } from "./key-path.js";

/** A stack-level cloud key (`<project>:aws`): whether it is set, and its settings when valid. */
export interface Federation<T> {
  /** The full key, e.g. `worker-identity:aws`. */
  readonly key: string;
  /** The key is set (even to `{}`): the stack federates this cloud. */
  readonly configured: boolean;
  /** Undefined when not configured, or when configured but invalid (already reported). */
  readonly settings: T | undefined;
}

/** The workload a cloud section belongs to. */
export interface WorkloadRef {
  readonly name: string;
  /** The workload's key, e.g. `worker-identity:workloads.billing`. */
  readonly key: string;
  /** Its audience allow-list, or undefined when that is invalid (already reported). */
  readonly audiences: readonly string[] | undefined;
}

export interface CloudSection {
  /** The section's name in a workload and the stack key's name: "aws", "gcp". */
  readonly section: string;
  /** The cloud, as a message names it: "AWS", "GCP". */
  readonly cloud: string;
  /** What to write at the stack key to federate the cloud, e.g. "{}". */
  readonly minimal: string;
  /**
   * Names the audience the cloud trusts, given the stack key, and what a workload that cannot
   * request it loses ("the AWS audience (<key>.audience), so it could never assume its role").
   */
  readonly audience: (stackKey: string) => string;
}

/**
 * The checks of a workload's cloud section against the stack's key: the stack federates the
 * cloud (false, after reporting, when not), and the workload may request the cloud's audience.
 */
export function checkCloudSection(
  workload: WorkloadRef,
  cloud: CloudSection,
  federation: Federation<{ readonly audience: string }>,
  issues: IssueCollector,
): boolean {
  if (!checkFederated(workload, cloud, federation, issues)) return false;
  const audience = federation.settings?.audience;
  if (audience !== undefined) checkAudienceListed(workload, audience, cloud.audience(federation.key), issues);
  return true;
}

/** Reports a workload's section of a cloud the stack does not federate; true when it does. */
function checkFederated(
  workload: WorkloadRef,
  cloud: CloudSection,
  federation: Federation<unknown>,
  issues: IssueCollector,
): boolean {
  if (federation.configured) return true;
  issues.add(
    memberKey(workload.key, cloud.section),
    `is set, but the stack does not federate ${cloud.cloud}; add ` +
      `${federation.key}: ${cloud.minimal} to federate ${cloud.cloud}, or remove this workload's ${cloud.section} settings`,
  );
  return false;
}

/**
 * Reports a workload that cannot request the audience its cloud role or account trusts; `what`
 * names that audience and the consequence ("the AWS audience …, so it could never assume its role").
 */
function checkAudienceListed(workload: WorkloadRef, audience: string, what: string, issues: IssueCollector): void {
  if (workload.audiences === undefined || workload.audiences.includes(audience)) return;
  issues.add(memberKey(workload.key, "audiences"), `does not list ${what}; add '${audience}' to audiences`);
}

/** A name a workload's section gives a cloud resource, set or defaulted. */
export interface NameClaim {
  readonly workload: string;
  /** Where the name is, or would be, set: e.g. `worker-identity:workloads.billing.aws.roleName`. */
  readonly key: string;
  readonly name: string;
  /** Written in the stack, rather than derived from the workload's name. */
  readonly explicit: boolean;
}

/**
 * Reports each claim on a name an earlier claim took, at the claim's key. Defaulted names come
 * first, so a workload that sets a name explicitly is told to change it, not the one whose
 * default it took; `describe` words the message from the duplicate and the first owner.
 */
export function reportDuplicateNames(
  claims: readonly NameClaim[],
  fold: (name: string) => string,
  describe: (duplicate: NameClaim, owner: NameClaim) => string,
  issues: IssueCollector,
): void {
  const ordered = [...claims.filter((c) => !c.explicit), ...claims.filter((c) => c.explicit)];
  const owners = new Map<string, NameClaim>();
  for (const claim of ordered) {
    const owner = owners.get(fold(claim.name));
    if (owner === undefined) owners.set(fold(claim.name), claim);
    else issues.add(claim.key, describe(claim, owner));
  }
}
