// The relying parties beyond AWS and GCP (Entra ID, Vault, the Claude API, the OpenAI API): each
// is a workload section read field by field with the workload (workloads.ts's table), then
// resolved once for all the workloads that wrote it, against the stack key it needs and the
// workloads' subjects, audiences and native identities. One module per party implements
// WorkloadSection (azure-workload.ts, vault-workload.ts, anthropic.ts, openai.ts).

import type { AzureSettings } from "./azure-settings.js";
import type { Federation } from "./federation.js";
import type { FieldReader } from "./fields.js";
import type { IssueCollector } from "./issues.js";
import type { NativeTokenSettings } from "./types.js";
import type { VaultSettings } from "./vault-settings.js";

/** A workload that wrote the section, as the section's resolver sees it. */
export interface SectionWorkload<Entry> {
  readonly name: string;
  /** The workload's key, e.g. `worker-identity:workloads.billing`; the section is at `<key>.<section>`. */
  readonly key: string;
  /** `worker/<account_id>/<name>` (with 32 zeros when the account id is itself invalid). */
  readonly subject: string;
  /** Its audience allow-list, or undefined when that is invalid (already reported). */
  readonly audiences: readonly string[] | undefined;
  /** Its native identity, when it has a valid one. */
  readonly native: NativeTokenSettings | undefined;
  /** What the section's reader returned; undefined when written but invalid (already reported). */
  readonly entry: Entry | undefined;
}

/** What the sections resolve against: the stack keys and the issuer. */
export interface SectionStack {
  /** This stack's `iss`, or undefined when invalid (already reported). */
  readonly issuerUrl: string | undefined;
  readonly accountId: string | undefined;
  readonly azure: Federation<AzureSettings>;
  readonly vault: Federation<VaultSettings>;
}

export interface WorkloadSection<Entry, Settings> {
  /** The section's name in a workload (`azure`) and the WorkloadConfig member it resolves to. */
  readonly section: "azure" | "vault" | "anthropic" | "openai";
  /** The reader of `workloads.<name>.<section>`, and the message for an empty one. */
  readonly field: { readonly read: FieldReader<Entry>; readonly empty: string };
  /**
   * Checks every workload's section against the stack and against each other (names, shards,
   * audiences), reporting at the keys it names; the valid ones' settings, by workload name.
   */
  resolve(
    workloads: readonly SectionWorkload<Entry>[],
    stack: SectionStack,
    issues: IssueCollector,
  ): ReadonlyMap<string, Settings>;
}
