// A workload's `openai` section (the OpenAI API's workload identity federation): the workload
// identity provider registered for this issuer, the project service account the token acts as,
// and the provider's audience. No provider manages OpenAI's identity providers and federation
// rules (the dashboard's "service account mappings"), so the stack prints them
// (worker/console-trust/openai.ts) and this module checks what the exchange will send.

import { checkListed, foreignAudience } from "./anthropic.js";
import { describeValue, type FieldReader, readMapSection, readString } from "./fields.js";
import type { IssueCollector } from "./issues.js";
import { memberKey } from "./key-path.js";
import type { WorkloadOpenAiSettings } from "./openai-settings.js";
import { limit } from "./provider-limit.js";
import type { SectionStack, SectionWorkload, WorkloadSection } from "./relying-parties.js";

const EXCHANGE_REFERENCE = "https://developers.openai.com/api/reference/workload-identity-federation";

/** The OpenAI API's documented formats and limits, each with its source. */
export const OPENAI = Object.freeze({
  /**
   * Provider and service-account ids: OpenAI documents no format beyond "ID" (the SDK's own
   * examples use `idp-123`), so only what no id can be is refused: whitespace, `/`, placeholders.
   */
  opaqueId: limit(/^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/, EXCHANGE_REFERENCE),
  /** Project ids are `proj_...` (the Admin API's project object; openai-node's examples `proj_123`). */
  projectId: limit(/^proj_[A-Za-z0-9]{1,64}$/, "https://platform.openai.com/docs/api-reference/projects/object"),
  /** "The audience is an exact-match identifier". */
  audience: limit(/^\S{1,2048}$/, "https://developers.openai.com/api/docs/guides/workload-identity-federation/spiffe"),
  /** "Each Workload Identity Provider can have at most 50 service account mappings." */
  mappingsPerProvider: limit(50, EXCHANGE_REFERENCE),
});

export const WORKLOAD_OPENAI_EMPTY =
  "is empty; write openai: {identityProviderId: <id>, serviceAccountId: <id>, projectId: proj_..., " +
  "audience: https://api.openai.com/v1}, or delete the line";

const SHAPE =
  "a map like {identityProviderId: <id>, serviceAccountId: <id>, projectId: proj_..., audience: https://api.openai.com/v1}";

const DASHBOARD = "the OpenAI Platform (Organization settings > Security > Workload Identity Provider)";

function idReader(pattern: RegExp, what: string, where: string): FieldReader<string> {
  return (value, key, issues) => {
    const text = readString(value, key, issues, what);
    if (text === undefined) return undefined;
    if (pattern.test(text)) return text;
    const trimmed = text.trim();
    const fix = pattern.test(trimmed) ? `remove the surrounding whitespace: '${trimmed}'` : `copy it from ${where}`;
    issues.add(key, `is ${describeValue(text)}, but must be ${what}; ${fix}`);
    return undefined;
  };
}

const FIELDS = {
  identityProviderId: {
    read: idReader(
      OPENAI.opaqueId.value,
      "the id of the workload identity provider registered for this issuer (letters, digits, '_' or '-')",
      DASHBOARD,
    ),
    required: "is missing; register the provider `wid trust openai <workload>` prints, then add its id here",
  },
  serviceAccountId: {
    read: idReader(
      OPENAI.opaqueId.value,
      "the id of the project service account the token acts as (letters, digits, '_' or '-')",
      "the project's settings (Service accounts)",
    ),
    required: "is missing; add the id of the project service account the token acts as",
  },
  projectId: {
    read: idReader(OPENAI.projectId.value, "a project id such as proj_abc123", "the project's settings (General)"),
    required: "is missing; add the id (proj_...) of the project that holds the service account",
  },
  audience: {
    read: readAudience,
    required:
      "is missing; add the audience the identity provider expects, e.g. https://api.openai.com/v1, and list it in the workload's audiences",
  },
} as const;

function readAudience(value: unknown, key: string, issues: IssueCollector): string | undefined {
  const text = readString(value, key, issues, "the identity provider's audience, e.g. https://api.openai.com/v1");
  if (text === undefined || OPENAI.audience.value.test(text)) return text;
  issues.add(
    key,
    `is ${describeValue(text)}, but the provider's audience is compared exactly with the token's aud: ` +
      "write it without whitespace, e.g. https://api.openai.com/v1",
  );
  return undefined;
}

