// The local stack's workload certificates: the same certificate authority code `pulumi up` runs
// (worker/mtls-ca), seeded from the local key-encryption key so a restart keeps the certificates,
// and their thumbprints built into the issuer's runtime config, as the Pulumi program does.
// (Miniflare has no mTLS binding: locally the certificates serve Node origins and tests.)

import { createHash } from "node:crypto";
import type { StackConfig } from "../config/types.js";
import { issueStackCertificates, type StackCertificates } from "../mtls-ca/authority.js";

/** A seed for the local CA: derived from the local key-encryption key, or a fixed development one. */
export function localMtlsSeed(keyEncryptionKey: string | undefined): Uint8Array {
  return createHash("sha256")
    .update(`worker-identity local mTLS seed\0${keyEncryptionKey ?? "development"}`)
    .digest();
}

/** The stack's certificates at `nowMs`, or undefined when no workload has mTLS. */
export function localWorkloadCertificates(
  config: StackConfig,
  seed: Uint8Array,
  nowMs: number,
): StackCertificates | undefined {
  if (config.mtls === undefined || !config.workloads.some((w) => w.mtls !== undefined)) return undefined;
  return issueStackCertificates({
    seed,
    accountId: config.issuer.accountId,
    mtls: config.mtls,
    workloads: config.workloads,
    nowMs,
  });
}
