// The signature, verified with WebCrypto over the bytes compact-token.ts decoded, with the key
// key-import.ts imported for exactly the token's (allow-listed) algorithm. Doing this ourselves
// rather than through jose's compactVerify saves decoding the token a second time, which was
// most of the verifier's cost beside the signature itself (bench/RESULTS.md). The checks jose
// would add are here: the key's algorithm must be the token's, and an RSA key must have at
// least 2048 bits (RFC 7518 §3.3).

import type { CryptoKey } from "jose";
import { TokenAlgorithmError, TokenSignatureError } from "./errors.js";
import type { VerifierAlgorithm } from "./options.js";

interface VerifyParameters {
  readonly name: string;
  readonly saltLength?: number;
  readonly hash?: string;
}

const PARAMETERS: Record<VerifierAlgorithm, VerifyParameters> = {
  RS256: { name: "RSASSA-PKCS1-v1_5" },
  PS256: { name: "RSA-PSS", saltLength: 32 },
  ES256: { name: "ECDSA", hash: "SHA-256" },
  EdDSA: { name: "Ed25519" },
};

const MIN_RSA_MODULUS_BITS = 2_048;

/** Keys already found fit for an algorithm (reading `key.algorithm` builds a new object each time). */
const fitting = new WeakMap<CryptoKey, VerifierAlgorithm>();

function checkKeyFits(key: CryptoKey, name: string): void {
  const algorithm = key.algorithm as { readonly name: string; readonly modulusLength?: number };
  if (algorithm.name !== name) {
    throw new TokenAlgorithmError("the token's alg is not allowed, or not supported for the issuer's key");
  }
  if (algorithm.modulusLength !== undefined && algorithm.modulusLength < MIN_RSA_MODULUS_BITS) {
    throw new TokenSignatureError(
      `the token's signature could not be verified with the issuer's key: an RSA key needs at least ${MIN_RSA_MODULUS_BITS} bits`,
    );
  }
}

export async function verifySignature(
  signingInput: Uint8Array,
  signature: Uint8Array<ArrayBuffer>,
  key: CryptoKey,
  alg: VerifierAlgorithm,
): Promise<void> {
  const parameters = PARAMETERS[alg];
  if (fitting.get(key) !== alg) {
    checkKeyFits(key, parameters.name);
    fitting.set(key, alg);
  }
  let valid: boolean;
  try {
    // TextEncoder's bytes are never a SharedArrayBuffer view; some lib typings say ArrayBufferLike.
    valid = await crypto.subtle.verify(parameters, key, signature, signingInput as Uint8Array<ArrayBuffer>);
  } catch (cause) {
    throw new TokenSignatureError("the token's signature could not be verified with the issuer's key", { cause });
  }
  if (!valid) throw new TokenSignatureError("the token's signature does not verify with the issuer's key");
}
