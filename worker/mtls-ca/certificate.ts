// X.509 v3 certificates (RFC 5280) of the stack's CA and its workloads, shaped as SPIFFE X.509-SVIDs:
// a CA with basicConstraints cA (path length 0), keyCertSign and the trust domain's SPIFFE ID; a
// workload certificate with cA false, digitalSignature, clientAuth, and exactly one URI SAN (the
// workload's SPIFFE ID). ECDSA P-256 with SHA-256 throughout. (A `server` certificate, for an
// IP address, serves tests and local origins: the stack issues none.)

import { X509Certificate } from "node:crypto";
import { certificateThumbprint } from "../mtls/node-client-certificate.js";
import * as der from "./der.js";
import type { DerivedKeyPair } from "./keys.js";

const OID = {
  ecdsaWithSha256: "1.2.840.10045.4.3.2",
  organization: "2.5.4.10",
  organizationalUnit: "2.5.4.11",
  commonName: "2.5.4.3",
  subjectKeyIdentifier: "2.5.29.14",
  keyUsage: "2.5.29.15",
  subjectAltName: "2.5.29.17",
  basicConstraints: "2.5.29.19",
  authorityKeyIdentifier: "2.5.29.35",
  extKeyUsage: "2.5.29.37",
  clientAuth: "1.3.6.1.5.5.7.3.2",
  serverAuth: "1.3.6.1.5.5.7.3.1",
} as const;

/** keyUsage bits (RFC 5280 §4.2.1.3). */
const KEY_USAGE = { digitalSignature: 0, keyCertSign: 5, cRLSign: 6 } as const;
/** GeneralName uniformResourceIdentifier: [6] IA5String; iPAddress: [7] OCTET STRING. */
const URI_NAME_TAG = 6;
const IP_NAME_TAG = 7;

/** A distinguished name, most significant attribute first. */
export interface DistinguishedName {
  readonly organization: string;
  readonly organizationalUnit?: string;
  readonly commonName: string;
}

export interface CertificateSpec {
  /** Positive, at most 20 bytes (RFC 5280 §4.1.2.2). */
  readonly serialNumber: Uint8Array;
  readonly subject: DistinguishedName;
  /** The key the certificate certifies. */
  readonly subjectKey: DerivedKeyPair;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** A CA certificate (may sign certificates, not connections), a workload's client certificate, or a server's. */
  readonly kind: "ca" | "client" | "server";
  /** The one SAN: a SPIFFE ID (URI), or a server's IPv4 address. */
  readonly uri: string;
  /** Absent: self-signed. */
  readonly issuer?: { readonly name: DistinguishedName; readonly key: DerivedKeyPair };
}

export interface Certificate {
  readonly der: Uint8Array;
  readonly pem: string;
  /** RFC 8705 `x5t#S256`: base64url of SHA-256 over the DER. */
  readonly thumbprint: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Hex, as node:crypto's X509Certificate prints it. */
  readonly serialNumber: string;
}

export function issueCertificate(spec: CertificateSpec): Certificate {
  if (spec.serialNumber.length === 0 || spec.serialNumber.length > 20 || (spec.serialNumber[0]! & 0x80) !== 0) {
    throw new RangeError("serialNumber: 1 to 20 bytes, positive");
  }
  const issuerName = spec.issuer?.name ?? spec.subject;
  const issuerKey = spec.issuer?.key ?? spec.subjectKey;
  const algorithm = der.sequence(der.oid(OID.ecdsaWithSha256));
  const tbs = der.sequence(
    der.explicit(0, der.integer(2)), // v3
    der.integer(spec.serialNumber),
    algorithm,
    name(issuerName),
    der.sequence(der.time(spec.notBefore), der.time(spec.notAfter)),
    name(spec.subject),
    spec.subjectKey.spki,
    der.explicit(3, der.sequence(...extensions(spec, issuerKey))),
  );
  const certificateDer = der.sequence(tbs, algorithm, der.bitString(issuerKey.sign(tbs)));
  const parsed = new X509Certificate(certificateDer);
  // Our own encoder checked by OpenSSL: a certificate that does not verify is never handed out.
  if (!parsed.verify(issuerKey.publicKey)) throw new Error("issueCertificate: the signature does not verify");
  return {
    der: certificateDer,
    pem: der.pem("CERTIFICATE", certificateDer),
    thumbprint: certificateThumbprint(certificateDer),
    notBefore: spec.notBefore,
    notAfter: spec.notAfter,
    serialNumber: parsed.serialNumber,
  };
}

function name(dn: DistinguishedName): Uint8Array {
  const attribute = (type: string, value: string) => der.set(der.sequence(der.oid(type), der.utf8String(value)));
  return der.sequence(
    attribute(OID.organization, dn.organization),
    ...(dn.organizationalUnit === undefined ? [] : [attribute(OID.organizationalUnit, dn.organizationalUnit)]),
    attribute(OID.commonName, dn.commonName),
  );
}

function extension(id: string, critical: boolean, value: Uint8Array): Uint8Array {
  return der.sequence(der.oid(id), ...(critical ? [der.boolean(true)] : []), der.octetString(value));
}

function extensions(spec: CertificateSpec, issuerKey: DerivedKeyPair): Uint8Array[] {
  const ca = spec.kind === "ca";
  const san =
    spec.kind === "server"
      ? der.implicitPrimitive(IP_NAME_TAG, Uint8Array.from(spec.uri.split(".").map(Number)))
      : der.implicitPrimitive(URI_NAME_TAG, new TextEncoder().encode(spec.uri));
  const purpose = spec.kind === "server" ? OID.serverAuth : OID.clientAuth;
  return [
    extension(OID.basicConstraints, true, ca ? der.sequence(der.boolean(true), der.integer(0)) : der.sequence()),
    extension(
      OID.keyUsage,
      true,
      der.namedBits(ca ? [KEY_USAGE.keyCertSign, KEY_USAGE.cRLSign] : [KEY_USAGE.digitalSignature]),
    ),
    ...(ca ? [] : [extension(OID.extKeyUsage, false, der.sequence(der.oid(purpose)))]),
    extension(OID.subjectAltName, false, der.sequence(san)),
    extension(OID.subjectKeyIdentifier, false, der.octetString(spec.subjectKey.keyId)),
    extension(OID.authorityKeyIdentifier, false, der.sequence(der.implicitPrimitive(0, issuerKey.keyId))),
  ];
}
