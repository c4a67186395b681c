// The issuer's HTTP answer for each of its codes, in one table: status and title. Every error
// answer of the issuer's routes is built here, so a code has one status wherever it is raised.
// Codes with `null` are refusals of a token request, which only RPC answers (entrypoint.ts); one
// that reached the router would be the issuer's bug, answered 500.

import type { IssuerErrorCode, IssuerHttpCode } from "../error-codes/issuer.js";
import { problemResponse } from "./problem.js";

export type IssuerAnswerCode = IssuerErrorCode | IssuerHttpCode;

export interface IssuerProblem {
  readonly status: 400 | 401 | 403 | 404 | 405 | 409 | 500 | 503;
  readonly title: string;
}

export const ISSUER_PROBLEMS: Readonly<Record<IssuerAnswerCode, IssuerProblem | null>> = {
  ERR_INVALID_REQUEST: { status: 400, title: "Bad request" },
  ERR_ADMIN_UNAUTHORIZED: { status: 401, title: "Unauthorized" },
  ERR_INTROSPECTION_UNAUTHORIZED: { status: 401, title: "Unauthorized" },
  ERR_ADMIN_DISABLED: { status: 403, title: "Admin API disabled" },
  ERR_INTROSPECTION_DISABLED: { status: 403, title: "Introspection disabled" },
  ERR_NOT_FOUND: { status: 404, title: "Not found" },
  ERR_UNKNOWN_KEY: { status: 404, title: "Unknown key" },
  ERR_METHOD_NOT_ALLOWED: { status: 405, title: "Method not allowed" },
  ERR_TOO_MANY_KEYS: { status: 409, title: "Too many keys" },
  ERR_TOO_MANY_REVOCATIONS: { status: 409, title: "Revocation list full" },
  ERR_INTERNAL: { status: 500, title: "Internal error" },
  ERR_ISSUER_CONFIG: { status: 503, title: "Issuer misconfigured" },
  ERR_KEY_ENCRYPTION_KEY: { status: 503, title: "Key encryption key unusable" },
  ERR_KEY_STORE_UNAVAILABLE: { status: 503, title: "Key store unavailable" },
  ERR_WORKFLOW_UNAVAILABLE: { status: 503, title: "Instance status unavailable" },
  ERR_JWKS_UNAVAILABLE: { status: 503, title: "JWKS unavailable" },
  ERR_REVOCATION_UNAVAILABLE: { status: 503, title: "Revocation list unavailable" },
  ERR_EXCHANGE_DISABLED: { status: 403, title: "Token exchange disabled" },
  ERR_UNSUPPORTED_GRANT_TYPE: { status: 400, title: "Unsupported grant type" },
  ERR_SUBJECT_TOKEN_INVALID: { status: 400, title: "Subject token invalid" },
  ERR_SUBJECT_TOKEN_EXPIRED: { status: 400, title: "Subject token expired or not yet valid" },
  ERR_SUBJECT_TOKEN_REPLAYED: { status: 400, title: "Subject token replayed" },
  ERR_UNKNOWN_NATIVE_ISSUER: { status: 400, title: "Unknown native issuer" },
  ERR_UNKNOWN_NATIVE_SUBJECT: { status: 400, title: "Unknown native subject" },
  ERR_INVALID_TARGET: { status: 400, title: "Audience not allowed" },
  ERR_NATIVE_JWKS_UNAVAILABLE: { status: 503, title: "Native issuer keys unavailable" },
  ERR_REPLAY_STORE_UNAVAILABLE: { status: 503, title: "Replay store unavailable" },
  ERR_ACCESS_UNAVAILABLE: { status: 503, title: "Cloudflare Access keys unavailable" },
  ERR_NO_IDENTITY: null,
  ERR_UNKNOWN_WORKLOAD: null,
  ERR_AUDIENCE_NOT_ALLOWED: null,
  ERR_LIFETIME_TOO_LONG: null,
  ERR_UNKNOWN_WORKFLOW: null,
  ERR_UNKNOWN_INSTANCE: null,
  ERR_INSTANCE_NOT_RUNNING: null,
};

const INTERNAL = ISSUER_PROBLEMS.ERR_INTERNAL as IssuerProblem;

/** Seconds a client waits before asking again after a 503 (a published document, a store restarting). */
export const RETRY_AFTER_SECONDS = 5;

/** The problem+json answer for `code`; a 503 carries Retry-After. */
export function issuerProblem(
  code: IssuerAnswerCode,
  detail: string,
  headers: ConstructorParameters<typeof Headers>[0] = {},
): Response {
  const problem = ISSUER_PROBLEMS[code] ?? INTERNAL;
  const merged = new Headers(headers);
  if (problem.status === 503 && !merged.has("retry-after")) merged.set("retry-after", String(RETRY_AFTER_SECONDS));
  return problemResponse({ status: problem.status, title: problem.title, detail, code }, merged);
}

/** 405 naming the methods the route answers, in the detail and in Allow. */
export function methodNotAllowed(allow: readonly [string, ...string[]]): Response {
  return issuerProblem("ERR_METHOD_NOT_ALLOWED", `use ${allow.join(" or ")}`, { allow: allow.join(", ") });
}
