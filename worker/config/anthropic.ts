// A workload's `anthropic` section (the Claude API's workload identity federation): the ids the
// token exchange names (organization, service account, federation rule, workspace) and the
// audience the rule matches. No provider manages Anthropic's issuers and rules, so the stack
// prints them (worker/console-trust/anthropic.ts) and this module only checks that what the
// exchange will send is well formed, requestable, and belongs to this workload alone.

import type { WorkloadAnthropicSettings } from "./anthropic-settings.js";
import { AZURE_TOKEN_EXCHANGE_AUDIENCE } from "./azure-settings.js";
import { describeValue, type FieldReader, readMapSection, readString } from "./fields.js";
import type { IssueCollector } from "./issues.js";
import { memberKey } from "./key-path.js";
import { limit } from "./provider-limit.js";
import type { SectionStack, SectionWorkload, WorkloadSection } from "./relying-parties.js";

const WIF_REFERENCE = "https://platform.claude.com/docs/en/manage-claude/wif-reference";
const RULES_API = "https://platform.claude.com/docs/en/api/http/organization/federation/rules/create";

/** The Claude API's documented id formats and limits, each with its source. */
export const ANTHROPIC = Object.freeze({
  /** "organization_id: UUID of your Anthropic organization" (token exchange request table). */
  organizationId: limit(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, WIF_REFERENCE),
  /** "service_account_id: Tagged ID (svac_...) of the target service account". */
  serviceAccountId: limit(/^svac_[A-Za-z0-9]{1,64}$/, WIF_REFERENCE),
  /** "federation_rule_id: Tagged ID (fdrl_...) of the federation rule to evaluate". */
  federationRuleId: limit(/^fdrl_[A-Za-z0-9]{1,64}$/, WIF_REFERENCE),
  /** "workspace_id: Tagged ID (wrkspc_...) ..., or the literal default". */
  workspaceId: limit(/^(?:wrkspc_[A-Za-z0-9]{1,64}|default)$/, WIF_REFERENCE),
  /** `match.audience`: "Exact match against the aud claim"; a string of at least one character. */
  audience: limit(/^\S{1,2048}$/, RULES_API),
  /** Federation issuer `max_jwt_lifetime_seconds`: "1-176400 seconds, i.e. up to 49h". */
  maxJwtLifetimeSeconds: limit(
    176_400,
    "https://platform.claude.com/docs/en/api/http/organization/federation/issuers/create",
  ),
});

export const WORKLOAD_ANTHROPIC_EMPTY =
  "is empty; write anthropic: {organizationId: <uuid>, serviceAccountId: svac_..., federationRuleId: fdrl_..., " +
  "audience: https://api.anthropic.com}, or delete the line";

const SHAPE =
  "a map like {organizationId: <uuid>, serviceAccountId: svac_..., federationRuleId: fdrl_..., " +
  "audience: https://api.anthropic.com} (workspaceId: wrkspc_... or default when the rule covers several workspaces)";

/** Reads a tagged id: `what` names it, `where` tells where to copy it from. */
function taggedId(pattern: RegExp, what: string, example: string, where: string): FieldReader<string> {
  return (value, key, issues) => {
    const text = readString(value, key, issues, `${what} such as ${example}`);
    if (text === undefined) return undefined;
    if (pattern.test(text)) return text;
    const trimmed = text.trim();
    const fix = pattern.test(trimmed)
      ? `remove the surrounding whitespace: '${trimmed}'`
      : pattern.test(trimmed.toLowerCase())
        ? `write it in lowercase: '${trimmed.toLowerCase()}'`
        : `copy it from ${where}`;
    issues.add(key, `is ${describeValue(text)}, but must be ${what} such as ${example}; ${fix}`);
    return undefined;
  };
}

const CONSOLE = "the Claude Console (Settings > Workload identity)";

const FIELDS = {
  organizationId: {
    read: taggedId(
      ANTHROPIC.organizationId.value,
      "the organization's UUID",
      "5f1c9a7e-2b3d-4e8f-9a6b-1c2d3e4f5a6b",
      "the Claude Console (Settings > Organization)",
    ),
    required:
      "is missing; add the organization's UUID (Claude Console, Settings > Organization): " +
      "pulumi config set --path 'workloads.<name>.anthropic.organizationId' <uuid>",
  },
  serviceAccountId: {
    read: taggedId(
      ANTHROPIC.serviceAccountId.value,
      "a service account's tagged id (svac_...)",
      "svac_01HZX3K9",
      CONSOLE,
    ),
    required:
      "is missing; add the service account the token acts as (svac_..., Claude Console, Settings > Service accounts)",
  },
  federationRuleId: {
    read: taggedId(
      ANTHROPIC.federationRuleId.value,
      "a federation rule's tagged id (fdrl_...)",
      "fdrl_01HZX3M2",
      CONSOLE,
    ),
    required: "is missing; create the rule `wid trust anthropic <workload>` prints, then add its id (fdrl_...) here",
  },
  workspaceId: {
    read: taggedId(
      ANTHROPIC.workspaceId.value,
      "a workspace's tagged id (wrkspc_...) or the literal default",
      "wrkspc_01HZX3",
      "the Claude Console (Settings > Workspaces), or remove it when the rule covers one workspace",
    ),
  },
  audience: {
    read: readAudience,
    required:
      "is missing; add the audience the federation rule matches, e.g. https://api.anthropic.com, and list it in the workload's audiences",
  },
} as const;

