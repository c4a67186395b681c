// How a workload reaches the issuer: a service binding to its own per-workload entrypoint.
// The entrypoint names the workload, so the binding is the identity (the Cloudflare provider has
// no `props` on service bindings). Pure: used for stack outputs and by Pulumi-managed workloads.

import type { WorkflowConfig, WorkloadConfig } from "../../worker/config/types.js";

/** The binding name workload code uses: `env.ISSUER.token(audience)`. */
export const ISSUER_BINDING_NAME = "ISSUER";

export interface IssuerServiceBinding {
  readonly type: "service";
  readonly name: string;
  readonly service: string;
  readonly entrypoint: string;
}

/** The service binding through which a workload, or the script defining a workflow, reaches the issuer as itself. */
export function issuerBindingFor(
  owner: Pick<WorkloadConfig | WorkflowConfig, "entrypoint">,
  issuerScriptName: string,
  bindingName: string = ISSUER_BINDING_NAME,
): IssuerServiceBinding {
  return { type: "service", name: bindingName, service: issuerScriptName, entrypoint: owner.entrypoint };
}

/** The same binding for a workload deployed with wrangler (wrangler.toml). */
export function wranglerBindingSnippet(
  workload: Pick<WorkloadConfig, "name" | "entrypoint">,
  issuerScriptName: string,
  bindingName: string = ISSUER_BINDING_NAME,
): string {
  return [
    `# wrangler.toml of the Worker "${workload.name}": its identity comes from this binding`,
    "[[services]]",
    `binding = "${bindingName}"`,
    `service = "${issuerScriptName}"`,
    `entrypoint = "${workload.entrypoint}"`,
    "",
  ].join("\n");
}

/** The same for a workflow's script deployed with wrangler. */
export function wranglerWorkflowBindingSnippet(
  workflow: Pick<WorkflowConfig, "name" | "script" | "entrypoint">,
  issuerScriptName: string,
  bindingName: string = ISSUER_BINDING_NAME,
): string {
  return [
    `# wrangler.toml of the Worker "${workflow.script}", which defines the Workflow "${workflow.name}":`,
    "# its instances' identity comes from this binding",
    "[[services]]",
    `binding = "${bindingName}"`,
    `service = "${issuerScriptName}"`,
    `entrypoint = "${workflow.entrypoint}"`,
    "",
  ].join("\n");
}