const readWorkloadOpenAi: FieldReader<WorkloadOpenAiSettings> = (value, key, issues) => {
  const fields = readMapSection(value, key, issues, FIELDS, { what: "an openai field of a workload", shape: SHAPE });
  if (fields === undefined) return undefined;
  const { identityProviderId, serviceAccountId, projectId, audience } = fields;
  if (
    identityProviderId === undefined ||
    serviceAccountId === undefined ||
    projectId === undefined ||
    audience === undefined
  ) {
    return undefined;
  }
  return { identityProviderId, serviceAccountId, projectId, audience };
};

interface Claim {
  readonly workload: string;
  readonly settings: WorkloadOpenAiSettings;
}

function resolve(
  workloads: readonly SectionWorkload<WorkloadOpenAiSettings>[],
  stack: SectionStack,
  issues: IssueCollector,
): ReadonlyMap<string, WorkloadOpenAiSettings> {
  const resolved = new Map<string, WorkloadOpenAiSettings>();
  const providers = new Map<string, Claim[]>();
  const mappings = new Map<string, string>();
  const accountProjects = new Map<string, Claim>();
  for (const workload of workloads) {
    const entry = workload.entry;
    if (entry === undefined) continue;
    const section = memberKey(workload.key, "openai");
    let ok = checkListed(
      workload,
      entry.audience,
      `the audience of its OpenAI identity provider (${section}.audience), so it could never exchange its token`,
      issues,
    );
    const foreign = foreignAudience(entry.audience, stack);
    if (foreign !== undefined) {
      issues.add(
        memberKey(section, "audience"),
        `is ${foreign}, so a token minted for the OpenAI API would also be accepted there; ` +
          "use an audience of the OpenAI API's own, e.g. https://api.openai.com/v1",
      );
      ok = false;
    }
    const sharing = providers.get(entry.identityProviderId) ?? [];
    const first = sharing[0];
    if (first !== undefined && first.settings.audience !== entry.audience) {
      issues.add(
        memberKey(section, "audience"),
        `is '${entry.audience}', but workload '${first.workload}' names the same identity provider ` +
          `('${entry.identityProviderId}') with audience '${first.settings.audience}'; a provider has one audience: ` +
          `write '${first.settings.audience}' here, or register another provider for this audience`,
      );
      ok = false;
    }
    if (sharing.length >= OPENAI.mappingsPerProvider.value) {
      issues.add(
        memberKey(section, "identityProviderId"),
        `is '${entry.identityProviderId}', which already maps ${sharing.length} workloads; OpenAI allows at most ` +
          `${OPENAI.mappingsPerProvider.value} service account mappings per provider (${OPENAI.mappingsPerProvider.source}): ` +
          "register a second provider for this issuer and name it here",
      );
      ok = false;
    }
    const mapping = JSON.stringify([entry.identityProviderId, entry.serviceAccountId]);
    const mappingOwner = mappings.get(mapping);
    if (mappingOwner !== undefined) {
      issues.add(
        memberKey(section, "serviceAccountId"),
        `is '${entry.serviceAccountId}', which workload '${mappingOwner}' already exchanges for through the same ` +
          "identity provider; the exchange names only the provider and the service account, so the two workloads " +
          "would be one OpenAI identity: give this workload a service account of its own",
      );
      ok = false;
    }
    const accountOwner = accountProjects.get(entry.serviceAccountId);
    if (accountOwner !== undefined && accountOwner.settings.projectId !== entry.projectId) {
      issues.add(
        memberKey(section, "projectId"),
        `is '${entry.projectId}', but workload '${accountOwner.workload}' puts service account ` +
          `'${entry.serviceAccountId}' in project '${accountOwner.settings.projectId}'; a project service account ` +
          "belongs to one project: correct the projectId or the serviceAccountId",
      );
      ok = false;
    }
    if (!ok) continue;
    providers.set(entry.identityProviderId, [...sharing, { workload: workload.name, settings: entry }]);
    mappings.set(mapping, workload.name);
    accountProjects.set(entry.serviceAccountId, { workload: workload.name, settings: entry });
    resolved.set(workload.name, entry);
  }
  return resolved;
}

export const openaiSection: WorkloadSection<WorkloadOpenAiSettings, WorkloadOpenAiSettings> = {
  section: "openai",
  field: { read: readWorkloadOpenAi, empty: WORKLOAD_OPENAI_EMPTY },
  resolve,
};
