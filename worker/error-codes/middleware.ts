// The codes the edge middleware and the mTLS origin answer with besides the verifier's own.
// Their statuses are in their refusal tables (worker/middleware/refusals.ts,
// worker/mtls/origin-refusals.ts).

export type MiddlewareCode =
  | "ERR_NO_TOKEN"
  | "ERR_AUTHORIZATION_HEADER"
  | "ERR_REQUEST_PATH"
  | "ERR_METHOD_OVERRIDE"
  | "ERR_OVERRIDE_BODY_TOO_LARGE"
  | "ERR_REQUEST_BODY"
  | "ERR_NO_RULE"
  | "ERR_RULE_REFUSED"
  | "ERR_IDENTITY_HEADER"
  | "ERR_ORIGIN_UNAVAILABLE"
  | "ERR_MIDDLEWARE_CONFIG"
  | "ERR_INTERNAL";

export type OriginMtlsCode =
  | "ERR_NO_CLIENT_CERTIFICATE"
  | "ERR_CLIENT_CERTIFICATE_EXPIRED"
  | "ERR_CLIENT_CERTIFICATE_NOT_YET_VALID"
  | "ERR_CLIENT_CERTIFICATE_UNTRUSTED"
  | "ERR_CLIENT_CERTIFICATE_IDENTITY"
  | "ERR_WORKLOAD_NOT_ADMITTED"
  | "ERR_TOKEN_NOT_CERTIFICATE_BOUND"
  | "ERR_TOKEN_SUBJECT_MISMATCH";
