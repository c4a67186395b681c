// The stack's certificate authority: from one secret seed (kept in Pulumi state) and the clock, the
// CA certificates origins trust and, per workload with mTLS enabled, the current window's client
// certificate and the earlier ones still valid. Pure apart from the clock it is handed: the Pulumi
// program, the local stack and the tests run it.

import type { MtlsSettings, WorkloadConfig, WorkloadMtlsSettings } from "../config/types.js";
import { type Certificate, type DistinguishedName, issueCertificate } from "./certificate.js";
import { type DerivedKeyPair, deriveBytes, deriveKeyPair } from "./keys.js";
import { issuingCaWindow, liveWindows, trustedCaWindows, type ValidityWindow } from "./renewal.js";

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
  /** The renewal window the certificate was issued for (its index names the Cloudflare resource). */
  readonly window: ValidityWindow;
}

export interface StackCertificates {
  /** The CA certificates origins trust (previous while its certificates live, current, next), PEM. */
  readonly caBundlePem: string;
  readonly authorities: readonly AuthorityCertificate[];
  /** By workload name: the current window's certificate of each workload with mTLS enabled. */
  readonly workloads: Readonly<Record<string, WorkloadCertificate>>;
  /**
   * By workload name: the earlier windows' certificates that are still valid, oldest first (empty
   * when none is). They stay uploaded: a workload deployed with wrangler presents one until it is
   * redeployed with the current certificate's id.
   */
  readonly previous: Readonly<Record<string, readonly WorkloadCertificate[]>>;
  /** By workload name: the certificate's `x5t#S256`, built into the issuer's runtime config. */
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
  const previous: Record<string, WorkloadCertificate[]> = {};
  const thumbprints: Record<string, string> = {};
  for (const workload of input.workloads) {
    if (workload.mtls === undefined) continue;
    const mtls = workload.mtls;
    // Each window's certificate is the one its own window issued: same seed, same bytes.
    const live = liveWindows(mtls.validityDays, input.nowMs).map((window) =>
      workloadCertificate(
        input.seed,
        input.accountId,
        authority(issuingCaWindow(input.mtls.caValidityDays, window)),
        { ...workload, mtls },
        window,
      ),
    );
    const current = live.pop()!;
    workloads[workload.name] = current;
    previous[workload.name] = live;
    // Tokens are bound to the current certificate: the one Pulumi-managed scripts bind from now on.
    thumbprints[workload.name] = current.thumbprint;
  }
  return {
    caBundlePem: trusted.map((ca) => ca.pem).join(""),
    authorities: trusted,
    workloads,
    previous,
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
  const name = {
    organization: CERTIFICATE_ORGANIZATION,
    organizationalUnit: accountId,
    commonName: `mTLS CA ${window.index}`,
  };
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
    window,
  };
}

/** 16 derived bytes, positive (top bit clear) and of full length. */
function serialNumber(seed: Uint8Array, label: string): Uint8Array {
  const bytes = deriveBytes(seed, `serial/${label}`, SERIAL_BYTES);
  bytes[0] = (bytes[0]! & 0x7f) | 0x40;
  return bytes;
}
