// The relying-party verifier's error codes, and the HTTP status a relying party answers each with:
// written here once, read by the error classes (worker/verification/errors.ts) and by the edge
// middleware's refusals (worker/middleware/refusals.ts).

/**
 * 401 when the token does not authenticate, 403 when it authenticates a caller the rules do not
 * admit, 503 when what the check needs (keys, discovery, revocation status) cannot be obtained
 * (the token may well be valid; retry later).
 */
export type VerificationStatus = 401 | 403 | 503;

export const VERIFICATION_STATUS = {
  ERR_TOKEN_MALFORMED: 401,
  ERR_TOKEN_TOO_LARGE: 401,
  ERR_TOKEN_ALGORITHM: 401,
  ERR_TOKEN_HEADER: 401,
  ERR_TOKEN_KEY_UNKNOWN: 401,
  ERR_TOKEN_SIGNATURE: 401,
  ERR_TOKEN_EXPIRED: 401,
  ERR_TOKEN_NOT_YET_VALID: 401,
  ERR_TOKEN_ISSUER: 401,
  ERR_TOKEN_AUDIENCE: 401,
  ERR_TOKEN_CLAIMS: 401,
  ERR_TOKEN_SUBJECT: 403,
  ERR_TOKEN_CERTIFICATE_REQUIRED: 401,
  ERR_TOKEN_CERTIFICATE_MISMATCH: 401,
  ERR_JWKS_UNAVAILABLE: 503,
  ERR_DISCOVERY: 503,
  ERR_TOKEN_REVOKED: 401,
  ERR_TOKEN_INACTIVE: 401,
  ERR_REVOCATION_UNAVAILABLE: 503,
} as const satisfies Record<string, VerificationStatus>;

export type VerificationErrorCode = keyof typeof VERIFICATION_STATUS;
