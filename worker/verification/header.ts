// The protected header, read before the key is looked up: it decides which algorithm and which key
// may verify the token, so every parameter that would let the token choose its own key or change
// how it is processed is refused outright.

import type { JWTHeaderParameters } from "jose";
import { describeAlgorithm, TokenAlgorithmError, TokenHeaderError } from "./errors.js";
import type { VerifierAlgorithm } from "./options.js";

export interface CheckedHeader {
  readonly alg: VerifierAlgorithm;
  readonly kid: string;
  readonly header: JWTHeaderParameters;
}

/**
 * jku / x5u name a URL to fetch the key from, jwk / x5c embed a key: each lets the token bring its
 * own key. crit demands extensions we do not implement (RFC 7515 §4.1.11), so we refuse any.
 */
const FORBIDDEN_PARAMETERS = ["jku", "x5u", "jwk", "x5c", "crit"] as const;
/** `typ` is optional; when present it must say JWT (RFC 7519 §5.1), which keeps out tokens of other
 * kinds signed by the same keys (e.g. `at+jwt`). */
const ACCEPTED_TYPES = new Set(["jwt", "application/jwt"]);
const MAX_KID_LENGTH = 256;

export function checkHeader(header: Record<string, unknown>, algorithms: readonly VerifierAlgorithm[]): CheckedHeader {
  const { alg, kid, typ } = header;
  if (typeof alg !== "string" || !algorithms.includes(alg as VerifierAlgorithm)) {
    throw new TokenAlgorithmError(
      alg === undefined
        ? "the token's header has no alg"
        : `alg ${describeAlgorithm(alg)} is not allowed; this verifier accepts ${algorithms.join(", ")}`,
    );
  }
  for (const name of FORBIDDEN_PARAMETERS) {
    if (Object.hasOwn(header, name)) {
      throw new TokenHeaderError(
        `the token's header carries "${name}", which this verifier refuses: keys come only from the issuer's JWKS`,
      );
    }
  }
  if (typ !== undefined && (typeof typ !== "string" || !ACCEPTED_TYPES.has(typ.toLowerCase()))) {
    throw new TokenHeaderError('the token\'s header has a typ other than "JWT"');
  }
  if (typeof kid !== "string" || kid === "" || kid.length > MAX_KID_LENGTH) {
    throw new TokenHeaderError(
      "the token's header has no usable kid (a non-empty string naming a key of the issuer's JWKS)",
    );
  }
  return { alg: alg as VerifierAlgorithm, kid, header: header as JWTHeaderParameters };
}
