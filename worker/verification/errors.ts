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

import {
  VERIFICATION_STATUS,
  type VerificationErrorCode,
  type VerificationStatus,
} from "../error-codes/verification.js";

export type { VerificationErrorCode, VerificationStatus } from "../error-codes/verification.js";

export abstract class VerificationError extends Error {
  abstract readonly code: VerificationErrorCode;

  /** The HTTP status a relying party answers this failure with (one table: VERIFICATION_STATUS). */
  get status(): VerificationStatus {
    return VERIFICATION_STATUS[this.code];
  }

  constructor(detail: string, options?: { readonly cause?: unknown }) {
    super(detail, options);
    this.name = new.target.name;
  }
}

/** Not a compact JWS: segments, base64url, UTF-8, JSON objects, duplicate member names. */
export class TokenMalformedError extends VerificationError {
  readonly code = "ERR_TOKEN_MALFORMED";
}

/** Longer than `maxTokenBytes`; refused before any parsing. */
export class TokenTooLargeError extends VerificationError {
  readonly code = "ERR_TOKEN_TOO_LARGE";
}

/** `alg` missing or outside the allow-list (`none` and HS* never pass), or unfit for the key. */
export class TokenAlgorithmError extends VerificationError {
  readonly code = "ERR_TOKEN_ALGORITHM";
}

/** A forbidden header parameter (jku, x5u, jwk, x5c, crit), a missing `kid`, a wrong `typ`. */
export class TokenHeaderError extends VerificationError {
  readonly code = "ERR_TOKEN_HEADER";
}

/** No key with the token's `kid` in the issuer's JWKS, even after a refetch. */
export class TokenKeyUnknownError extends VerificationError {
  readonly code = "ERR_TOKEN_KEY_UNKNOWN";
}

export class TokenSignatureError extends VerificationError {
  readonly code = "ERR_TOKEN_SIGNATURE";
}

export class TokenExpiredError extends VerificationError {
  readonly code = "ERR_TOKEN_EXPIRED";
}

/** `nbf` or `iat` lies in the future by more than the clock tolerance. */
export class TokenNotYetValidError extends VerificationError {
  readonly code = "ERR_TOKEN_NOT_YET_VALID";
}

export class TokenIssuerError extends VerificationError {
  readonly code = "ERR_TOKEN_ISSUER";
}

/** `aud` is not an expected audience, or is an array where a single audience is required. */
export class TokenAudienceError extends VerificationError {
  readonly code = "ERR_TOKEN_AUDIENCE";
}

/** A required claim is missing or has the wrong type. */
export class TokenClaimsError extends VerificationError {
  readonly code = "ERR_TOKEN_CLAIMS";
}

/** A valid token whose subject, workload or claims the verifier's matchers do not admit. */
export class TokenSubjectError extends VerificationError {
  readonly code = "ERR_TOKEN_SUBJECT";
}

/**
 * A certificate-bound token (`cnf.x5t#S256`, RFC 8705 §3) arrived without a verified client
 * certificate, on a call that did not opt out with `acceptBoundTokenWithoutCertificate`.
 */
export class TokenCertificateRequiredError extends VerificationError {
  readonly code = "ERR_TOKEN_CERTIFICATE_REQUIRED";
}

/** A certificate-bound token arrived with another client certificate than the one it is bound to: a stolen token. */
export class TokenCertificateMismatchError extends VerificationError {
  readonly code = "ERR_TOKEN_CERTIFICATE_MISMATCH";
}

/** Discovery or the JWKS could not be fetched or was unacceptable, and no usable copy is cached. */
export class JwksUnavailableError extends VerificationError {
  readonly code = "ERR_JWKS_UNAVAILABLE";
}

/** The discovery document is invalid, names another issuer, or points at an unsafe jwks_uri. */
export class DiscoveryError extends VerificationError {
  readonly code = "ERR_DISCOVERY";
}

/** The issuer's revocation list covers the token (its jti, or a kill switch of its workload or workflow). */
export class TokenRevokedError extends VerificationError {
  readonly code = "ERR_TOKEN_REVOKED";
}

/** Introspection answered `active: false`: the token's workflow instance ended, or it was revoked. */
export class TokenInactiveError extends VerificationError {
  readonly code = "ERR_TOKEN_INACTIVE";
}

/** Introspection or the revocation list could not be obtained: the token may be valid; retry later. */
export class RevocationUnavailableError extends VerificationError {
  readonly code = "ERR_REVOCATION_UNAVAILABLE";
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
