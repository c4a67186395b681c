// Which Cloudflare mTLS certificate resources a workload has at a moment, and their Pulumi names:
// pure functions of (validity, now). Cloudflare certificates are immutable (every input of
// `cloudflare.MtlsCertificate` forces a replacement), so a renewal is a new resource, named by
// its window, and the previous window's resource stays declared until its certificate expires:
// a Worker deployed with wrangler names the old id until it is redeployed.

import { liveWindows, type ValidityWindow } from "../../worker/mtls-ca/renewal.js";

export interface CertificateResource {
  /** `<component>-<workload>-w<window index>`: the same for every `pulumi up` inside the window. */
  readonly name: string;
  readonly window: ValidityWindow;
  /** The newest certificate: the one bindings, outputs and the issuer's thumbprints name. */
  readonly current: boolean;
  /**
   * Names the resource had before: the current window's resource takes over the single
   * `<component>-<workload>` resource of releases before windowed names (Pulumi looks a resource
   * up by its URN, then by its aliases, and an alias may be claimed by one resource only).
   */
  readonly aliases: readonly string[];
}

/** The name of the single certificate resource releases before windowed names declared. */
function unwindowedCertificateName(component: string, workload: string): string {
  return `${component}-${workload}`;
}

/** The certificate resources of `workload` at `nowMs`, oldest first, the current one last. */
export function certificateResources(
  component: string,
  workload: string,
  validityDays: number,
  nowMs: number,
): CertificateResource[] {
  const windows = liveWindows(validityDays, nowMs);
  return windows.map((window, i) => {
    const current = i === windows.length - 1;
    return {
      name: `${unwindowedCertificateName(component, workload)}-w${window.index}`,
      window,
      current,
      aliases: current ? [unwindowedCertificateName(component, workload)] : [],
    };
  });
}
