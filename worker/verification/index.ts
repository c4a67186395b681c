// The relying-party verifier for worker-identity tokens: web-standard APIs only (fetch, WebCrypto,
// URL), so it runs in any Worker and in Node. See README.md in this folder.

export { createVerifier, type Verifier } from "./verify.js";
export {
  certificateBinding,
  thumbprintOfFingerprint,
  type CertificatePresentation,
} from "./certificate-binding.js";
export type { VerifiedIdentity } from "./verify-token.js";
export type { IntrospectionOptions, RevocationListOptions } from "./revocation-options.js";
export {
  resolveVerifierOptions,
  type JsonValue,
  type JwksCacheOptions,
  type ResolvedVerifierOptions,
  type VerifierAlgorithm,
  type VerifierFetch,
  type VerifierOptions,
} from "./options.js";
export {
  DiscoveryError,
  JwksUnavailableError,
  TokenAlgorithmError,
  TokenAudienceError,
  TokenCertificateMismatchError,
  TokenCertificateRequiredError,
  TokenClaimsError,
  TokenExpiredError,
  TokenHeaderError,
  TokenIssuerError,
  TokenKeyUnknownError,
  TokenMalformedError,
  TokenNotYetValidError,
  TokenSignatureError,
  TokenSubjectError,
  TokenTooLargeError,
  TokenRevokedError,
  TokenInactiveError,
  RevocationUnavailableError,
  VerificationError,
  type VerificationErrorCode,
  type VerificationStatus,
} from "./errors.js";
