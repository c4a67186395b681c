// The workload registry: which Workers get an identity, and what their tokens may say.
// Reading is in two steps: each workload's own fields first (readWorkloads, through the
// WORKLOAD_FIELDS table), then what depends on the issuer and on the other workloads
// (resolveWorkloads: lifetimes against the issuer's cap, subject, entrypoint collisions, and
// the cloud sections against the stack's federation and each other).

import { anthropicSection } from "./anthropic.js";
import { readAudiences } from "./audiences.js";
import { readWorkloadAws, reportDuplicateRoleNames, WORKLOAD_AWS_EMPTY } from "./aws.js";
import { readAwsSessionTags } from "./aws-session-tags.js";
import type { AzureSettings } from "./azure-settings.js";
import { azureSection } from "./azure-workload.js";
import { readClaims } from "./claims.js";
import { resolveEntryClouds } from "./entry-clouds.js";
import { entrypointClassName } from "./entrypoint-name.js";
import type { Federation, NameClaim } from "./federation.js";
import { utf8Length } from "./fields.js";
import { readWorkloadGcp, reportDuplicateAccountIds, WORKLOAD_GCP_EMPTY } from "./gcp-workload.js";
import type { IssueCollector } from "./issues.js";
import { MAX_GCP_SUBJECT_BYTES } from "./limits.js";
import { readWorkloadMtls, WORKLOAD_MTLS_EMPTY } from "./mtls.js";
import {
  type NativeClaim,
  readWorkloadNative,
  reportNativeClaims,
  resolveWorkloadNative,
  WORKLOAD_NATIVE_EMPTY,
} from "./native.js";
import { openaiSection } from "./openai.js";
import {
  type IssuerLifetimes,
  LIFETIME_FIELDS,
  type RegistryEntry,
  readRegistry,
  resolveLifetimes,
  sortedByName,
} from "./registry.js";
import type { SectionStack, SectionWorkload, WorkloadSection } from "./relying-parties.js";
import { scriptNameProblem } from "./script-name.js";
import type { AwsSettings, GcpSettings, WorkloadConfig } from "./types.js";
import type { VaultSettings } from "./vault-settings.js";
import { vaultSection } from "./vault-workload.js";

/** One table entry per workload field; a new section (aws, gcp, mtls) is a new entry. */
const WORKLOAD_FIELDS = {
  audiences: {
    read: readAudiences,
    required:
      "is missing; list the audiences this workload may request tokens for, e.g. audiences: [sts.amazonaws.com]",
  },
  ...LIFETIME_FIELDS,
  claims: { read: readClaims },
  awsSessionTags: { read: readAwsSessionTags },
  aws: { read: readWorkloadAws, empty: WORKLOAD_AWS_EMPTY },
  gcp: { read: readWorkloadGcp, empty: WORKLOAD_GCP_EMPTY },
  /** Opt-in to a client certificate (resolved against the stack's `mtls` key in mtls.ts). */
  mtls: { read: readWorkloadMtls, empty: WORKLOAD_MTLS_EMPTY },
  /** The workload's tokens from Cloudflare's own `oidc_tokens` binding, federated beside the issuer's (native.ts). */
  native: { read: readWorkloadNative, empty: WORKLOAD_NATIVE_EMPTY },
  /** The relying parties beyond AWS and GCP (relying-parties.ts), each resolved for all workloads at once. */
  azure: azureSection.field,
  vault: vaultSection.field,
  anthropic: anthropicSection.field,
  openai: openaiSection.field,
} as const;

/** The sections resolved after every workload's own fields, in the order their members are added. */
const RELYING_PARTY_SECTIONS: readonly WorkloadSection<unknown, unknown>[] = [
  azureSection,
  vaultSection,
  anthropicSection,
  openaiSection,
];

/** A workload as read from its own entry, before anything that depends on the issuer. */
export type WorkloadEntry = RegistryEntry<typeof WORKLOAD_FIELDS>;

/** The `workloads` key: a map (or its JSON text, as `pulumi config set` stores it). */
export function readWorkloads(
  value: unknown,
  key: string,
  issues: IssueCollector,
): readonly WorkloadEntry[] | undefined {
  return readRegistry(value, key, issues, WORKLOAD_FIELDS, {
    noun: "workload",
    nameProblem: scriptNameProblem,
    jsonFix:
      "write workloads as a YAML map in the stack file, or set each field with " +
      "pulumi config set --path 'workloads.<name>.audiences[0]' <audience>",
    mapShape: "a map from Worker script name to its settings, e.g. {billing: {audiences: [sts.amazonaws.com]}}",
    settingsExample: "{audiences: [sts.amazonaws.com]}",
    empty: "is empty; add at least one workload, e.g. billing: {audiences: [sts.amazonaws.com]}",
  });
}

/**
 * What resolving a workload needs from the issuer settings, resolved or defaulted. A setting
 * that was itself invalid is undefined (its problem is already reported): the checks that
 * depend on it are skipped rather than reported against a guess.
 */
