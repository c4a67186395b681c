// Turns a JWK of the issuer's JWKS into a WebCrypto key for one algorithm. The key type must fit
// the algorithm the token names, and a key that declares its own alg is used for that alg only,
// so a token cannot pick an algorithm its key was never meant for.

import { type CryptoKey, importJWK, type JWK } from "jose";
import { describeAlgorithm, JwksUnavailableError, TokenAlgorithmError } from "./errors.js";
import type { VerifierAlgorithm } from "./options.js";

const KEY_TYPES: Record<VerifierAlgorithm, { readonly kty: string; readonly crv?: string }> = {
  RS256: { kty: "RSA" },
  PS256: { kty: "RSA" },
  ES256: { kty: "EC", crv: "P-256" },
  EdDSA: { kty: "OKP", crv: "Ed25519" },
};

export async function importVerificationKey(jwk: JWK, alg: VerifierAlgorithm): Promise<CryptoKey> {
  const expected = KEY_TYPES[alg];
  const fits = jwk.kty === expected.kty && (expected.crv === undefined || jwk.crv === expected.crv);
  if ((jwk.alg !== undefined && jwk.alg !== alg) || !fits) {
    throw new TokenAlgorithmError(`alg ${describeAlgorithm(alg)} does not fit the issuer's key the token's kid names`);
  }
  let key: Awaited<ReturnType<typeof importJWK>>;
  try {
    key = await importJWK({ ...jwk, ext: false }, alg);
  } catch (cause) {
    throw new JwksUnavailableError("the issuer's JWKS has a key that cannot be imported", { cause });
  }
  if (key instanceof Uint8Array) throw new JwksUnavailableError("the issuer's JWKS has a symmetric key");
  return key;
}
