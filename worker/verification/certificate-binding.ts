// Certificate-bound tokens (RFC 8705 §3): a token whose `cnf` names a client certificate's
// SHA-256 thumbprint (`x5t#S256`) is accepted only from a request that presented that very
// certificate over mTLS, verified by whoever terminated the TLS connection. This file is the one
// place that reads `cnf` and compares thumbprints, for the verifier and so for the edge middleware
// (which learns the certificate from Cloudflare's `request.cf.tlsClientAuth`) and the Node origin
// (which hashes the certificate of its own TLS socket).
//
//   cnf absent ─────────────────────────────── a bearer token: accepted (a route may demand binding itself)
//   cnf.x5t#S256 ─ certificate presented? ─ same thumbprint? ── accepted
//                  │                        └ no: ERR_TOKEN_CERTIFICATE_MISMATCH (a stolen token)
//                  └ no: ERR_TOKEN_CERTIFICATE_REQUIRED, unless the call opted out by name
//   cnf of another shape, or only methods we cannot check (jkt, jwk, …): ERR_TOKEN_CLAIMS (fail closed)

import { encodeBase64url } from "../encoding/base64url.js";
import { OptionsError, OptionsIssues } from "../options/options-error.js";
import { TokenCertificateMismatchError, TokenCertificateRequiredError, TokenClaimsError } from "./errors.js";

/** The `cnf` member of a certificate-bound token (RFC 8705 §3.1). */
export const CERTIFICATE_THUMBPRINT_MEMBER = "x5t#S256";

/** base64url (no padding) of a SHA-256 digest: 43 characters. */
export const THUMBPRINT_PATTERN = /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/;

/** What the request presented besides the token; passed to `verifier.verify(token, presentation)`. */
export interface CertificatePresentation {
  /**
   * `x5t#S256` (base64url SHA-256 of the DER) of the client certificate the request's TLS
   * connection presented and the TLS terminator verified. Absent: no verified certificate.
   */
  readonly certificateThumbprint?: string;
  /**
   * Accept a certificate-bound token that arrives without a certificate, as a plain bearer
   * token. The explicit opt-out of RFC 8705 §3 for one call (an edge middleware route sets it
   * with the rule's `acceptBoundTokensWithoutCertificate`). Default false. A token presented with
   * another certificate is refused either way.
   */
  readonly acceptBoundTokenWithoutCertificate?: boolean;
}

/** What `cnf` says of the token: a bearer token, or bound to one certificate thumbprint. */
export type CertificateBinding = { readonly bound: false } | { readonly bound: true; readonly thumbprint: string };

const PRESENTATION_FIELDS = new Set(["certificateThumbprint", "acceptBoundTokenWithoutCertificate"]);

/**
 * Checks a presentation object once per call; a misuse is an OptionsError (a TypeError: a bug in
 * the caller, not in the request), listing what is wrong.
 */
export function checkPresentation(presentation: unknown): CertificatePresentation {
  if (presentation === undefined) return {};
  if (
    typeof presentation !== "object" ||
    presentation === null ||
    Object.getPrototypeOf(presentation) !== Object.prototype
  ) {
    const problem = "must be a plain object { certificateThumbprint?, acceptBoundTokenWithoutCertificate? }";
    throw new OptionsError([{ path: "presentation", problem }], "verify(token, presentation): invalid presentation");
  }
  const issues = new OptionsIssues();
  for (const key of Object.keys(presentation)) {
    if (!PRESENTATION_FIELDS.has(key))
      issues.add(key, `is not a presentation field; the fields are ${[...PRESENTATION_FIELDS].join(", ")}`);
  }
  const { certificateThumbprint, acceptBoundTokenWithoutCertificate } = presentation as Record<string, unknown>;
  if (
    certificateThumbprint !== undefined &&
    (typeof certificateThumbprint !== "string" || !THUMBPRINT_PATTERN.test(certificateThumbprint))
  ) {
    issues.add(
      "certificateThumbprint",
      "must be the base64url SHA-256 of the certificate's DER (43 characters; thumbprintOfFingerprint converts Cloudflare's hex)",
    );
  }
  if (acceptBoundTokenWithoutCertificate !== undefined && typeof acceptBoundTokenWithoutCertificate !== "boolean") {
    issues.add("acceptBoundTokenWithoutCertificate", "must be true or false");
  }
  issues.throwIfAny("invalid presentation");
  return presentation as CertificatePresentation;
}

/** Reads `cnf`; a `cnf` the verifier cannot check is refused rather than treated as absent. */
export function certificateBinding(payload: Readonly<Record<string, unknown>>): CertificateBinding {
  if (!Object.hasOwn(payload, "cnf")) return { bound: false };
  const cnf = payload.cnf;
  if (typeof cnf !== "object" || cnf === null || Array.isArray(cnf)) {
    throw new TokenClaimsError('the token\'s "cnf" claim must be an object (RFC 7800)');
  }
  if (!Object.hasOwn(cnf, CERTIFICATE_THUMBPRINT_MEMBER)) {
    throw new TokenClaimsError(
      `the token's "cnf" binds it by a method this verifier cannot check; only ${CERTIFICATE_THUMBPRINT_MEMBER} (RFC 8705) is supported`,
    );
  }
  const thumbprint = (cnf as Record<string, unknown>)[CERTIFICATE_THUMBPRINT_MEMBER];
  if (typeof thumbprint !== "string" || !THUMBPRINT_PATTERN.test(thumbprint)) {
    throw new TokenClaimsError(
      `the token's "cnf.${CERTIFICATE_THUMBPRINT_MEMBER}" must be a base64url SHA-256 thumbprint (43 characters)`,
    );
  }
  return { bound: true, thumbprint };
}

/** Throws unless the token's binding is satisfied by what the request presented. */
export function checkCertificateBinding(
  payload: Readonly<Record<string, unknown>>,
  presentation: CertificatePresentation,
): CertificateBinding {
  const binding = certificateBinding(payload);
  if (!binding.bound) return binding;
  const presented = presentation.certificateThumbprint;
  if (presented === undefined) {
    if (presentation.acceptBoundTokenWithoutCertificate === true) return binding;
    throw new TokenCertificateRequiredError(
      "the token is bound to a client certificate (cnf x5t#S256, RFC 8705) and the request presented no verified certificate; " +
        "send it over mTLS with that certificate",
    );
  }
  if (!sameThumbprint(presented, binding.thumbprint)) {
    throw new TokenCertificateMismatchError(
      "the token is bound to another client certificate than the one the request presented",
    );
  }
  return binding;
}

/**
 * Cloudflare's `tlsClientAuth.certFingerprintSHA256` (the SHA-256 of the DER, 64 hex digits) as
 * the `x5t#S256` a token carries; undefined when it is not such a digest.
 */
export function thumbprintOfFingerprint(hex: unknown): string | undefined {
  if (typeof hex !== "string" || !/^[0-9A-Fa-f]{64}$/.test(hex)) return undefined;
  const bytes = new Uint8Array(32);
  for (let i = 0; i < 32; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return encodeBase64url(bytes);
}

/** Compares every character, so the time taken does not say how much of a guess was right. */
function sameThumbprint(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}
