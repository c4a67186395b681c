// The client certificate a request presented at Cloudflare's edge, as the middleware may trust
// it: `request.cf.tlsClientAuth` (set by Cloudflare when the hostname has mTLS enabled; see
// "Client certificate variables" in Cloudflare's SSL docs). Its fields are strings:
//   certPresented "1" | "0"    certVerified "SUCCESS" | "NONE" | "FAILED:<reason>"
//   certRevoked   "1" | "0"    certFingerprintSHA256  hex SHA-256 of the DER (lower case)
// Only a certificate that was presented, verified against the zone's CA and not revoked counts;
// anything else is "none", with the reason kept for the log. A client cannot forge `cf`: it is
// set by the runtime, never read from request headers.

import { thumbprintOfFingerprint } from "../verification/index.js";

export type PresentedCertificate =
  | { readonly kind: "verified"; readonly thumbprint: string }
  | { readonly kind: "none"; readonly reason: string };

/** What `request.cf.tlsClientAuth` says of the client certificate. */
export function presentedCertificate(request: Request): PresentedCertificate {
  const cf = (request as { cf?: unknown }).cf;
  const auth = isRecord(cf) ? cf.tlsClientAuth : undefined;
  if (!isRecord(auth)) return { kind: "none", reason: "the request carries no client certificate information (no mTLS on this hostname)" };
  if (auth.certPresented !== "1") return { kind: "none", reason: "no client certificate was presented" };
  if (auth.certVerified !== "SUCCESS") {
    const verdict = typeof auth.certVerified === "string" ? auth.certVerified.slice(0, 200) : "absent";
    return { kind: "none", reason: `the client certificate was not verified (certVerified ${JSON.stringify(verdict)})` };
  }
  if (auth.certRevoked === "1") return { kind: "none", reason: "the client certificate is revoked" };
  const thumbprint = thumbprintOfFingerprint(auth.certFingerprintSHA256);
  if (thumbprint === undefined) return { kind: "none", reason: "certFingerprintSHA256 is not a SHA-256 digest" };
  return { kind: "verified", thumbprint };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}
