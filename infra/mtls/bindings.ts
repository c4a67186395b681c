// How a workload presents its certificate: an `mtls_certificate` binding to the Cloudflare mTLS
// certificate the stack uploaded for it (`env.MTLS.fetch(url)` sends the certificate to the
// origin). Pure: used for stack outputs and by Pulumi-managed workload scripts.

import type * as pulumi from "@pulumi/pulumi";

/** The binding name workload code uses: `env.MTLS.fetch(request)`. */
export const MTLS_BINDING_NAME = "MTLS";

/** One entry of a `cloudflare.WorkersScript`'s `bindings`. */
export interface MtlsCertificateBinding {
  readonly type: "mtls_certificate";
  readonly name: string;
  readonly certificateId: pulumi.Input<string>;
}

export function mtlsBindingFor(
  certificateId: pulumi.Input<string>,
  bindingName: string = MTLS_BINDING_NAME,
): MtlsCertificateBinding {
  return { type: "mtls_certificate", name: bindingName, certificateId };
}

/** The same binding for a workload deployed with wrangler (wrangler.toml). */
export function wranglerMtlsSnippet(
  workload: string,
  certificateId: string,
  bindingName: string = MTLS_BINDING_NAME,
): string {
  return [
    `# wrangler.toml of the Worker "${workload}": its client certificate (renewed by pulumi up: redeploy with the new id)`,
    "[[mtls_certificates]]",
    `binding = "${bindingName}"`,
    `certificate_id = "${certificateId}"`,
    "",
  ].join("\n");
}
