// The relying-party verifier for worker-identity tokens: web-standard APIs only (fetch, WebCrypto,
// URL), so it runs in any Worker and in Node. See README.md in this folder.

export { OptionsError, type OptionsIssue } from "../options/options-error.js";
export {
  CERTIFICATE_THUMBPRINT_MEMBER,
  type CertificatePresentation,
  certificateBinding,
  THUMBPRINT_PATTERN,
  thumbprintOfFingerprint,
} from "./certificate-binding.js";
export {
  DiscoveryError,
  JwksUnavailableError,
  RevocationUnavailableError,
  TokenAlgorithmError,
  TokenAudienceError,
  TokenCertificateMismatchError,
  TokenCertificateRequiredError,
  TokenClaimsError,
  TokenExpiredError,
  TokenHeaderError,
  TokenInactiveError,
  TokenIssuerError,
  TokenKeyUnknownError,
  TokenMalformedError,
  TokenNotYetValidError,
  TokenRevokedError,
  TokenSignatureError,
  TokenSubjectError,
  TokenTooLargeError,
  VerificationError,
  type VerificationErrorCode,
  type VerificationStatus,
} from "./errors.js";
export { claimMismatch } from "./matchers.js";
export type { NativeIssuerOptions } from "./native-issuers.js";
export {
  type JsonValue,
  type JwksCacheOptions,
  type ResolvedVerifierOptions,
  resolveVerifierOptions,
  type VerifierAlgorithm,
  type VerifierFetch,
  type VerifierOptions,
} from "./options.js";
export type { IntrospectionOptions, RevocationListOptions } from "./revocation-options.js";
export { createVerifier, type Verifier } from "./verify.js";
export type { VerifiedIdentity } from "./verify-token.js";
