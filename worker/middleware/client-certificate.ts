// The client certificate a request presented at Cloudflare's edge, as the middleware may trust
// it: `request.cf.tlsClientAuth`, which Cloudflare sets when the request came in on a hostname with
// mTLS (see "Client certificate variables" in Cloudflare's SSL docs). Its fields are strings:
//   certPresented "1" | "0"    certVerified "SUCCESS" | "NONE" | "FAILED:<reason>"
//   certRevoked   "1" | "0"    certFingerprintSHA256  hex SHA-256 of the DER (lower case; 64 digits
//                              in the Rules language reference; workers-types' example has 128)
// Only a certificate that was presented, verified against the zone's CA and known not revoked
// counts; anything else is "none", with the reason kept for the log.
//
// Who sets `cf` decides whether it can be believed: Cloudflare's edge, for a request from the
// internet, but the caller itself for a request over a service binding (a Worker's
// `env.MIDDLEWARE.fetch(url, { cf })` arrives with the `cf` it wrote). So `tlsClientAuth` is read
// only where the middleware is told it is reached through its zone alone (`clientCertificates:
// "cloudflare-edge"`, the CLIENT_CERTIFICATES binding); otherwise no certificate is ever seen.

import { thumbprintOfFingerprint } from "@worker-identity/verifier";
import { isRecord } from "../options/is-record.js";

/** Where the middleware learns client certificates: nowhere (default), or Cloudflare's edge. */
export type ClientCertificateSource = "none" | "cloudflare-edge";

export const CLIENT_CERTIFICATE_SOURCES: readonly ClientCertificateSource[] = ["none", "cloudflare-edge"];

export type PresentedCertificate =
  | { readonly kind: "verified"; readonly thumbprint: string }
  | { readonly kind: "none"; readonly reason: string };

/** What `request.cf.tlsClientAuth` says of the client certificate, when `source` lets it be read. */
export function presentedCertificate(request: Request, source: ClientCertificateSource): PresentedCertificate {
  if (source === "none") {
    return {
      kind: "none",
      reason: 'this middleware reads no client certificate (clientCertificates is not "cloudflare-edge")',
    };
  }
  const cf = (request as { cf?: unknown }).cf;
  const auth = isRecord(cf) ? cf.tlsClientAuth : undefined;
  if (!isRecord(auth))
    return { kind: "none", reason: "the request carries no client certificate information (no mTLS on this hostname)" };
  if (auth.certPresented !== "1") return { kind: "none", reason: "no client certificate was presented" };
  if (auth.certVerified !== "SUCCESS") {
    const verdict = typeof auth.certVerified === "string" ? auth.certVerified.slice(0, 200) : "absent";
    return {
      kind: "none",
      reason: `the client certificate was not verified (certVerified ${JSON.stringify(verdict)})`,
    };
  }
  if (auth.certRevoked !== "0")
    return { kind: "none", reason: "the client certificate is revoked, or its revocation status is unknown" };
  const thumbprint = thumbprintOfFingerprint(auth.certFingerprintSHA256);
  if (thumbprint === undefined) return { kind: "none", reason: "certFingerprintSHA256 is not a SHA-256 digest" };
  return { kind: "verified", thumbprint };
}
