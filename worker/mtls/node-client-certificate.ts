// The client certificate of a TLS connection to a Node origin, judged against the stack's CA
// bundle. The TLS layer runs with `requestCert: true, rejectUnauthorized: false` (nodeOriginTls),
// so a bad certificate reaches us with OpenSSL's verdict (`authorized`, `authorizationError`)
// instead of ending in a TLS alert, and we can answer with a problem+json saying why.
// OpenSSL's chain validation must pass, and the certificate must also be issued by one of the
// bundle's CAs: a server that trusts other CAs too still admits only this stack's workloads.

import { createHash, X509Certificate } from "node:crypto";
import { parseWorkloadSpiffeId, type SpiffeWorkload } from "../config/spiffe.js";

/** What the TLS socket (https, or the socket behind an http2 compatibility request) offers. */
export interface PeerCertificateSocket {
  readonly authorized?: boolean;
  readonly authorizationError?: unknown;
  getPeerX509Certificate?(): X509Certificate | undefined;
}

export type ClientCertificateVerdict =
  | { readonly kind: "absent" }
  | { readonly kind: "expired" | "not-yet-valid" | "untrusted"; readonly reason: string }
  | { readonly kind: "not-a-workload"; readonly reason: string }
  | {
      readonly kind: "workload";
      readonly workload: SpiffeWorkload;
      /** RFC 8705 `x5t#S256` of the presented certificate. */
      readonly thumbprint: string;
      readonly certificate: X509Certificate;
    };

const CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
/** Exactly one SAN, a URI: what the stack's CA issues (Node JSON-quotes entries with odd characters). */
const SINGLE_URI_SAN = /^URI:(spiffe:\/\/[^\s,"]+)$/;

/**
 * RFC 8705 §3.1 `x5t#S256` of a DER certificate: what the issuer binds tokens to (written by the
 * Pulumi program into the issuer's runtime config) and what an origin compares with the client's certificate.
 */
export function certificateThumbprint(certificateDer: Uint8Array): string {
  return createHash("sha256").update(certificateDer).digest("base64url");
}

/** Parses a PEM bundle into its certificates. */
export function parseCertificateBundle(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((block) => new X509Certificate(block));
}

export function clientCertificateOf(
  socket: unknown,
  authorities: readonly X509Certificate[],
  nowMs: number,
): ClientCertificateVerdict {
  const tls = socket as PeerCertificateSocket | null | undefined;
  const certificate = typeof tls?.getPeerX509Certificate === "function" ? tls.getPeerX509Certificate() : undefined;
  if (certificate === undefined) return { kind: "absent" };
  if (tls?.authorized !== true) {
    const code = String(tls?.authorizationError ?? "not verified");
    if (code === "CERT_HAS_EXPIRED") return { kind: "expired", reason: code };
    if (code === "CERT_NOT_YET_VALID") return { kind: "not-yet-valid", reason: code };
    return { kind: "untrusted", reason: code };
  }
  const issuer = authorities.find((ca) => certificate.checkIssued(ca) && certificate.verify(ca.publicKey));
  if (issuer === undefined) return { kind: "untrusted", reason: "not issued by a CA of the bundle" };
  for (const [which, cert] of [
    ["certificate", certificate],
    ["its CA", issuer],
  ] as const) {
    if (nowMs >= Date.parse(cert.validTo)) return { kind: "expired", reason: `${which} expired` };
    if (nowMs < Date.parse(cert.validFrom)) return { kind: "not-yet-valid", reason: `${which} not yet valid` };
  }
  if (certificate.ca) return { kind: "not-a-workload", reason: "a CA certificate" };
  if (certificate.keyUsage !== undefined && !certificate.keyUsage.includes(CLIENT_AUTH)) {
    return { kind: "not-a-workload", reason: "no clientAuth extended key usage" };
  }
  const uri = SINGLE_URI_SAN.exec(certificate.subjectAltName ?? "")?.[1];
  const workload = uri === undefined ? undefined : parseWorkloadSpiffeId(uri);
  if (workload === undefined) return { kind: "not-a-workload", reason: "its SAN is not one Worker SPIFFE ID" };
  return { kind: "workload", workload, thumbprint: certificateThumbprint(certificate.raw), certificate };
}
