// What a security team creates in the Claude Console (or with the Admin API) for one workload:
// the federation issuer (this stack's exact `iss`, keys by OIDC discovery) and the federation rule
// that matches exactly the workload's subject and audience and acts as its service account. No
// provider manages these, so the program outputs them and `wid trust anthropic` prints them.
// Field names are the Admin API's (POST /v1/organizations/federation_issuers and
// /v1/organizations/federation_rules, as @anthropic-ai/sdk's IssuerCreateParams and
// RuleCreateParams type them).

import { ANTHROPIC } from "../config/anthropic.js";
import type { IssuerSettings, WorkloadConfig } from "../config/types.js";
import { type AdminCall, curlCommand, type Placeholder, slug, stackLabel, workloadDescription } from "./shell.js";

export const ANTHROPIC_API = "https://api.anthropic.com";
/** The scope the rule grants: calling the API in the workspace (not managing it). */
export const ANTHROPIC_RULE_SCOPE = "workspace:inference";

/** Body of POST /v1/organizations/federation_issuers. */
export interface AnthropicFederationIssuer {
  readonly name: string;
  readonly issuer_url: string;
  readonly jwks: { readonly type: "discovery" };
  readonly check_jti: true;
  readonly max_jwt_lifetime_seconds: number;
}

/** `match` of a rule: the audience, and `sub` as an exact claim (never `subject_prefix`, never CEL). */
export interface AnthropicRuleMatch {
  readonly audience: string;
  readonly claims: { readonly sub: string };
}

/** Body of POST /v1/organizations/federation_rules. */
export interface AnthropicFederationRule {
  readonly name: string;
  readonly description: string;
  readonly issuer_id: string;
  readonly match: AnthropicRuleMatch;
  readonly target: { readonly type: "service_account"; readonly service_account_id: string };
  readonly oauth_scope: string;
  readonly workspace_id: string;
}

export interface AnthropicConsoleTrust {
  /** The stack's exact `iss`. */
  readonly issuer: string;
  /** The workload's exact `sub`. */
  readonly subject: string;
  readonly audience: string;
  readonly federationIssuer: AnthropicFederationIssuer;
  readonly federationRule: AnthropicFederationRule;
  /** What anthropicAccessToken sends besides the assertion, for checking the ids against the console. */
  readonly exchange: {
    readonly federation_rule_id: string;
    readonly organization_id: string;
    readonly service_account_id: string;
    readonly workspace_id?: string;
  };
  /** Shell variables the rule's JSON names, and what to set them to. */
  readonly placeholders: readonly Placeholder[];
  /** The Admin API calls, in order (issuer first: the rule names its id). */
  readonly calls: readonly AdminCall[];
}

const ISSUER_ID: Placeholder = {
  variable: "ANTHROPIC_FEDERATION_ISSUER_ID",
  meaning:
    "the id (fdis_...) of the federation issuer for this stack's issuer URL: what creating it returned, or the existing one's (Claude Console, Settings > Workload identity)",
};
const WORKSPACE_ID: Placeholder = {
  variable: "ANTHROPIC_WORKSPACE_ID",
  meaning:
    "the workspace the rule is enabled for (wrkspc_..., Claude Console, Settings > Workspaces); set anthropic.workspaceId in the stack to print it",
};

const ADMIN_HEADERS = [
  "Authorization: Bearer $ANTHROPIC_ADMIN_TOKEN",
  "anthropic-version: 2023-06-01",
  "anthropic-beta: oauth-2025-04-20",
  "content-type: application/json",
];

export function anthropicConsoleTrust(
  issuer: IssuerSettings,
  workload: WorkloadConfig,
  stack?: string,
): AnthropicConsoleTrust | undefined {
  const settings = workload.anthropic;
  if (settings === undefined) return undefined;
  const host = new URL(issuer.issuerUrl).host;
  const federationIssuer: AnthropicFederationIssuer = {
    name: slug(`wid-${stack ?? issuer.environment}-${host}`),
    issuer_url: issuer.issuerUrl,
    jwks: { type: "discovery" },
    check_jti: true,
    max_jwt_lifetime_seconds: Math.min(issuer.maxTokenLifetimeSeconds, ANTHROPIC.maxJwtLifetimeSeconds.value),
  };
  const placeholders = settings.workspaceId === undefined ? [ISSUER_ID, WORKSPACE_ID] : [ISSUER_ID];
  const federationRule: AnthropicFederationRule = {
    name: slug(`wid-${stack ?? issuer.environment}-${workload.name}`),
    description: workloadDescription(issuer, workload, stack),
    issuer_id: `\${${ISSUER_ID.variable}}`,
    match: { audience: settings.audience, claims: { sub: workload.subject } },
    target: { type: "service_account", service_account_id: settings.serviceAccountId },
    oauth_scope: ANTHROPIC_RULE_SCOPE,
    workspace_id: settings.workspaceId ?? `\${${WORKSPACE_ID.variable}}`,
  };
  const issuersUrl = `${ANTHROPIC_API}/v1/organizations/federation_issuers`;
  const rulesUrl = `${ANTHROPIC_API}/v1/organizations/federation_rules`;
  return {
    issuer: issuer.issuerUrl,
    subject: workload.subject,
    audience: settings.audience,
    federationIssuer,
    federationRule,
    exchange: {
      federation_rule_id: settings.federationRuleId,
      organization_id: settings.organizationId,
      service_account_id: settings.serviceAccountId,
      ...(settings.workspaceId === undefined ? {} : { workspace_id: settings.workspaceId }),
    },
    placeholders,
    calls: [
      {
        title: `Create the federation issuer for ${issuer.issuerUrl} (once per stack; ${stackLabel(issuer, stack)})`,
        method: "POST",
        url: issuersUrl,
        body: federationIssuer,
        curl: curlCommand(issuersUrl, ADMIN_HEADERS, federationIssuer, []),
      },
      {
        title: `Create the federation rule for workload ${workload.name}; put its id (fdrl_...) in anthropic.federationRuleId`,
        method: "POST",
        url: rulesUrl,
        body: federationRule,
        curl: curlCommand(rulesUrl, ADMIN_HEADERS, federationRule, placeholders),
      },
    ],
  };
}
