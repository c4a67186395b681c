// The public face: build a verifier once (options are checked here, a misuse is a TypeError),
// then verify tokens with it. Failures are VerificationErrors (errors.ts) with a stable `code`
// and a suggested HTTP `status`. Verifiers of one issuer share the isolate's JWKS cache, so
// building one per request costs only the option checks.

import { type CertificatePresentation, checkPresentation } from "./certificate-binding.js";
import { resolveVerifierOptions, type VerifierOptions } from "./options.js";
import { type VerifiedIdentity, verifyToken } from "./verify-token.js";

export interface Verifier {
  /**
   * Resolves with the verified identity, or rejects with a VerificationError. The token is the
   * compact JWS alone (no "Bearer " prefix); it never appears in an error message.
   *
   * `presentation` is what the request proved besides the token: the thumbprint of its verified
   * client certificate. A certificate-bound token (`cnf.x5t#S256`) is refused without a matching
   * one (RFC 8705 §3) unless `acceptBoundTokenWithoutCertificate` is set for this call.
   */
  verify(token: string, presentation?: CertificatePresentation): Promise<VerifiedIdentity>;
}

export function createVerifier(options: VerifierOptions): Verifier {
  const resolved = resolveVerifierOptions(options);
  return Object.freeze({
    verify: async (token: string, presentation?: CertificatePresentation) =>
      verifyToken(token, resolved, checkPresentation(presentation)),
  });
}
