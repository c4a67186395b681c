// anthropicAccessToken: a token of this Worker's exchanged for a Claude API access token
// (`sk-ant-oat01-...`) by the RFC 7523 jwt-bearer grant at POST <baseUrl>/v1/oauth/token, the
// request @anthropic-ai/sdk's oidcFederationProvider sends (same body fields, same
// anthropic-beta header), read strictly; refusals become AnthropicError with the OAuth code.
// Request fields: https://platform.claude.com/docs/en/manage-claude/wif-reference

import { AnthropicError, MalformedResponseError } from "../errors.js";
import type { Exchange, ResolvedExchange } from "../federated-exchange.js";
import { hostOf } from "../http.js";
import { isRecord, OptionProblems } from "../option-checks.js";
import { postJson, readTokenAnswer, refusalOf, retryable, safeText } from "./token-endpoint.js";

export interface AnthropicAccessTokenOptions {
  /** The Anthropic organization's UUID (the workload's `anthropic.organizationId`). */
  readonly organizationId: string;
  /** `svac_...`: the service account the token acts as. */
  readonly serviceAccountId: string;
  /** `fdrl_...`: the federation rule matching this Worker's subject. */
  readonly federationRuleId: string;
  /** `wrkspc_...` or `default`: required when the rule is enabled for several workspaces. */
  readonly workspaceId?: string;
  /** The audience the rule matches; the Worker's token is minted for it. */
  readonly audience: string;
  /** Default https://api.anthropic.com */
  readonly baseUrl?: string;
  /** Renew this long before the access token expires (at most half its life). Default 300. */
  readonly renewBeforeSeconds?: number;
}

export interface AnthropicAccessToken {
  /** Send as `Authorization: Bearer <accessToken>` (with `anthropic-beta: oauth-2025-04-20`). */
  readonly accessToken: string;
  /** When it expires, in seconds since the epoch. */
  readonly expiresAt: number;
  readonly tokenType: "Bearer";
  /** The OAuth scope the rule granted, e.g. `workspace:inference`, when the answer names it. */
  readonly scope?: string;
}

export interface ResolvedAnthropicAccessTokenOptions extends ResolvedExchange {
  readonly organizationId: string;
  readonly serviceAccountId: string;
  readonly federationRuleId: string;
  readonly workspaceId: string | undefined;
  readonly tokenUrl: string;
}

export const ANTHROPIC_BASE_URL = "https://api.anthropic.com";
export const JWT_BEARER_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer";
/** The betas @anthropic-ai/sdk sends on a jwt-bearer exchange (lib/credentials/types.ts). */
export const ANTHROPIC_FEDERATION_BETAS = "oauth-2025-04-20,oidc-federation-2026-04-01";

const KNOWN = [
  "organizationId",
  "serviceAccountId",
  "federationRuleId",
  "workspaceId",
  "audience",
  "baseUrl",
  "renewBeforeSeconds",
];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SERVICE_ACCOUNT = /^svac_[A-Za-z0-9]{1,64}$/;
const RULE = /^fdrl_[A-Za-z0-9]{1,64}$/;
const WORKSPACE = /^(?:wrkspc_[A-Za-z0-9]{1,64}|default)$/;
const AUDIENCE = /^\S{1,2048}$/;
/** "The token endpoint enforces a 16 KiB assertion limit" (@anthropic-ai/sdk oidc-federation.ts). */
export const MAX_ASSERTION_CHARS = 16 * 1024;

export function resolveAnthropicAccessTokenOptions(options: unknown): ResolvedAnthropicAccessTokenOptions {
  const problems = new OptionProblems("anthropicAccessToken");
  if (!isRecord(options)) {
    problems.add(
      "options",
      "must be an object such as { organizationId, serviceAccountId, federationRuleId, audience }",
    );
    options = {};
  }
  const record = options as Record<string, unknown>;
  problems.unknown(record, KNOWN);
  const organizationId = problems.string(
    record.organizationId,
    "organizationId",
    UUID,
    "must be the organization's UUID in lowercase (Claude Console, Settings > Organization; the workload's anthropic.organizationId)",
  );
  const serviceAccountId = problems.string(
    record.serviceAccountId,
    "serviceAccountId",
    SERVICE_ACCOUNT,
    "must be a service account's tagged id, svac_... (the workload's anthropic.serviceAccountId)",
  );
  const federationRuleId = problems.string(
    record.federationRuleId,
    "federationRuleId",
    RULE,
    "must be a federation rule's tagged id, fdrl_... (the workload's anthropic.federationRuleId)",
  );
  const workspaceId =
    record.workspaceId === undefined
      ? undefined
      : problems.string(record.workspaceId, "workspaceId", WORKSPACE, "must be wrkspc_... or the literal default");
  const audience = problems.string(
    record.audience,
    "audience",
    AUDIENCE,
    "must be the audience the federation rule matches, e.g. https://api.anthropic.com (one of the Worker's audiences)",
  );
  const base = problems.endpoint(record.baseUrl, "baseUrl", ANTHROPIC_BASE_URL).replace(/\/+$/, "");
  const renewBeforeSeconds = problems.integer(record.renewBeforeSeconds, "renewBeforeSeconds", 0, 3_600, 300);
  problems.throwIfAny();
  const tokenUrl = `${base}/v1/oauth/token`;
  const cacheKey = JSON.stringify([
    "anthropic",
    audience,
    organizationId,
    serviceAccountId,
    federationRuleId,
    workspaceId ?? null,
    tokenUrl,
  ]);
  return Object.freeze({
    organizationId,
    serviceAccountId,
    federationRuleId,
    workspaceId,
    audience,
    tokenUrl,
    renewBeforeMs: renewBeforeSeconds * 1_000,
    cacheKey,
    // The Claude API accepts each jti once (check_jti): every exchange presents a token never presented before.
    freshSubjectToken: true,
  });
}

