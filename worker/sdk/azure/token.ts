// The client credentials grant at Entra ID's v2.0 token endpoint with a federated client
// assertion (this Worker's token for api://AzureADTokenExchange): the request MSAL, and so
// @azure/identity's ClientAssertionCredential, sends, and the strict reading of its answer. A
// refusal is an EntraError carrying the AADSTS code (error_codes[0], or the prefix of
// error_description), the OAuth error, trace_id and correlation_id.

import { EntraError, isRetryableStatus, MalformedResponseError } from "../errors.js";
import type { Exchange } from "../federated-exchange.js";
import { hostOf, post } from "../http.js";
import type { ResolvedAzureAccessTokenOptions } from "./options.js";

export interface AzureAccessToken {
  readonly accessToken: string;
  /** When it expires, in seconds since the epoch. */
  readonly expiresAt: number;
  /** Always "Bearer". */
  readonly tokenType: "Bearer";
}

export const CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/** Advice by AADSTS code, for the codes a federated workload meets (Entra's error code reference). */
const HINTS: Readonly<Record<string, string>> = {
  AADSTS700213:
    "no federated identity credential on the identity matches the token's issuer and subject: check the workload's FIC (issuer exactly the stack's issuer URL, subject worker/<account_id>/<name>)",
  AADSTS70021:
    "no federated identity credential matches the assertion's issuer, subject and audience: check the workload's FIC and that its audience is api://AzureADTokenExchange",
  AADSTS700211:
    "no federated identity credential names the token's issuer: check the FIC's issuer (exact, no trailing slash)",
  AADSTS700212:
    "no federated identity credential names the token's audience: the FIC must list api://AzureADTokenExchange",
  AADSTS700016:
    "the client id names no application in this tenant: check clientId and tenantId (the workload's azure stack outputs)",
  AADSTS90002: "the tenant does not exist: check tenantId",
  AADSTS900023: "the tenant id is malformed: check tenantId",
  AADSTS700024: "the assertion is not within its valid time range: check the Worker's clock and the token's lifetime",
  AADSTS50027:
    "the assertion is not a valid JWT for Entra: check the issuer's discovery document and JWKS are reachable",
  AADSTS1002012: "the scope is invalid: use '<resource>/.default' (e.g. https://storage.azure.com/.default)",
  AADSTS70011: "the scope is invalid: use '<resource>/.default' (e.g. https://storage.azure.com/.default)",
  AADSTS500011: "the resource named by the scope is not in this tenant: check the scope's resource",
};

const AADSTS_PREFIX = /^(AADSTS\d+)\b/;
/** Anything shaped like a JWT: never repeated in a message, whatever the service echoes. */
const JWT_LIKE = /[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g;

export const requestAzureAccessToken: Exchange<ResolvedAzureAccessTokenOptions, AzureAccessToken> = async (
  resolved,
  subjectToken,
  context,
) => {
  const form = new URLSearchParams({
    client_id: resolved.clientId,
    scope: resolved.scope,
    grant_type: "client_credentials",
    client_assertion_type: CLIENT_ASSERTION_TYPE,
    client_assertion: subjectToken,
  });
  const answer = await post({
    service: "entra",
    url: resolved.tokenEndpoint,
    headers: { "content-type": "application/x-www-form-urlencoded;charset=utf-8", accept: "application/json" },
    body: form.toString(),
    fetch: context.fetch,
    timeoutMs: context.timeoutMs,
  });
  const what = `Microsoft Entra ID (${hostOf(resolved.tokenEndpoint)})`;
  const scrub = (text: string) => text.split(subjectToken).join("[token]").replace(JWT_LIKE, "[token]");
  let body: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(answer.body);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("not an object");
    body = parsed as Record<string, unknown>;
  } catch {
    throw new MalformedResponseError(
      "entra",
      answer.status,
      `${what} answered the token request (HTTP ${answer.status}) with a body that is not a JSON object`,
    );
  }
  const ok = answer.status >= 200 && answer.status <= 299;
  const oauthError = typeof body.error === "string" && body.error !== "" ? body.error : undefined;
  if (oauthError !== undefined || !ok) {
    if (oauthError === undefined) {
      throw new MalformedResponseError(
        "entra",
        answer.status,
        `${what} answered HTTP ${answer.status} without an OAuth error`,
      );
    }
    const description = typeof body.error_description === "string" ? scrub(body.error_description) : "";
    const codes = Array.isArray(body.error_codes) ? body.error_codes : [];
    const first = codes[0];
    const serviceCode =
      typeof first === "number" && Number.isInteger(first)
        ? `AADSTS${first}`
        : (AADSTS_PREFIX.exec(description)?.[1] ?? oauthError);
    const traceId = typeof body.trace_id === "string" ? body.trace_id : undefined;
    const correlationId = typeof body.correlation_id === "string" ? body.correlation_id : undefined;
    const hint = HINTS[serviceCode];
    const retryable = isRetryableStatus(answer.status) || oauthError === "temporarily_unavailable";
    const ids = [traceId && `trace ${traceId}`, correlationId && `correlation ${correlationId}`].filter(Boolean);
    throw new EntraError(
      answer.status,
      serviceCode,
      description,
      oauthError,
      traceId,
      correlationId,
      retryable,
      `${what} refused the client credentials grant for client ${resolved.clientId} (scope ${resolved.scope}): ` +
        `${serviceCode === oauthError ? oauthError : `${oauthError} ${serviceCode}`}` +
        `${description ? `: ${firstLine(description)}` : ""}${hint ? ` (${hint})` : ""}` +
        `${ids.length > 0 ? ` [${ids.join(", ")}]` : ""}`,
    );
  }
  const malformed = (why: string) =>
    new MalformedResponseError("entra", answer.status, `${what} answered the token request with ${why}`);
  if (typeof body.access_token !== "string" || body.access_token === "") throw malformed("no access_token");
  if (typeof body.token_type !== "string" || body.token_type.toLowerCase() !== "bearer")
    throw malformed("a token_type other than Bearer");
  // v2.0 sends a number; v1.0 and some proxies send its decimal text.
  const expiresIn =
    typeof body.expires_in === "number"
      ? body.expires_in
      : typeof body.expires_in === "string" && /^\d+$/.test(body.expires_in)
        ? Number(body.expires_in)
        : Number.NaN;
  if (!Number.isFinite(expiresIn) || expiresIn <= 0)
    throw malformed("an expires_in that is not a positive number of seconds");
  const expiresAtMs = context.now() + expiresIn * 1_000;
  return {
    value: Object.freeze({
      accessToken: body.access_token,
      expiresAt: Math.floor(expiresAtMs / 1_000),
      tokenType: "Bearer" as const,
    }),
    expiresAtMs,
  };
};

/** Entra's descriptions end with "Trace ID: ... Correlation ID: ... Timestamp: ..." on new lines: the first line says it. */
function firstLine(text: string): string {
  return text.split(/\r?\n/)[0]?.trim() ?? "";
}
