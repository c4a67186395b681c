// The issuer's error codes. `IssuerErrorCode`: the failures an `IssuerError` carries, over RPC
// (token requests) and HTTP (admin, introspection). `IssuerHttpCode`: the answers only the HTTP
// surface gives (routing, method, authentication of the admin and introspection routes, published
// documents that cannot be read, the token exchange's refusals). Each has one HTTP status, in worker/http/issuer-problems.ts.

export type IssuerErrorCode =
  | "ERR_NO_IDENTITY"
  | "ERR_UNKNOWN_WORKLOAD"
  | "ERR_AUDIENCE_NOT_ALLOWED"
  | "ERR_LIFETIME_TOO_LONG"
  | "ERR_INVALID_REQUEST"
  | "ERR_ISSUER_CONFIG"
  | "ERR_KEY_ENCRYPTION_KEY"
  | "ERR_KEY_STORE_UNAVAILABLE"
  | "ERR_TOO_MANY_KEYS"
  | "ERR_UNKNOWN_KEY"
  | "ERR_UNKNOWN_WORKFLOW"
  | "ERR_UNKNOWN_INSTANCE"
  | "ERR_INSTANCE_NOT_RUNNING"
  | "ERR_WORKFLOW_UNAVAILABLE"
  | "ERR_TOO_MANY_REVOCATIONS";

export type IssuerHttpCode =
  | "ERR_NOT_FOUND"
  | "ERR_METHOD_NOT_ALLOWED"
  | "ERR_ADMIN_DISABLED"
  | "ERR_ADMIN_UNAUTHORIZED"
  | "ERR_INTROSPECTION_DISABLED"
  | "ERR_INTROSPECTION_UNAUTHORIZED"
  | "ERR_JWKS_UNAVAILABLE"
  | "ERR_REVOCATION_UNAVAILABLE"
  | "ERR_EXCHANGE_DISABLED"
  | "ERR_UNSUPPORTED_GRANT_TYPE"
  | "ERR_SUBJECT_TOKEN_INVALID"
  | "ERR_SUBJECT_TOKEN_EXPIRED"
  | "ERR_SUBJECT_TOKEN_REPLAYED"
  | "ERR_UNKNOWN_NATIVE_ISSUER"
  | "ERR_UNKNOWN_NATIVE_SUBJECT"
  | "ERR_INVALID_TARGET"
  | "ERR_NATIVE_JWKS_UNAVAILABLE"
  | "ERR_REPLAY_STORE_UNAVAILABLE"
  | "ERR_ACCESS_UNAVAILABLE"
  | "ERR_INTERNAL";

/** Issuer refusals after which the same call may succeed unchanged: the cause is on the issuer's side and passes. */
export const RETRYABLE_ISSUER_CODES: ReadonlySet<IssuerErrorCode> = new Set<IssuerErrorCode>([
  "ERR_KEY_STORE_UNAVAILABLE",
  "ERR_WORKFLOW_UNAVAILABLE",
]);
