// Certificate-bound tokens (RFC 8705 §3), the issuer's side: a workload with mTLS enabled gets
// `cnf: {"x5t#S256": …}` in every token. The thumbprint is in the workload's entry of the
// issuer's runtime config (worker/runtime-config), which the Pulumi program (and the local
// stack) computes from the certificates it issued before it builds the bundle; a workload with
// mTLS and no certificate is refused at build time, never handed an unbound token. What a
// relying party does with the claim is worker/verification/certificate-binding.ts.

import { CERTIFICATE_THUMBPRINT_MEMBER } from "@worker-identity/verifier";

export { CERTIFICATE_THUMBPRINT_MEMBER, THUMBPRINT_PATTERN } from "@worker-identity/verifier";

/** The `cnf` member of a certificate-bound token. */
export interface ConfirmationClaim {
  readonly [CERTIFICATE_THUMBPRINT_MEMBER]: string;
}

export function confirmationClaim(thumbprint: string): ConfirmationClaim {
  return { [CERTIFICATE_THUMBPRINT_MEMBER]: thumbprint };
}
