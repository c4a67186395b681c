// Certificate-bound tokens (RFC 8705 §3): a workload with mTLS enabled gets
// `cnf: {"x5t#S256": …}` in every token. The thumbprint is in the workload's entry of the
// issuer's runtime config (worker/runtime-config), which the Pulumi program (and the local
// stack) computes from the certificates it issued before it builds the bundle; a workload with
// mTLS and no certificate is refused at build time, never handed an unbound token.

/** The `cnf` member of a certificate-bound token. */
export const CERTIFICATE_THUMBPRINT_MEMBER = "x5t#S256";

/** base64url (no padding) of a SHA-256 digest: 43 characters. */
export const THUMBPRINT_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export interface ConfirmationClaim {
  readonly [CERTIFICATE_THUMBPRINT_MEMBER]: string;
}

export function confirmationClaim(thumbprint: string): ConfirmationClaim {
  return { [CERTIFICATE_THUMBPRINT_MEMBER]: thumbprint };
}
