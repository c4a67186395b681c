// A registry entry's cloud sections (a workload's or a workflow's `aws` and `gcp`), resolved
// against the stack's federation. A section written is checked even when invalid; the role names
// and service-account ids the entries claim are collected, to be compared across entries once.

import { resolveWorkloadAws, type WorkloadAwsEntry } from "./aws.js";
import type { Federation, NameClaim } from "./federation.js";
import { resolveWorkloadGcp, type WorkloadGcpEntry } from "./gcp-workload.js";
import type { IssueCollector } from "./issues.js";
import type { AwsSettings, GcpSettings, WorkloadAwsSettings, WorkloadGcpSettings } from "./types.js";

export interface CloudEntry {
  readonly name: string;
  readonly key: string;
  readonly written: ReadonlySet<string>;
  readonly fields: {
    readonly audiences?: readonly string[];
    readonly aws?: WorkloadAwsEntry;
    readonly gcp?: WorkloadGcpEntry;
  };
}

export interface CloudClaims {
  readonly roleNames: NameClaim[];
  readonly accountIds: NameClaim[];
}

/** The resolved sections, present only when written and valid: spread into the resolved entry. */
export interface EntryClouds {
  readonly aws?: WorkloadAwsSettings;
  readonly gcp?: WorkloadGcpSettings;
}

export function resolveEntryClouds(
  entry: CloudEntry,
  federation: { readonly aws: Federation<AwsSettings>; readonly gcp: Federation<GcpSettings> },
  claims: CloudClaims,
  issues: IssueCollector,
): EntryClouds {
  const { name, key, fields, written } = entry;
  const ref = { name, key, audiences: fields.audiences };
  const aws = written.has("aws")
    ? resolveWorkloadAws(ref, fields.aws, federation.aws, claims.roleNames, issues)
    : undefined;
  const gcp = written.has("gcp")
    ? resolveWorkloadGcp(ref, fields.gcp, federation.gcp, claims.accountIds, issues)
    : undefined;
  return { ...(aws === undefined ? {} : { aws }), ...(gcp === undefined ? {} : { gcp }) };
}
