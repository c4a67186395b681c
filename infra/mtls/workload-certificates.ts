// The stack's mTLS certificates on Cloudflare: one secret seed kept in Pulumi state (the only thing
// persisted), from which authority.ts computes the CA bundle and every workload's certificate for
// the current renewal window; each workload certificate is uploaded as a Cloudflare mTLS
// certificate for the workload's `mtls_certificate` binding. Re-running `pulumi up` within a
// window computes the same bytes (no change); the first run in the next window renews.

import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { StackConfig } from "../../worker/config/types.js";
import { issueStackCertificates, type StackCertificates } from "./authority.js";
import { MIN_SEED_BYTES } from "./keys.js";
import { MTLS_BINDING_NAME, mtlsBindingFor, type MtlsCertificateBinding, wranglerMtlsSnippet } from "./bindings.js";

export interface WorkloadCertificatesArgs {
  /** A validated config with `mtls` set. */
  readonly config: StackConfig;
  /** The clock, ms since the epoch; default now. Tests move it to cross renewal windows. */
  readonly nowMs?: number;
}

export interface WorkloadCertificateOutputs {
  /** The certificate's URI SAN. */
  readonly spiffeId: string;
  /** The Cloudflare mTLS certificate id the workload binds. */
  readonly certificateId: pulumi.Output<string>;
  /** `x5t#S256` of the certificate: the `cnf` of the workload's tokens. */
  readonly thumbprint: pulumi.Output<string>;
  /** ISO 8601. */
  readonly notAfter: pulumi.Output<string>;
  /** ISO 8601: the first `pulumi up` from then on renews the certificate. */
  readonly renewsAt: pulumi.Output<string>;
  readonly wranglerBinding: pulumi.Output<string>;
}

export class WorkloadCertificates extends pulumi.ComponentResource {
  /** PEM of the CA certificates origins must trust (previous while still needed, current, next). */
  readonly caBundle: pulumi.Output<string>;
  /** JSON {workload: thumbprint}: the issuer's MTLS_THUMBPRINTS binding. */
  readonly thumbprintsJson: pulumi.Output<string>;
  readonly certificates: Record<string, cloudflare.MtlsCertificate>;
  readonly workloads: Record<string, WorkloadCertificateOutputs>;

  constructor(name: string, args: WorkloadCertificatesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("worker-identity:mtls:WorkloadCertificates", name, {}, opts);
    const { config } = args;
    const mtls = config.mtls;
    if (mtls === undefined) throw new Error("WorkloadCertificates: the stack config has no mtls settings");
    const accountId = config.issuer.accountId;
    const nowMs = args.nowMs ?? Date.now();

    // Never replace (or rename) this resource: a new seed is a new CA that every origin must trust.
    const seed = new random.RandomBytes(`${name}-seed`, { length: MIN_SEED_BYTES }, { parent: this });
    const issued: pulumi.Output<StackCertificates> = seed.base64.apply((base64) =>
      issueStackCertificates({ seed: Buffer.from(base64, "base64"), accountId, mtls, workloads: config.workloads, nowMs }),
    );
    // Everything computed from the seed is secret to Pulumi; only the private keys are.
    const published = pulumi.unsecret(issued.apply((all) => ({
      caBundlePem: all.caBundlePem,
      thumbprints: all.thumbprints,
      workloads: Object.fromEntries(Object.entries(all.workloads).map(([workload, c]) => [workload, {
        chainPem: c.chainPem,
        thumbprint: c.thumbprint,
        notAfter: c.notAfter.toISOString(),
        renewsAt: c.renewsAt.toISOString(),
        label: `wid-${workload}-${c.notBefore.toISOString().slice(0, 10).replaceAll("-", "")}-${c.serialNumber.slice(0, 8).toLowerCase()}`,
      }])),
    })));
    this.caBundle = published.apply((p) => p.caBundlePem);
    this.thumbprintsJson = published.apply((p) => JSON.stringify(p.thumbprints));

    this.certificates = {};
    this.workloads = {};
    for (const workload of config.workloads) {
      if (workload.mtls === undefined) continue;
      const mine = published.apply((p) => {
        const found = p.workloads[workload.name];
        if (found === undefined) throw new Error(`no certificate was issued for workload '${workload.name}'`);
        return found;
      });
      const certificate = new cloudflare.MtlsCertificate(
        `${name}-${workload.name}`,
        {
          accountId,
          ca: false,
          // Unique per certificate: a renewal creates the new one before it deletes the old.
          name: mine.apply((c) => c.label),
          certificates: mine.apply((c) => c.chainPem),
          privateKey: pulumi.secret(issued.apply((all) => all.workloads[workload.name]?.privateKeyPem ?? "")),
        },
        { parent: this },
      );
      this.certificates[workload.name] = certificate;
      this.workloads[workload.name] = {
        spiffeId: workload.mtls.spiffeId,
        certificateId: certificate.id,
        thumbprint: mine.apply((c) => c.thumbprint),
        notAfter: mine.apply((c) => c.notAfter),
        renewsAt: mine.apply((c) => c.renewsAt),
        wranglerBinding: certificate.id.apply((id) => wranglerMtlsSnippet(workload.name, id)),
      };
    }
    this.registerOutputs({ caBundle: this.caBundle, workloads: this.workloads });
  }

  /** The bindings a Pulumi-managed workload script needs to present its certificate. */
  bindingsFor(workload: string, bindingName: string = MTLS_BINDING_NAME): MtlsCertificateBinding[] {
    const certificate = this.certificates[workload];
    if (certificate === undefined) {
      throw new Error(`workload '${workload}' has no client certificate; set workloads.${workload}.mtls.enabled: true in the stack config`);
    }
    return [mtlsBindingFor(certificate.id, bindingName)];
  }
}
