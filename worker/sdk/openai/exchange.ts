// openaiAccessToken: a token of this Worker's exchanged for an OpenAI API access token by the
// RFC 8693 token exchange at https://auth.openai.com/oauth/token, the request openai-node's
// WorkloadIdentityAuth sends (same JSON body), read strictly; refusals become OpenAiError.
// Request fields: https://developers.openai.com/api/reference/workload-identity-federation

import {
  postJson,
  readTokenAnswer,
  refusalOf,
  retryable,
  safeText,
  subjectExpiryMs,
} from "../anthropic/token-endpoint.js";
import { MalformedResponseError, OpenAiError } from "../errors.js";
import type { Exchange, ResolvedExchange } from "../federated-exchange.js";
import { hostOf } from "../http.js";
import { isRecord, OptionProblems } from "../option-checks.js";

export interface OpenAiAccessTokenOptions {
  /** The workload identity provider registered for this issuer (the workload's `openai.identityProviderId`). */
  readonly identityProviderId: string;
  /** The project service account the token acts as (`openai.serviceAccountId`). */
  readonly serviceAccountId: string;
  /** The provider's audience; the Worker's token is minted for it. */
  readonly audience: string;
  /** Default https://auth.openai.com/oauth/token */
  readonly tokenUrl?: string;
  /** Renew this long before the access token expires (at most half its life). Default 300. */
  readonly renewBeforeSeconds?: number;
}

export interface OpenAiAccessToken {
  /** Send as `Authorization: Bearer <accessToken>`, e.g. `new OpenAI({ apiKey: accessToken })`. */
  readonly accessToken: string;
  /** When it expires, in seconds since the epoch. */
  readonly expiresAt: number;
  readonly tokenType: "Bearer";
  /** `issued_token_type` of the answer, when given. */
  readonly issuedTokenType?: string;
}

export interface ResolvedOpenAiAccessTokenOptions extends ResolvedExchange {
  readonly identityProviderId: string;
  readonly serviceAccountId: string;
  readonly tokenUrl: string;
}

export const OPENAI_TOKEN_URL = "https://auth.openai.com/oauth/token";
export const TOKEN_EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";
export const JWT_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:jwt";

const KNOWN = ["identityProviderId", "serviceAccountId", "audience", "tokenUrl", "renewBeforeSeconds"];
const ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;
const AUDIENCE = /^\S{1,2048}$/;

export function resolveOpenAiAccessTokenOptions(options: unknown): ResolvedOpenAiAccessTokenOptions {
  const problems = new OptionProblems("openaiAccessToken");
  if (!isRecord(options)) {
    problems.add("options", "must be an object such as { identityProviderId, serviceAccountId, audience }");
    options = {};
  }
  const record = options as Record<string, unknown>;
  problems.unknown(record, KNOWN);
  const identityProviderId = problems.string(
    record.identityProviderId,
    "identityProviderId",
    ID,
    "must be the workload identity provider's id (letters, digits, '_' or '-'; the workload's openai.identityProviderId)",
  );
  const serviceAccountId = problems.string(
    record.serviceAccountId,
    "serviceAccountId",
    ID,
    "must be the project service account's id (letters, digits, '_' or '-'; the workload's openai.serviceAccountId)",
  );
  const audience = problems.string(
    record.audience,
    "audience",
    AUDIENCE,
    "must be the identity provider's audience, e.g. https://api.openai.com/v1 (one of the Worker's audiences)",
  );
  const tokenUrl = problems.endpoint(record.tokenUrl, "tokenUrl", OPENAI_TOKEN_URL);
  const renewBeforeSeconds = problems.integer(record.renewBeforeSeconds, "renewBeforeSeconds", 0, 3_600, 300);
  problems.throwIfAny();
  const cacheKey = JSON.stringify(["openai", audience, identityProviderId, serviceAccountId, tokenUrl]);
  return Object.freeze({
    identityProviderId,
    serviceAccountId,
    audience,
    tokenUrl,
    renewBeforeMs: renewBeforeSeconds * 1_000,
    cacheKey,
  });
}

const HINTS: Readonly<Record<string, string>> = {
  invalid_grant:
    "OpenAI did not accept the token: check the provider's issuer (this stack's exact issuer URL) and audience, and that a service account mapping matches this Worker's sub (`wid trust openai <workload>`)",
  invalid_request: "the exchange request was refused as malformed: check the provider and service account ids",
  invalid_target: "no service account mapping of this provider names this service account",
  access_denied: "the mapping does not allow this service account",
};

/** When the answer gives no expires_in: openai-node assumes an hour; OpenAI's tokens never outlive the subject token. */
const DEFAULT_LIFETIME_MS = 3_600_000;

export const requestOpenAiAccessToken: Exchange<ResolvedOpenAiAccessTokenOptions, OpenAiAccessToken> = async (
  resolved,
  subjectToken,
  context,
) => {
  const answer = await postJson({
    service: "openai",
    url: resolved.tokenUrl,
    headers: { "content-type": "application/json", accept: "application/json" },
    body: {
      grant_type: TOKEN_EXCHANGE_GRANT,
      subject_token: subjectToken,
      subject_token_type: JWT_TOKEN_TYPE,
      identity_provider_id: resolved.identityProviderId,
      service_account_id: resolved.serviceAccountId,
    },
    fetch: context.fetch,
    timeoutMs: context.timeoutMs,
    requestIdHeader: "x-request-id",
  });
  const ok = answer.status >= 200 && answer.status <= 299;
  const refusal = answer.json === undefined ? undefined : refusalOf(answer.json);
  const request = answer.requestId === undefined ? "" : ` [x-request-id ${safeText(answer.requestId)}]`;
  if (!ok || refusal !== undefined) {
    if (refusal === undefined) {
      throw new MalformedResponseError(
        "openai",
        answer.status,
        `${hostOf(resolved.tokenUrl)} answered the token exchange HTTP ${answer.status} without an error document${request}`,
      );
    }
    const message = safeText(refusal.message);
    const hint = HINTS[refusal.code];
    throw new OpenAiError(
      answer.status,
      refusal.code,
      message,
      answer.requestId,
      retryable(answer.status, refusal.code),
      `the OpenAI API refused the token exchange at identity provider ${resolved.identityProviderId} for service account ` +
        `${resolved.serviceAccountId} (HTTP ${answer.status}): ${safeText(refusal.code)}${message ? `: ${message}` : ""}` +
        `${hint ? ` (${hint})` : ""}${request}`,
    );
  }
  const token = readTokenAnswer(answer, "openai", "the OpenAI API");
  const issued = answer.json?.issued_token_type;
  const now = context.now();
  const subjectExpiry = subjectExpiryMs(subjectToken);
  const expiresAtMs =
    token.expiresIn !== undefined
      ? now + token.expiresIn * 1_000
      : Math.min(now + DEFAULT_LIFETIME_MS, subjectExpiry ?? now + DEFAULT_LIFETIME_MS);
  return {
    value: Object.freeze({
      accessToken: token.accessToken,
      expiresAt: Math.floor(expiresAtMs / 1_000),
      tokenType: token.tokenType,
      ...(typeof issued === "string" ? { issuedTokenType: issued } : {}),
    }),
    expiresAtMs,
  };
};
