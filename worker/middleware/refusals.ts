// Every answer the middleware gives instead of forwarding, in one table: status, RFC 6750 error
// attribute, and a fixed problem detail. Details are constants: they never carry the token, a
// claim value or the verifier's message (that cause goes to the log line, not the body).

import type { MiddlewareCode } from "../error-codes/middleware.js";
import { VERIFICATION_STATUS, type VerificationErrorCode } from "../error-codes/verification.js";
import { problemResponse } from "../http/problem.js";
import { MAX_OVERRIDE_BODY_BYTES } from "./method-override-body.js";

export type { MiddlewareCode } from "../error-codes/middleware.js";

export type RefusalCode = MiddlewareCode | VerificationErrorCode;

interface Refusal {
  readonly status: 400 | 401 | 403 | 413 | 500 | 502 | 503;
  /** RFC 6750 §3.1 error attribute; null: a 401 without one (no credentials were sent). */
  readonly bearerError?: "invalid_request" | "invalid_token" | "insufficient_scope" | null;
  readonly title: string;
  readonly detail: string;
}

const RETRY = "retry later";

const MIDDLEWARE_REFUSALS: Readonly<Record<MiddlewareCode, Refusal>> = {
  ERR_NO_TOKEN: {
    status: 401,
    bearerError: null,
    title: "Authentication required",
    detail: "This route needs a worker-identity token: send Authorization: Bearer <token>.",
  },
  ERR_AUTHORIZATION_HEADER: {
    status: 401,
    bearerError: "invalid_request",
    title: "Malformed Authorization header",
    detail: "Send exactly one Authorization header of the form 'Bearer <token>' (one space, the token alone).",
  },
  ERR_REQUEST_PATH: {
    status: 400,
    title: "Ambiguous request path",
    detail:
      "The path has, once percent-decoded, a '/' or '\\' (or a look-alike) inside a segment, a control character (NUL included), a ';' parameter, a dot segment, a segment of dots and spaces or ending in one, an empty segment ('//'), a '%' that is not an escape, an escaped escape (%25XX), bytes that are not UTF-8 or text Unicode normalisation (NFKC) changes; or it reads as another route where origins ignore case, a trailing slash or a format suffix. Send the path exactly as the route is written.",
  },
  ERR_METHOD_OVERRIDE: {
    status: 400,
    title: "Method override refused",
    detail:
      "An X-HTTP-Method-Override, X-Method-Override or X-HTTP-Method header (in any case, '_' for '-'), or a _method parameter in the query or in a POST body, names no method, several methods, or a method this route's rule for the request's method does not also govern; or a POST body that is checked for _method cannot be read as origins read it (a Content-Encoding other than identity, a charset that is not ASCII-compatible, UTF-16 or UTF-32 JSON, a multipart Content-Type without exactly one plain boundary parameter). Send the request with the method itself, or one override the same rule admits, and such a body unencoded, in UTF-8, with one boundary parameter.",
  },
  ERR_OVERRIDE_BODY_TOO_LARGE: {
    status: 413,
    title: "Body too large to check for a method override",
    detail: `This POST's body (form, multipart, JSON, or without a Content-Type) could carry a _method override, and this route's rule does not govern every method, so the body is checked before it is forwarded and may be at most ${MAX_OVERRIDE_BODY_BYTES} bytes; send a smaller body, or send the method a _method would name as the request's own method.`,
  },
  ERR_REQUEST_BODY: {
    status: 400,
    title: "Unreadable request body",
    detail:
      "The request body could not be read to its end (the connection broke or its framing is invalid); send it again.",
  },
  ERR_NO_RULE: {
    status: 403,
    bearerError: "insufficient_scope",
    title: "Forbidden",
    detail: "No rule allows this method on this path; requests are refused by default.",
  },
  ERR_RULE_REFUSED: {
    status: 403,
    bearerError: "insufficient_scope",
    title: "Forbidden",
    detail: "The rule for this route does not admit the token's identity.",
  },
  ERR_IDENTITY_HEADER: {
    status: 401,
    bearerError: "invalid_token",
    title: "Invalid token",
    detail: "A claim of the token cannot be carried in an identity header.",
  },
  ERR_ORIGIN_UNAVAILABLE: {
    status: 502,
    title: "Origin unavailable",
    detail: `The origin behind the middleware could not be reached; ${RETRY}.`,
  },
  ERR_MIDDLEWARE_CONFIG: {
    status: 503,
    title: "Middleware misconfigured",
    detail: "The middleware's configuration is invalid.",
  },
  ERR_INTERNAL: { status: 500, title: "Internal error", detail: "The middleware failed; its log has the cause." },
};

