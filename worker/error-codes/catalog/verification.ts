// ERRORS.md entries of the verifier's codes. The edge middleware answers each with the same code
// and status; ERR_JWKS_UNAVAILABLE and ERR_REVOCATION_UNAVAILABLE are entered with the issuer's.

import type { VerificationErrorCode } from "../verification.js";
import type { CatalogEntry } from "./entry.js";

const BY = ["verifier", "edge middleware"] as const;
const NEW_TOKEN = "Get a new token from the issuer; do not retry this one.";

function refused(meaning: string, action = NEW_TOKEN): CatalogEntry {
  return { raisedBy: BY, status: 401, retryable: false, meaning, action };
}

export const VERIFICATION_CATALOG = {
  ERR_TOKEN_MALFORMED: refused("Not a compact JWS: segments, base64url, UTF-8, JSON objects, or duplicate members."),
  ERR_TOKEN_TOO_LARGE: refused("The token is longer than `maxTokenBytes`; refused before any parsing."),
  ERR_TOKEN_ALGORITHM: refused(
    "`alg` is missing, outside the allow-list (`none` and HS* never pass), or unfit for the key.",
    "Send a token the issuer signed; a relying party that changed `algorithms` must list the issuer's.",
  ),
  ERR_TOKEN_HEADER: refused("A forbidden header parameter (jku, x5u, jwk, x5c, crit), no `kid`, or another `typ`."),
  ERR_TOKEN_KEY_UNKNOWN: refused("No key with the token's `kid` in the issuer's JWKS, even after a refetch."),
  ERR_TOKEN_SIGNATURE: refused("The signature does not verify with the issuer's key."),
  ERR_TOKEN_EXPIRED: refused("`exp` is past (beyond the allowed clock skew)."),
  ERR_TOKEN_NOT_YET_VALID: refused(
    "`nbf` or `iat` is in the future (beyond the allowed clock skew).",
    "Check the caller's and the relying party's clocks; get a new token.",
  ),
  ERR_TOKEN_ISSUER: refused(
    "`iss` is not the issuer this relying party trusts.",
    "Send a token of the trusted issuer; check the verifier's `issuer` option.",
  ),
  ERR_TOKEN_AUDIENCE: refused(
    "`aud` is not this relying party's audience.",
    "Request a token for this API's audience (it must be in the workload's `audiences`).",
  ),
  ERR_TOKEN_CLAIMS: refused("A required claim is missing, or a claim has the wrong type."),
  ERR_TOKEN_SUBJECT: {
    raisedBy: BY,
    status: 403,
    retryable: false,
    meaning: "The token authenticates, but its subject (or workload) is not one this relying party admits.",
    action: "Call with the workload this API admits, or add the subject to the relying party's rules.",
  },
  ERR_TOKEN_CERTIFICATE_REQUIRED: refused(
    "The token is bound to a client certificate (cnf x5t#S256, RFC 8705) and the request presented none.",
    "Send the request over mTLS with the workload's certificate (its mtls_certificate binding).",
  ),
  ERR_TOKEN_CERTIFICATE_MISMATCH: refused(
    "The token is bound to another client certificate than the one presented.",
    "Send the token with the certificate it was issued for, or get a new token.",
  ),
  ERR_DISCOVERY: {
    raisedBy: BY,
    status: 503,
    retryable: true,
    meaning: "The issuer's discovery document cannot be fetched or used.",
    action: "Retry later; if it persists, check the verifier's `issuer` URL.",
  },
  ERR_TOKEN_REVOKED: refused("The token is on the issuer's revocation list (by jti, workload or workflow)."),
  ERR_TOKEN_INACTIVE: refused(
    "Introspection answered `active: false`: its workflow instance ended, or it was revoked.",
  ),
} as const satisfies Record<
  Exclude<VerificationErrorCode, "ERR_JWKS_UNAVAILABLE" | "ERR_REVOCATION_UNAVAILABLE">,
  CatalogEntry
>;
