// The stack's mTLS certificates on Cloudflare: one secret seed kept in Pulumi state (the only thing
// persisted), from which authority.ts computes the CA bundle and every workload's certificates;
// each is uploaded as a Cloudflare mTLS certificate, one resource per renewal window
// (certificate-resources.ts). Re-running `pulumi up` within a window computes the same bytes (no
// change); the first run in the next window adds the next certificate, binds it, and keeps the
// previous one until its notAfter, for the wrangler-deployed workloads that still name its id.

import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { StackConfig } from "../../worker/config/types.js";
import {
  issueStackCertificates,
  type StackCertificates,
  type WorkloadCertificate,
} from "../../worker/mtls-ca/authority.js";
import { MIN_SEED_BYTES } from "../../worker/mtls-ca/keys.js";
import { MTLS_BINDING_NAME, type MtlsCertificateBinding, mtlsBindingFor, wranglerMtlsSnippet } from "./bindings.js";
import { certificateResources } from "./certificate-resources.js";

export interface WorkloadCertificatesArgs {
  /** A validated config with `mtls` set. */
  readonly config: StackConfig;
  /** The clock, ms since the epoch; default now. Tests move it to cross renewal windows. */
  readonly nowMs?: number;
}

/** A certificate of an earlier window, still valid: wrangler workloads not yet redeployed present it. */
export interface PreviousCertificateOutputs {
  readonly certificateId: string;
  /** Its `x5t#S256`: tokens carry the current one, so an origin checking `cnf` refuses this one. */
  readonly thumbprint: string;
  /** ISO 8601: redeploy with `wranglerBinding` before this, or the workload's mTLS calls fail. */
  readonly notAfter: string;
}

export interface WorkloadCertificateOutputs {
  /** The certificate's URI SAN. */
  readonly spiffeId: string;
  /** The Cloudflare mTLS certificate id the workload binds: the current window's. */
  readonly certificateId: pulumi.Output<string>;
  /** `x5t#S256` of the certificate: the `cnf` of the workload's tokens. */
  readonly thumbprint: pulumi.Output<string>;
  /** ISO 8601. */
  readonly notAfter: pulumi.Output<string>;
  /** ISO 8601: the first `pulumi up` from then on renews the certificate. */
  readonly renewsAt: pulumi.Output<string>;
  readonly wranglerBinding: pulumi.Output<string>;
  /** Earlier certificates still uploaded, oldest first; each is deleted by the first `pulumi up` after its notAfter. */
  readonly previous: pulumi.Output<readonly PreviousCertificateOutputs[]>;
}

/** What the program publishes of one certificate (everything but the key). */
interface PublishedCertificate {
  readonly chainPem: string;
  readonly thumbprint: string;
  readonly notAfter: string;
  readonly renewsAt: string;
  readonly label: string;
}

export class WorkloadCertificates extends pulumi.ComponentResource {
  /** PEM of the CA certificates origins must trust (previous while still needed, current, next). */
  readonly caBundle: pulumi.Output<string>;
  /** {workload: x5t#S256} of the current certificates: built into the issuer's runtime config (their tokens carry `cnf`). */
  readonly thumbprints: pulumi.Output<Readonly<Record<string, string>>>;
  /** By workload: the current window's certificate. */
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
      issueStackCertificates({
        seed: Buffer.from(base64, "base64"),
        accountId,
        mtls,
        workloads: config.workloads,
        nowMs,
      }),
    );
    // Everything computed from the seed is secret to Pulumi; only the private keys are.
    const published = pulumi.unsecret(
      issued.apply((all) => ({
        caBundlePem: all.caBundlePem,
        thumbprints: all.thumbprints,
        windows: Object.fromEntries(
          Object.keys(all.workloads).map((workload) => [
            workload,
            Object.fromEntries(byWindow(all, workload).map((c) => [c.window.index, publish(workload, c)])),
          ]),
        ) as Record<string, Record<number, PublishedCertificate>>,
      })),
    );
    this.caBundle = published.apply((p) => p.caBundlePem);
    this.thumbprints = published.apply((p) => p.thumbprints);

    this.certificates = {};
    this.workloads = {};
    for (const workload of config.workloads) {
      if (workload.mtls === undefined) continue;
      // Names and windows come from the clock alone, so the program declares them before the seed is known.
      const declared = certificateResources(name, workload.name, workload.mtls.validityDays, nowMs).map((resource) => {
        const mine = published.apply((p) => {
          const found = p.windows[workload.name]?.[resource.window.index];
          if (found === undefined)
            throw new Error(
              `no certificate was issued for workload '${workload.name}' in window ${resource.window.index}`,
            );
          return found;
        });
        const certificate = new cloudflare.MtlsCertificate(
          resource.name,
          {
            accountId,
            ca: false,
            // Unique per certificate, for people reading the dashboard.
            name: mine.apply((c) => c.label),
            certificates: mine.apply((c) => c.chainPem),
            privateKey: pulumi.secret(
              issued.apply(
                (all) =>
                  byWindow(all, workload.name).find((c) => c.window.index === resource.window.index)?.privateKeyPem ??
                  "",
              ),
            ),
          },
          { parent: this, aliases: resource.aliases.map((alias) => ({ name: alias })) },
        );
        return { certificate, mine, resource };
      });
      const current = declared.at(-1)!;
      const earlier = declared.slice(0, -1);
      this.certificates[workload.name] = current.certificate;
      this.workloads[workload.name] = {
        spiffeId: workload.mtls.spiffeId,
        certificateId: current.certificate.id,
        thumbprint: current.mine.apply((c) => c.thumbprint),
        notAfter: current.mine.apply((c) => c.notAfter),
        renewsAt: current.mine.apply((c) => c.renewsAt),
        wranglerBinding: current.certificate.id.apply((id) => wranglerMtlsSnippet(workload.name, id)),
        previous: pulumi.all(
          earlier.map(({ certificate, mine }) =>
            pulumi
              .all([certificate.id, mine])
              .apply(([certificateId, c]) => ({ certificateId, thumbprint: c.thumbprint, notAfter: c.notAfter })),
          ),
        ),
      };
    }
    this.registerOutputs({ caBundle: this.caBundle, workloads: this.workloads });
  }

  /** The bindings a Pulumi-managed workload script needs to present its certificate. */
  bindingsFor(workload: string, bindingName: string = MTLS_BINDING_NAME): MtlsCertificateBinding[] {
    const certificate = this.certificates[workload];
    if (certificate === undefined) {
      throw new Error(
        `workload '${workload}' has no client certificate; set workloads.${workload}.mtls.enabled: true in the stack config`,
      );
    }
    return [mtlsBindingFor(certificate.id, bindingName)];
  }
}

/** A workload's live certificates, oldest first, the current one last. */
function byWindow(all: StackCertificates, workload: string): WorkloadCertificate[] {
  const current = all.workloads[workload];
  return current === undefined ? [] : [...(all.previous[workload] ?? []), current];
}

function publish(workload: string, c: WorkloadCertificate): PublishedCertificate {
  return {
    chainPem: c.chainPem,
    thumbprint: c.thumbprint,
    notAfter: c.notAfter.toISOString(),
    renewsAt: c.renewsAt.toISOString(),
    label: `wid-${workload}-${c.notBefore.toISOString().slice(0, 10).replaceAll("-", "")}-${c.serialNumber.slice(0, 8).toLowerCase()}`,
  };
}