const HINTS: Readonly<Record<string, string>> = {
  invalid_grant:
    "the federation rule did not match the token: check the rule's issuer (this stack's exact issuer URL), its audience and its sub claim (`wid trust anthropic <workload>`), and, when the rule covers several workspaces, set workspaceId",
  invalid_request: "the exchange request was refused as malformed: check the ids against the Claude Console",
  invalid_client:
    "the organization or service account does not exist, or the rule does not target this service account",
  unauthorized_client: "the rule does not allow this service account or workspace",
};

export const requestAnthropicAccessToken: Exchange<ResolvedAnthropicAccessTokenOptions, AnthropicAccessToken> = async (
  resolved,
  subjectToken,
  context,
) => {
  if (subjectToken.length > MAX_ASSERTION_CHARS) {
    throw new MalformedResponseError(
      "anthropic",
      0,
      `the Worker's token is ${Math.ceil(subjectToken.length / 1024)} KiB, above the Claude API's 16 KiB assertion limit: remove static claims from the workload`,
    );
  }
  const body: Record<string, string> = {
    grant_type: JWT_BEARER_GRANT,
    assertion: subjectToken,
    federation_rule_id: resolved.federationRuleId,
    organization_id: resolved.organizationId,
    service_account_id: resolved.serviceAccountId,
  };
  if (resolved.workspaceId !== undefined) body.workspace_id = resolved.workspaceId;
  const answer = await postJson({
    service: "anthropic",
    url: resolved.tokenUrl,
    headers: {
      "content-type": "application/json",
      accept: "application/json",
      "anthropic-beta": ANTHROPIC_FEDERATION_BETAS,
    },
    body,
    fetch: context.fetch,
    timeoutMs: context.timeoutMs,
    requestIdHeader: "request-id",
  });
  const ok = answer.status >= 200 && answer.status <= 299;
  const refusal = answer.json === undefined ? undefined : refusalOf(answer.json);
  const request = answer.requestId === undefined ? "" : ` [request-id ${safeText(answer.requestId)}]`;
  if (!ok || refusal !== undefined) {
    if (refusal === undefined) {
      throw new MalformedResponseError(
        "anthropic",
        answer.status,
        `${hostOf(resolved.tokenUrl)} answered the token exchange HTTP ${answer.status} without an error document${request}`,
      );
    }
    const message = safeText(refusal.message);
    const hint = HINTS[refusal.code];
    throw new AnthropicError(
      answer.status,
      refusal.code,
      message,
      answer.requestId,
      retryable(answer.status, refusal.code),
      `the Claude API refused the token exchange for federation rule ${resolved.federationRuleId} ` +
        `(HTTP ${answer.status}): ${safeText(refusal.code)}${message ? `: ${message}` : ""}${hint ? ` (${hint})` : ""}${request}`,
    );
  }
  const token = readTokenAnswer(answer, "anthropic", "the Claude API");
  if (token.expiresIn === undefined) {
    throw new MalformedResponseError(
      "anthropic",
      answer.status,
      `the Claude API answered the token exchange without expires_in${request}`,
    );
  }
  const expiresAtMs = context.now() + token.expiresIn * 1_000;
  return {
    value: Object.freeze({
      accessToken: token.accessToken,
      expiresAt: Math.floor(expiresAtMs / 1_000),
      tokenType: token.tokenType,
      ...(token.scope === undefined ? {} : { scope: token.scope }),
    }),
    expiresAtMs,
  };
};
