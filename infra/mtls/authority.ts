// The stack's certificate authority: from one secret seed (kept in Pulumi state) and the clock, the
// CA certificates origins trust and one client certificate per workload with mTLS enabled. Pure
// apart from the clock it is handed: the Pulumi program, the local stack and the tests run it.

import type { MtlsSettings, WorkloadConfig, WorkloadMtlsSettings } from "../../worker/config/types.js";
import { type Certificate, type DistinguishedName, issueCertificate } from "./certificate.js";
import { type DerivedKeyPair, deriveBytes, deriveKeyPair } from "./keys.js";
import { currentWindow, issuingCaWindow, trustedCaWindows, type ValidityWindow } from "./renewal.js";

/** The organization every certificate of the stack names. */
export const CERTIFICATE_ORGANIZATION = "worker-identity";
const SERIAL_BYTES = 16;

export interface AuthorityCertificate extends Certificate {
  readonly window: ValidityWindow;
  readonly name: DistinguishedName;
  readonly key: DerivedKeyPair;
}

export interface WorkloadCertificate extends Certificate {
  readonly workload: string;
  readonly spiffeId: string;
  /** PKCS#8 PEM. Secret. */
  readonly privateKeyPem: string;
  /** The certificate, then the CA that signed it: what is uploaded to Cloudflare. */
  readonly chainPem: string;
  /** The first `pulumi up` from then on issues the next certificate. */
  readonly renewsAt: Date;
}

export interface StackCertificates {
  /** The CA certificates origins trust (previous while its certificates live, current, next), PEM. */
  readonly caBundlePem: string;
  readonly authorities: readonly AuthorityCertificate[];
  /** By workload name: the workloads with mTLS enabled. */
  readonly workloads: Readonly<Record<string, WorkloadCertificate>>;
  /** By workload name: the certificate's `x5t#S256`, for the issuer's MTLS_THUMBPRINTS binding. */
  readonly thumbprints: Readonly<Record<string, string>>;
}

export interface StackCertificatesInput {
  /** At least 32 secret bytes; the same seed gives the same certificates in the same windows. */
  readonly seed: Uint8Array;
  readonly accountId: string;
  readonly mtls: MtlsSettings;
  readonly workloads: readonly WorkloadConfig[];
  readonly nowMs: number;
}

export function issueStackCertificates(input: StackCertificatesInput): StackCertificates {
  const authorities = new Map<number, AuthorityCertificate>();
  const authority = (window: ValidityWindow): AuthorityCertificate => {
    let ca = authorities.get(window.index);
    if (ca === undefined) {
      ca = certificateAuthority(input.seed, input.accountId, input.mtls, window);
      authorities.set(window.index, ca);
    }
    return ca;
  };
  const trusted = trustedCaWindows(input.mtls.caValidityDays, input.nowMs).map(authority);
  const workloads: Record<string, WorkloadCertificate> = {};
  const thumbprints: Record<string, string> = {};
  for (const workload of input.workloads) {
    if (workload.mtls === undefined) continue;
    const window = currentWindow(workload.mtls.validityDays, input.nowMs);
    const ca = authority(issuingCaWindow(input.mtls.caValidityDays, window));
    const certificate = workloadCertificate(input.seed, input.accountId, ca, { ...workload, mtls: workload.mtls }, window);
    workloads[workload.name] = certificate;
    thumbprints[workload.name] = certificate.thumbprint;
  }
  return {
    caBundlePem: trusted.map((ca) => ca.pem).join(""),
    authorities: trusted,
    workloads,
    thumbprints,
  };
}

/** The CA of CA window `window`: its key and certificate depend on nothing else but the seed. */
export function certificateAuthority(
  seed: Uint8Array,
  accountId: string,
  mtls: MtlsSettings,
  window: ValidityWindow,
): AuthorityCertificate {
  const label = `ca/${mtls.trustDomain}/${mtls.caValidityDays}/${window.index}`;
  const key = deriveKeyPair(seed, label);
  const name = { organization: CERTIFICATE_ORGANIZATION, organizationalUnit: accountId, commonName: `mTLS CA ${window.index}` };
  const certificate = issueCertificate({
    serialNumber: serialNumber(seed, label),
    subject: name,
    subjectKey: key,
    notBefore: window.notBefore,
    notAfter: window.notAfter,
    kind: "ca",
    uri: `spiffe://${mtls.trustDomain}`,
  });
  return { ...certificate, window, name, key };
}

/** A workload's client certificate for `window`, signed by `ca`. */
export function workloadCertificate(
  seed: Uint8Array,
  accountId: string,
  ca: AuthorityCertificate,
  workload: Pick<WorkloadConfig, "name"> & { readonly mtls: WorkloadMtlsSettings },
  window: ValidityWindow,
  validity: Pick<ValidityWindow, "notBefore" | "notAfter"> = window,
): WorkloadCertificate {
  const label = `client/${workload.mtls.spiffeId}/${workload.mtls.validityDays}/${window.index}/ca-${ca.window.index}`;
  const key = deriveKeyPair(seed, label);
  const certificate = issueCertificate({
    serialNumber: serialNumber(seed, label),
    subject: { organization: CERTIFICATE_ORGANIZATION, organizationalUnit: accountId, commonName: workload.name },
    subjectKey: key,
    notBefore: validity.notBefore,
    notAfter: validity.notAfter,
    kind: "client",
    uri: workload.mtls.spiffeId,
    issuer: { name: ca.name, key: ca.key },
  });
  return {
    ...certificate,
    workload: workload.name,
    spiffeId: workload.mtls.spiffeId,
    privateKeyPem: key.privateKeyPem,
    chainPem: certificate.pem + ca.pem,
    renewsAt: window.renewsAt,
  };
}

/** 16 derived bytes, positive (top bit clear) and of full length. */
function serialNumber(seed: Uint8Array, label: string): Uint8Array {
  const bytes = deriveBytes(seed, `serial/${label}`, SERIAL_BYTES);
  bytes[0] = (bytes[0]! & 0x7f) | 0x40;
  return bytes;
}
