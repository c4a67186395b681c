// Typed errors of the relying-party verifier: one base class with a stable `code`, one subclass
// per failure. A misused option is a TypeError thrown once by `createVerifier`; everything here is
// thrown per call by `verify`.
//
// Messages never contain the token, any segment of it, or any value read from its header or
// claims, with these deliberate exceptions, which cannot carry attacker-chosen text:
//   - the name of a registered JWS algorithm (only when `alg` is one of REGISTERED_JWS_ALGORITHMS,
//     so the text printed is our constant, not the token's);
//   - numbers derived from the time claims exp / nbf / iat (how many seconds ago or ahead).
// Claim and header parameter *names* in messages are our own constants or option values.
// Values from the issuer's discovery document (not the token) may appear, JSON-quoted.

export type VerificationErrorCode =
  | "ERR_TOKEN_MALFORMED"
  | "ERR_TOKEN_TOO_LARGE"
  | "ERR_TOKEN_ALGORITHM"
  | "ERR_TOKEN_HEADER"
  | "ERR_TOKEN_KEY_UNKNOWN"
  | "ERR_TOKEN_SIGNATURE"
  | "ERR_TOKEN_EXPIRED"
  | "ERR_TOKEN_NOT_YET_VALID"
  | "ERR_TOKEN_ISSUER"
  | "ERR_TOKEN_AUDIENCE"
  | "ERR_TOKEN_CLAIMS"
  | "ERR_TOKEN_SUBJECT"
  | "ERR_TOKEN_CERTIFICATE_REQUIRED"
  | "ERR_TOKEN_CERTIFICATE_MISMATCH"
  | "ERR_JWKS_UNAVAILABLE"
  | "ERR_DISCOVERY"
  | "ERR_TOKEN_REVOKED"
  | "ERR_TOKEN_INACTIVE"
  | "ERR_REVOCATION_UNAVAILABLE";

/**
 * The HTTP status a relying party should answer with: 401 when the token does not authenticate,
 * 403 when it authenticates a caller the rules do not admit, 503 when the issuer's keys cannot be
 * obtained (the token may well be valid; retry later).
 */
export type VerificationStatus = 401 | 403 | 503;

export abstract class VerificationError extends Error {
  abstract readonly code: VerificationErrorCode;
  abstract readonly status: VerificationStatus;

  constructor(detail: string, options?: { readonly cause?: unknown }) {
    super(detail, options);
    this.name = new.target.name;
  }
}

/** Not a compact JWS: segments, base64url, UTF-8, JSON objects, duplicate member names. */
export class TokenMalformedError extends VerificationError {
  readonly code = "ERR_TOKEN_MALFORMED";
  readonly status = 401;
}

/** Longer than `maxTokenBytes`; refused before any parsing. */
export class TokenTooLargeError extends VerificationError {
  readonly code = "ERR_TOKEN_TOO_LARGE";
  readonly status = 401;
}

/** `alg` missing or outside the allow-list (`none` and HS* never pass), or unfit for the key. */
export class TokenAlgorithmError extends VerificationError {
  readonly code = "ERR_TOKEN_ALGORITHM";
  readonly status = 401;
}

/** A forbidden header parameter (jku, x5u, jwk, x5c, crit), a missing `kid`, a wrong `typ`. */
export class TokenHeaderError extends VerificationError {
  readonly code = "ERR_TOKEN_HEADER";
  readonly status = 401;
}

/** No key with the token's `kid` in the issuer's JWKS, even after a refetch. */
export class TokenKeyUnknownError extends VerificationError {
  readonly code = "ERR_TOKEN_KEY_UNKNOWN";
  readonly status = 401;
}

export class TokenSignatureError extends VerificationError {
  readonly code = "ERR_TOKEN_SIGNATURE";
  readonly status = 401;
}

export class TokenExpiredError extends VerificationError {
  readonly code = "ERR_TOKEN_EXPIRED";
  readonly status = 401;
}

/** `nbf` or `iat` lies in the future by more than the clock tolerance. */
export class TokenNotYetValidError extends VerificationError {
  readonly code = "ERR_TOKEN_NOT_YET_VALID";
  readonly status = 401;
}

export class TokenIssuerError extends VerificationError {
  readonly code = "ERR_TOKEN_ISSUER";
  readonly status = 401;
}

/** `aud` is not an expected audience, or is an array where a single audience is required. */
export class TokenAudienceError extends VerificationError {
  readonly code = "ERR_TOKEN_AUDIENCE";
  readonly status = 401;
}

/** A required claim is missing or has the wrong type. */
export class TokenClaimsError extends VerificationError {
  readonly code = "ERR_TOKEN_CLAIMS";
  readonly status = 401;
}

/** A valid token whose subject, workload or claims the verifier's matchers do not admit. */
export class TokenSubjectError extends VerificationError {
  readonly code = "ERR_TOKEN_SUBJECT";
  readonly status = 403;
}

/**
 * A certificate-bound token (`cnf.x5t#S256`, RFC 8705 §3) arrived without a verified client
 * certificate, on a call that did not opt out with `acceptBoundTokenWithoutCertificate`.
 */
export class TokenCertificateRequiredError extends VerificationError {
  readonly code = "ERR_TOKEN_CERTIFICATE_REQUIRED";
  readonly status = 401;
}

/** A certificate-bound token arrived with another client certificate than the one it is bound to: a stolen token. */
export class TokenCertificateMismatchError extends VerificationError {
  readonly code = "ERR_TOKEN_CERTIFICATE_MISMATCH";
  readonly status = 401;
}

/** Discovery or the JWKS could not be fetched or was unacceptable, and no usable copy is cached. */
export class JwksUnavailableError extends VerificationError {
  readonly code = "ERR_JWKS_UNAVAILABLE";
  readonly status = 503;
}

/** The discovery document is invalid, names another issuer, or points at an unsafe jwks_uri. */
export class DiscoveryError extends VerificationError {
  readonly code = "ERR_DISCOVERY";
  readonly status = 503;
}

/** The issuer's revocation list covers the token (its jti, or a kill switch of its workload or workflow). */
export class TokenRevokedError extends VerificationError {
  readonly code = "ERR_TOKEN_REVOKED";
  readonly status = 401;
}

/** Introspection answered `active: false`: the token's workflow instance ended, or it was revoked. */
export class TokenInactiveError extends VerificationError {
  readonly code = "ERR_TOKEN_INACTIVE";
  readonly status = 401;
}

/** Introspection or the revocation list could not be obtained: the token may be valid; retry later. */
export class RevocationUnavailableError extends VerificationError {
  readonly code = "ERR_REVOCATION_UNAVAILABLE";
  readonly status = 503;
}

/** Every `alg` value registered for JWS (RFC 7518, RFC 8037, RFC 9864): safe to name in messages. */
const REGISTERED_JWS_ALGORITHMS: ReadonlySet<string> = new Set([
  "none",
  "HS256",
  "HS384",
  "HS512",
  "RS256",
  "RS384",
  "RS512",
  "ES256",
  "ES384",
  "ES512",
  "PS256",
  "PS384",
  "PS512",
  "EdDSA",
  "Ed25519",
  "Ed448",
  "ES256K",
]);

/** `alg` as it may appear in a message: quoted when registered, otherwise not at all. */
export function describeAlgorithm(alg: unknown): string {
  return typeof alg === "string" && REGISTERED_JWS_ALGORITHMS.has(alg) ? `"${alg}"` : "the token's alg";
}