const VERIFICATION_REFUSALS: Readonly<Record<VerificationErrorCode, string>> = {
  ERR_TOKEN_MALFORMED: "The bearer token is not a well-formed compact JWS.",
  ERR_TOKEN_TOO_LARGE: "The bearer token is longer than this API accepts.",
  ERR_TOKEN_ALGORITHM: "The bearer token is signed with an algorithm this API does not accept.",
  ERR_TOKEN_HEADER: "The bearer token's JOSE header is not acceptable (a forbidden parameter, no kid, or another typ).",
  ERR_TOKEN_KEY_UNKNOWN: "The bearer token was signed with a key the issuer does not publish.",
  ERR_TOKEN_SIGNATURE: "The bearer token's signature does not verify.",
  ERR_TOKEN_EXPIRED: "The bearer token has expired; get a new one from the issuer.",
  ERR_TOKEN_NOT_YET_VALID: "The bearer token is not valid yet.",
  ERR_TOKEN_ISSUER: "The bearer token comes from an issuer this API does not trust.",
  ERR_TOKEN_AUDIENCE: "The bearer token is for another audience; request one for this API's audience.",
  ERR_TOKEN_CLAIMS: "The bearer token lacks a required claim, or a claim has the wrong type.",
  ERR_TOKEN_SUBJECT: "This API does not admit the token's subject.",
  ERR_TOKEN_CERTIFICATE_REQUIRED:
    "The bearer token is bound to a client certificate (cnf x5t#S256, RFC 8705) and the request presented no verified certificate; send it over mTLS with that certificate.",
  ERR_TOKEN_CERTIFICATE_MISMATCH:
    "The bearer token is bound to another client certificate than the one this request presented.",
  ERR_JWKS_UNAVAILABLE: `The issuer's signing keys cannot be obtained; ${RETRY}.`,
  ERR_DISCOVERY: `The issuer's discovery document cannot be used; ${RETRY}.`,
  ERR_TOKEN_REVOKED: "The bearer token has been revoked; get a new one from the issuer.",
  ERR_TOKEN_INACTIVE: "The bearer token is no longer active: its workflow instance has ended, or it was revoked.",
  ERR_REVOCATION_UNAVAILABLE: `Whether the token is still active cannot be checked; ${RETRY}.`,
};

/** Titles of the verifier answers that are not "Invalid token" (401) or "Forbidden" (403). */
const VERIFICATION_TITLES: Readonly<Partial<Record<VerificationErrorCode, string>>> = {
  ERR_JWKS_UNAVAILABLE: "Issuer keys unavailable",
  ERR_DISCOVERY: "Issuer discovery unusable",
  ERR_REVOCATION_UNAVAILABLE: "Token status unavailable",
};

function verificationRefusal(code: VerificationErrorCode): Refusal {
  const status = VERIFICATION_STATUS[code];
  const detail = VERIFICATION_REFUSALS[code];
  const title = VERIFICATION_TITLES[code];
  if (status === 401) return { status, bearerError: "invalid_token", title: title ?? "Invalid token", detail };
  if (status === 403) return { status, bearerError: "insufficient_scope", title: title ?? "Forbidden", detail };
  return { status, title: title ?? "Unavailable", detail };
}

const REFUSALS: Readonly<Record<RefusalCode, Refusal>> = {
  ...MIDDLEWARE_REFUSALS,
  ...Object.fromEntries(
    (Object.keys(VERIFICATION_REFUSALS) as VerificationErrorCode[]).map((code) => [code, verificationRefusal(code)]),
  ),
} as Record<RefusalCode, Refusal>;

export const REALM = "worker-identity";
/** Seconds a client should wait after a 502 or 503 (the verifier's JWKS cooldown). */
const RETRY_AFTER_SECONDS = 30;

/** The problem+json answer for `code`; `detail` replaces the fixed one (configuration problems only). */
export function refusalResponse(code: RefusalCode, detail?: string): Response {
  const refusal = REFUSALS[code];
  const headers = new Headers();
  if (refusal.bearerError !== undefined) {
    const error = refusal.bearerError === null ? "" : `, error="${refusal.bearerError}"`;
    headers.set("www-authenticate", `Bearer realm="${REALM}"${error}`);
  }
  if (refusal.status === 502 || refusal.status === 503) headers.set("retry-after", String(RETRY_AFTER_SECONDS));
  return problemResponse(
    { status: refusal.status, title: refusal.title, detail: detail ?? refusal.detail, code },
    headers,
  );
}
