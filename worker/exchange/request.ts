// An RFC 8693 token exchange request at POST /token, checked as a pure function of its
// Content-Type and body: application/x-www-form-urlencoded (UTF-8), each parameter at most once
// (RFC 6749 §3.2). Taken: grant_type (token exchange only), subject_token, subject_token_type (jwt
// or id_token), audience (exactly one: a token is for one audience), requested_token_type (jwt, or
// absent). Refused, as RFC 8693 lets the server: `resource` (invalid_target: name the audience
// with `audience`), `scope` (invalid_scope: issued tokens carry no scope), `actor_token` (no
// delegation). RFC 8693 names no lifetime parameter, so none is read; the lifetime is the
// workload's default. Other parameters are ignored (RFC 6749 §3.2).

import { MAX_AUDIENCE_LENGTH } from "../config/limits.js";
import type { OAuthError } from "./answers.js";

export const TOKEN_EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";
export const JWT_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:jwt";
export const ID_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id_token";
/** The form's largest size: a subject token and an audience fit in far less. */
export const MAX_EXCHANGE_BODY_BYTES = 16_384;

const SINGLE = [
  "grant_type",
  "subject_token",
  "subject_token_type",
  "audience",
  "requested_token_type",
  "resource",
  "scope",
  "actor_token",
  "actor_token_type",
] as const;

export interface ExchangeRequest {
  readonly subjectToken: string;
  readonly audience: string;
}

/** A request refused before its subject token is read: the OAuth error and our code, with a detail that never quotes the request. */
export class ExchangeRequestError extends Error {
  constructor(
    readonly error: OAuthError,
    readonly code: "ERR_INVALID_REQUEST" | "ERR_UNSUPPORTED_GRANT_TYPE" | "ERR_INVALID_TARGET",
    readonly detail: string,
  ) {
    super(detail);
    this.name = "ExchangeRequestError";
  }
}

const invalid = (detail: string) => new ExchangeRequestError("invalid_request", "ERR_INVALID_REQUEST", detail);

export function parseExchangeRequest(contentType: string | null, body: string): ExchangeRequest {
  const mediaType = (contentType ?? "").split(";", 1)[0]!.trim().toLowerCase();
  if (mediaType !== "application/x-www-form-urlencoded") {
    throw invalid(
      "send the exchange as Content-Type: application/x-www-form-urlencoded with grant_type, subject_token, " +
        "subject_token_type and audience (RFC 8693 §2.1)",
    );
  }
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType ?? "")?.[1];
  if (charset !== undefined && charset.toLowerCase() !== "utf-8") {
    throw invalid(`the form must be UTF-8 (charset=utf-8 or none), not ${charset.slice(0, 20)}`);
  }
  const form = new URLSearchParams(body);
  for (const name of SINGLE) {
    if (form.getAll(name).length > 1) throw invalid(`the form repeats ${name}; send it once (RFC 6749 §3.2)`);
  }
  const grantType = form.get("grant_type");
  if (grantType === null || grantType === "") {
    throw invalid(`the form has no grant_type; send grant_type=${TOKEN_EXCHANGE_GRANT}`);
  }
  if (grantType !== TOKEN_EXCHANGE_GRANT) {
    throw new ExchangeRequestError(
      "unsupported_grant_type",
      "ERR_UNSUPPORTED_GRANT_TYPE",
      `this endpoint only exchanges tokens: send grant_type=${TOKEN_EXCHANGE_GRANT} (RFC 8693)`,
    );
  }
  if (form.has("actor_token") || form.has("actor_token_type")) {
    throw invalid("actor_token is not accepted: the issuer exchanges a workload's own token, without delegation");
  }
  if (form.has("resource")) {
    throw new ExchangeRequestError(
      "invalid_target",
      "ERR_INVALID_TARGET",
      "resource is not accepted; name the token's audience with audience=<one of the workload's audiences>",
    );
  }
  if (form.has("scope")) {
    throw new ExchangeRequestError(
      "invalid_scope",
      "ERR_INVALID_REQUEST",
      "scope is not accepted: issued tokens carry no scope; send audience=<one of the workload's audiences> only",
    );
  }
  const subjectToken = form.get("subject_token");
  if (subjectToken === null || subjectToken === "") {
    throw invalid(
      "the form has no subject_token; send the token your native oidc_tokens binding's getToken() returned",
    );
  }
  const subjectTokenType = form.get("subject_token_type");
  if (subjectTokenType !== JWT_TOKEN_TYPE && subjectTokenType !== ID_TOKEN_TYPE) {
    throw invalid(
      `subject_token_type must be ${JWT_TOKEN_TYPE} (or ${ID_TOKEN_TYPE}); ` +
        (subjectTokenType === null ? "it is missing" : "it is another type"),
    );
  }
  const requested = form.get("requested_token_type");
  if (requested !== null && requested !== JWT_TOKEN_TYPE) {
    throw invalid(`requested_token_type must be ${JWT_TOKEN_TYPE} (the only type issued), or absent`);
  }
  const audience = form.get("audience");
  if (audience === null || audience === "" || audience.length > MAX_AUDIENCE_LENGTH) {
    throw new ExchangeRequestError(
      "invalid_target",
      "ERR_INVALID_TARGET",
      audience === null || audience === ""
        ? "the form has no audience; send audience=<one of the workload's audiences>"
        : `audience is longer than ${MAX_AUDIENCE_LENGTH} characters; send one of the workload's audiences`,
    );
  }
  return { subjectToken, audience };
}
