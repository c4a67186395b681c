// For the fakes' own tests: an mTLS certificate upload (a client certificate and its key), valid
// from NOW for ten days, so a test can delete it before or after its notAfter.

import { issueCertificate } from "../../../worker/mtls-ca/certificate.js";
import { deriveKeyPair } from "../../../worker/mtls-ca/keys.js";
import type { Properties } from "./model.js";
import { NOW } from "./register.js";

export const DAY_MS = 86_400_000;

/** The inputs of an MtlsCertificate named `name`: a client certificate valid NOW to NOW + 10 days. */
export function certificateUpload(label: string, seedByte: number, serialByte: number, name: string): Properties {
  const key = deriveKeyPair(new Uint8Array(32).fill(seedByte), label);
  const certificates = issueCertificate({
    serialNumber: new Uint8Array(16).fill(serialByte),
    subject: { organization: "t", commonName: "c" },
    subjectKey: key,
    notBefore: new Date(NOW),
    notAfter: new Date(NOW + 10 * DAY_MS),
    kind: "client",
    uri: "spiffe://t/c",
  }).pem;
  return {
    accountId: "0123456789abcdef0123456789abcdef",
    ca: false,
    name,
    certificates,
    privateKey: key.privateKeyPem,
  };
}