function readAudience(value: unknown, key: string, issues: IssueCollector): string | undefined {
  const text = readString(
    value,
    key,
    issues,
    "the audience the federation rule matches, e.g. https://api.anthropic.com",
  );
  if (text === undefined || ANTHROPIC.audience.value.test(text)) return text;
  issues.add(
    key,
    `is ${describeValue(text)}, but the rule's audience is compared exactly with the token's aud: ` +
      "write it without whitespace, e.g. https://api.anthropic.com",
  );
  return undefined;
}

const readWorkloadAnthropic: FieldReader<WorkloadAnthropicSettings> = (value, key, issues) => {
  const fields = readMapSection(value, key, issues, FIELDS, { what: "an anthropic field of a workload", shape: SHAPE });
  if (fields === undefined) return undefined;
  const { organizationId, serviceAccountId, federationRuleId, workspaceId, audience } = fields;
  if (
    organizationId === undefined ||
    serviceAccountId === undefined ||
    federationRuleId === undefined ||
    audience === undefined
  ) {
    return undefined;
  }
  return {
    organizationId,
    serviceAccountId,
    federationRuleId,
    ...(workspaceId === undefined ? {} : { workspaceId }),
    audience,
  };
};

/**
 * The audiences of other relying parties a Claude API audience must not be: a token minted for
 * it would then also be accepted there (Entra's fixed exchange audience, the stack's Vault audience).
 */
export function foreignAudience(audience: string, stack: SectionStack): string | undefined {
  if (audience === AZURE_TOKEN_EXCHANGE_AUDIENCE) return "Microsoft Entra ID's token-exchange audience";
  if (stack.vault.settings !== undefined && audience === stack.vault.settings.audience)
    return `the audience of the stack's Vault roles (${stack.vault.key}.audience)`;
  return undefined;
}

/** Reports a section audience the workload cannot request (the wording of federation.ts). */
export function checkListed(
  workload: SectionWorkload<unknown>,
  audience: string,
  what: string,
  issues: IssueCollector,
): boolean {
  if (workload.audiences === undefined || workload.audiences.includes(audience)) return true;
  issues.add(memberKey(workload.key, "audiences"), `does not list ${what}; add '${audience}' to audiences`);
  return false;
}

function resolve(
  workloads: readonly SectionWorkload<WorkloadAnthropicSettings>[],
  stack: SectionStack,
  issues: IssueCollector,
): ReadonlyMap<string, WorkloadAnthropicSettings> {
  const resolved = new Map<string, WorkloadAnthropicSettings>();
  const ruleOwners = new Map<string, string>();
  for (const workload of workloads) {
    const entry = workload.entry;
    if (entry === undefined) continue;
    const section = memberKey(workload.key, "anthropic");
    let ok = checkListed(
      workload,
      entry.audience,
      `the audience of its Claude API federation rule (${section}.audience), so it could never exchange its token`,
      issues,
    );
    const foreign = foreignAudience(entry.audience, stack);
    if (foreign !== undefined) {
      issues.add(
        memberKey(section, "audience"),
        `is ${foreign}, so a token minted for the Claude API would also be accepted there; ` +
          "use an audience of the Claude API's own, e.g. https://api.anthropic.com",
      );
      ok = false;
    }
    const owner = ruleOwners.get(entry.federationRuleId);
    if (owner !== undefined) {
      issues.add(
        memberKey(section, "federationRuleId"),
        `is '${entry.federationRuleId}', the federation rule of workload '${owner}'; a rule matches exactly one ` +
          "workload's subject, so this workload's tokens would be refused (or, were the rule widened, the two could " +
          "not be told apart): create this workload's own rule with `wid trust anthropic " +
          `${workload.name}\` and put its id here`,
      );
      ok = false;
    } else {
      ruleOwners.set(entry.federationRuleId, workload.name);
    }
    if (ok) resolved.set(workload.name, entry);
  }
  return resolved;
}

export const anthropicSection: WorkloadSection<WorkloadAnthropicSettings, WorkloadAnthropicSettings> = {
  section: "anthropic",
  field: { read: readWorkloadAnthropic, empty: WORKLOAD_ANTHROPIC_EMPTY },
  resolve,
};