export interface IssuerContext extends IssuerLifetimes {
  readonly accountId: string | undefined;
  readonly scriptName: string | undefined;
  /** This stack's own `iss`: a workload's native issuer must be another. */
  readonly issuerUrl?: string | undefined;
  readonly aws: Federation<AwsSettings>;
  readonly gcp: Federation<GcpSettings>;
  readonly azure: Federation<AzureSettings>;
  readonly vault: Federation<VaultSettings>;
}

/** Checks what depends on the issuer and on the other workloads; returns them sorted by name. */
export function resolveWorkloads(
  entries: readonly WorkloadEntry[],
  issuer: IssuerContext,
  issues: IssueCollector,
): WorkloadConfig[] {
  const sorted = sortedByName(entries);
  const byEntrypoint = new Map<string, string>();
  const resolved: WorkloadConfig[] = [];
  const roleNames: NameClaim[] = [];
  const accountIds: NameClaim[] = [];
  const nativeClaims: NativeClaim[] = [];
  /** Every workload that wrote a relying party's section, by section. */
  const sectionWorkloads = new Map<string, SectionWorkload<unknown>[]>();
  for (const entry of sorted) {
    const { name, key, fields } = entry;
    if (name === issuer.scriptName) {
      issues.add(
        key,
        `has the issuer's own script name '${issuer.scriptName}', and the issuer does not mint tokens ` +
          "for itself; rename the workload, or set issuerScriptName to another name",
      );
    }
    const entrypoint = entrypointClassName(name);
    const twin = byEntrypoint.get(entrypoint);
    if (twin === undefined) {
      byEntrypoint.set(entrypoint, name);
    } else {
      issues.add(
        key,
        `maps to the entrypoint class '${entrypoint}', as workload '${twin}' does ('-' becomes '_'); ` +
          `rename '${name}' or '${twin}' so the two differ by more than '-' and '_'`,
      );
    }
    const subject = `worker/${issuer.accountId ?? "0".repeat(32)}/${name}`;
    const subjectBytes = utf8Length(subject);
    if (subjectBytes > MAX_GCP_SUBJECT_BYTES) {
      issues.add(
        key,
        `gives the subject '${subject}' of ${subjectBytes} bytes, more than GCP's ` +
          `${MAX_GCP_SUBJECT_BYTES}-byte google.subject limit; shorten the workload name`,
      );
    }
    const lifetimes = resolveLifetimes(
      key,
      fields,
      issuer,
      (written) => (written ? "the workload's maxTokenLifetimeSeconds" : "the issuer's maxTokenLifetimeSeconds"),
      issues,
    );
    const clouds = resolveEntryClouds(entry, issuer, { roleNames, accountIds }, issues);
    const native =
      fields.native === undefined
        ? undefined
        : resolveWorkloadNative(
            { name, key, aws: entry.written.has("aws"), gcp: entry.written.has("gcp") },
            fields.native,
            {
              issuerUrl: issuer.issuerUrl,
              accountId: issuer.accountId,
              awsAudience: issuer.aws.settings?.audience,
              gcpAudience: issuer.gcp.settings?.audience,
            },
            nativeClaims,
            issues,
          );
    for (const section of RELYING_PARTY_SECTIONS) {
      if (!entry.written.has(section.section)) continue;
      const list = sectionWorkloads.get(section.section) ?? [];
      list.push({ name, key, subject, audiences: fields.audiences, native, entry: fields[section.section] });
      sectionWorkloads.set(section.section, list);
    }
    if (fields.audiences === undefined || lifetimes === undefined) continue;
    resolved.push({
      name,
      subject,
      entrypoint,
      audiences: fields.audiences,
      ...lifetimes,
      claims: fields.claims ?? {},
      ...(fields.awsSessionTags === undefined ? {} : { awsSessionTags: fields.awsSessionTags }),
      ...clouds,
      ...(native === undefined ? {} : { native }),
    });
  }
  reportDuplicateRoleNames(roleNames, issues);
  reportNativeClaims(nativeClaims, issues);
  reportDuplicateAccountIds(accountIds, issues);
  const stack = { issuerUrl: issuer.issuerUrl, accountId: issuer.accountId, azure: issuer.azure, vault: issuer.vault };
  const sections = RELYING_PARTY_SECTIONS.map((section) => ({
    section: section.section,
    settings: resolveSection(section, sectionWorkloads.get(section.section) ?? [], stack, issues),
  }));
  return resolved.map((workload) => {
    let withSections: WorkloadConfig = workload;
    for (const { section, settings } of sections) {
      const value = settings.get(workload.name);
      if (value !== undefined) withSections = { ...withSections, [section]: value };
    }
    return withSections;
  });
}

/** One section's resolution, skipped when no workload wrote it. */
function resolveSection(
  section: WorkloadSection<unknown, unknown>,
  workloads: readonly SectionWorkload<unknown>[],
  stack: SectionStack,
  issues: IssueCollector,
): ReadonlyMap<string, unknown> {
  return workloads.length === 0 ? new Map() : section.resolve(workloads, stack, issues);
}
