// The signature, verified by jose with the issuer's key and the verifier's algorithm allow-list,
// and what compactVerify can throw mapped onto our errors. jose's messages do not contain the
// token; ours replace them anyway so that every message is one of our own. Claims are checked by
// claims.ts, not by jose, so jose's claim errors cannot arise here.

import { compactVerify, errors, type CryptoKey } from "jose";
import { TokenAlgorithmError, TokenMalformedError, TokenSignatureError, type VerificationError } from "./errors.js";
import type { VerifierAlgorithm } from "./options.js";

export async function verifySignature(token: string, key: CryptoKey, algorithms: readonly VerifierAlgorithm[]): Promise<void> {
  try {
    await compactVerify(token, key, { algorithms: [...algorithms] });
  } catch (error) {
    throw verificationErrorFromJose(error);
  }
}

function verificationErrorFromJose(error: unknown): VerificationError {
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return new TokenSignatureError("the token's signature does not verify with the issuer's key");
  }
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) {
    return new TokenAlgorithmError("the token's alg is not allowed, or not supported for the issuer's key");
  }
  if (error instanceof errors.JWSInvalid) return new TokenMalformedError("the token is not a valid JWS");
  // E.g. jose's TypeError for an RSA key shorter than 2048 bits: such a key cannot vouch for a token.
  return new TokenSignatureError("the token's signature could not be verified with the issuer's key", { cause: error });
}
