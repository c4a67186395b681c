// The OAuth token endpoints of the Claude API and the OpenAI API: one JSON POST (through the
// SDK's post(), with its timeout and size cap, the answer's headers kept for the request id),
// the error shapes both use (RFC 6749 `{error, error_description}` and the APIs' own
// `{error: {type, message}}`), and the strict reading of a token answer. No message carries a
// token: error text is cut, and anything shaped like a JWT or an API token is redacted.

import { type IdentityService, isRetryableStatus, MalformedResponseError } from "../errors.js";
import { type Answer, post, type SdkFetch } from "../http.js";

export interface JsonPost {
  readonly service: IdentityService;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Readonly<Record<string, string>>;
  readonly fetch: SdkFetch;
  readonly timeoutMs: number;
  /** The header naming the request in the service's logs: `request-id`, `x-request-id`. */
  readonly requestIdHeader: string;
}

export interface JsonAnswer extends Answer {
  readonly requestId: string | undefined;
  /** The parsed body, or undefined when it is not a JSON object. */
  readonly json: Readonly<Record<string, unknown>> | undefined;
}

export async function postJson(request: JsonPost): Promise<JsonAnswer> {
  let headers: Headers | undefined;
  const answer = await post({
    service: request.service,
    url: request.url,
    headers: request.headers,
    body: JSON.stringify(request.body),
    timeoutMs: request.timeoutMs,
    fetch: async (input, init) => {
      const response = await request.fetch(input, init);
      headers = response.headers;
      return response;
    },
  });
  let json: Record<string, unknown> | undefined;
  try {
    const parsed: unknown = JSON.parse(answer.body);
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed))
      json = parsed as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  const requestId = headers?.get(request.requestIdHeader) ?? undefined;
  return { ...answer, requestId: requestId === "" ? undefined : requestId, json };
}

export interface Refusal {
  /** `invalid_grant`, `authentication_error`, ... */
  readonly code: string;
  readonly message: string;
}

/** The error either shape carries, or undefined. */
export function refusalOf(body: Readonly<Record<string, unknown>>): Refusal | undefined {
  const error = body.error;
  if (typeof error === "string" && error !== "") {
    return { code: error, message: typeof body.error_description === "string" ? body.error_description : "" };
  }
  if (typeof error === "object" && error !== null && !Array.isArray(error)) {
    const fields = error as Record<string, unknown>;
    const code =
      typeof fields.type === "string" && fields.type !== ""
        ? fields.type
        : typeof fields.code === "string" && fields.code !== ""
          ? fields.code
          : undefined;
    if (code === undefined) return undefined;
    return { code, message: typeof fields.message === "string" ? fields.message : "" };
  }
  return undefined;
}

const JWT_LIKE = /[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g;
const API_TOKEN_LIKE = /\b(?:sk|ek|sess)-[A-Za-z0-9_-]{8,}/g;
const MAX_MESSAGE = 500;

/** A service's message, safe to put in an error: cut, single-line, tokens redacted. */
export function safeText(text: string): string {
  const cleaned = text.replace(JWT_LIKE, "[token]").replace(API_TOKEN_LIKE, "[token]").replace(/\s+/g, " ").trim();
  return cleaned.length > MAX_MESSAGE ? `${cleaned.slice(0, MAX_MESSAGE)}…` : cleaned;
}

/** Codes after which the same request may well succeed (besides 429 and 5xx). */
const RETRYABLE_CODES: ReadonlySet<string> = new Set([
  "temporarily_unavailable",
  "server_error",
  "overloaded_error",
  "rate_limit_error",
  "api_error",
]);

export function retryable(status: number, code: string): boolean {
  return isRetryableStatus(status) || RETRYABLE_CODES.has(code);
}

export interface TokenAnswer {
  readonly accessToken: string;
  readonly tokenType: "Bearer";
  /** Seconds, when the answer says. */
  readonly expiresIn: number | undefined;
  readonly scope: string | undefined;
}

/** A 2xx answer read strictly: a JSON object with a non-empty access_token, Bearer, a positive expires_in. */
export function readTokenAnswer(answer: JsonAnswer, service: IdentityService, what: string): TokenAnswer {
  const malformed = (why: string) =>
    new MalformedResponseError(service, answer.status, `${what} answered the token exchange with ${why}`);
  const body = answer.json;
  if (body === undefined) throw malformed(`HTTP ${answer.status} and a body that is not a JSON object`);
  const token = body.access_token;
  if (typeof token !== "string" || token.trim() === "" || /[^\x21-\x7e]/.test(token)) {
    throw malformed("no usable access_token");
  }
  const type = body.token_type;
  if (type !== undefined && (typeof type !== "string" || type.toLowerCase() !== "bearer")) {
    throw malformed(`token_type ${JSON.stringify(safeText(String(type)))}, not Bearer`);
  }
  const expiresIn = body.expires_in;
  if (expiresIn !== undefined && (typeof expiresIn !== "number" || !Number.isFinite(expiresIn) || expiresIn <= 0)) {
    throw malformed("an expires_in that is not a positive number of seconds");
  }
  const scope = body.scope;
  return {
    accessToken: token,
    tokenType: "Bearer",
    expiresIn,
    scope: typeof scope === "string" ? scope : undefined,
  };
}

/** The `exp` of our own token (a JWT), in ms, or undefined when it cannot be read. */
export function subjectExpiryMs(subjectToken: string): number | undefined {
  const payload = subjectToken.split(".")[1];
  if (payload === undefined) return undefined;
  try {
    const text = atob(payload.replace(/-/g, "+").replace(/_/g, "/"));
    const exp = (JSON.parse(text) as { exp?: unknown }).exp;
    return typeof exp === "number" && Number.isFinite(exp) ? exp * 1_000 : undefined;
  } catch {
    return undefined;
  }
}
