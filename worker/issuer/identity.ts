// Who is calling: decided by the caller's service binding, never by its arguments.
//   - A per-workload entrypoint class (generated into the bundle from the registry) names its
//     workload itself; Pulumi-managed bindings use these (the provider has no `props`).
//   - The generic `Issuer` entrypoint reads `ctx.props.workload`, which only the binding's
//     configuration (wrangler) can set.
//   - Workflows alike: a binding to the generated `Workflow_<name>` entrypoint, or to the generic
//     `Issuer` entrypoint with props { workflow: "<name>" }, is that workflow's; it may get tokens
//     only for that workflow's running instances. Workload and workflow bindings never stand in
//     for each other.
// The Cloudflare account is the trust boundary: anyone who can deploy a binding in the account
// can choose its props or entrypoint.

import { MissingIdentityError, UnknownWorkflowError, UnknownWorkloadError } from "../errors.js";
import type { RuntimeSettings, RuntimeWorkflow, RuntimeWorkload } from "../runtime-config/types.js";

export function resolveWorkload(
  config: RuntimeSettings,
  boundWorkload: string | undefined,
  props: unknown,
): RuntimeWorkload {
  const name = boundName(boundWorkload, workloadFromProps(props), {
    twoNames: (fromProps) =>
      `the binding names two identities: entrypoint for '${boundWorkload}' and props.workload '${fromProps}'; ` +
      "remove props from the binding, or bind to the generic Issuer entrypoint",
    noName:
      "this service binding carries no workload identity; bind to the workload's own entrypoint " +
      '(the stack outputs name it) or set props = { workload = "<script name>" } on the binding',
  });
  const workload = config.workloads.find((w) => w.name === name);
  if (!workload) {
    throw new UnknownWorkloadError(
      `workload ${JSON.stringify(name)} is not registered in stack ${config.stack}; ` +
        `add it under ${config.project}:workloads in Pulumi.${config.stack}.yaml and run \`pulumi up\``,
    );
  }
  return workload;
}

function workloadFromProps(props: unknown): string | undefined {
  if (props === undefined || props === null) return undefined;
  if (typeof props !== "object") {
    throw new MissingIdentityError('the binding\'s props must be an object such as { workload: "billing" }');
  }
  const value = (props as Record<string, unknown>).workload;
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value.length === 0) {
    throw new MissingIdentityError(
      "the binding's props.workload must be the workload's script name, a non-empty string",
    );
  }
  return value;
}

// ---- workflows ----

export interface BindingIdentity {
  /** The static `workload` of the entrypoint class called, if any. */
  readonly workload: string | undefined;
  /** The static `workflow` of the entrypoint class called, if any. */
  readonly workflow: string | undefined;
  readonly props: unknown;
}

/** The workflow a binding names (entrypoint or props.workflow), without looking it up. */
export function boundWorkflowName(binding: BindingIdentity): string | undefined {
  return binding.workflow ?? stringProp(binding.props, "workflow");
}

export function resolveWorkflow(config: RuntimeSettings, binding: BindingIdentity): RuntimeWorkflow {
  const fromProps = stringProp(binding.props, "workflow");
  if (binding.workload !== undefined || stringProp(binding.props, "workload") !== undefined) {
    throw new MissingIdentityError(
      "this service binding carries a workload's identity, not a workflow's; a workload calls token(audience), and " +
        "a workflow's script binds to its own Workflow_<name> entrypoint to call workflowToken(instanceId, audience)",
    );
  }
  const name = boundName(binding.workflow, fromProps, {
    twoNames: () =>
      `the binding names two workflows: entrypoint for '${binding.workflow}' and props.workflow '${fromProps}'; remove props`,
    noName:
      "this service binding carries no workflow identity; bind the workflow's script to its Workflow_<name> " +
      'entrypoint (the stack outputs name it) or set props = { workflow = "<workflow name>" } on the binding',
  });
  const workflow = config.workflows.find((w) => w.name === name);
  if (!workflow) {
    throw new UnknownWorkflowError(
      `workflow ${JSON.stringify(name)} is not registered in stack ${config.stack}; add it under ` +
        `${config.project}:workflows in Pulumi.${config.stack}.yaml and run \`pulumi up\``,
    );
  }
  return workflow;
}

/** A workload's `token()` called through a workflow's binding: refused, with the right call named. */
export function refuseWorkflowBindingForToken(binding: BindingIdentity): void {
  const workflow = boundWorkflowName(binding);
  if (workflow === undefined) return;
  throw new MissingIdentityError(
    `this service binding is workflow '${workflow}''s, which has no workload identity; call ` +
      "workflowToken(event.instanceId, audience) from the workflow's run() instead",
  );
}

/**
 * The one name a binding gives, by its entrypoint or its props: a MissingIdentityError when the
 * two disagree (`twoNames`, given the props' name) or neither gives one (`noName`).
 */
function boundName(
  entrypoint: string | undefined,
  fromProps: string | undefined,
  refusals: { readonly twoNames: (fromProps: string) => string; readonly noName: string },
): string {
  if (entrypoint !== undefined && fromProps !== undefined && fromProps !== entrypoint) {
    throw new MissingIdentityError(refusals.twoNames(fromProps));
  }
  const name = entrypoint ?? fromProps;
  if (name === undefined) throw new MissingIdentityError(refusals.noName);
  return name;
}

/** props.<name> as a string; props that are not an object name no workflow (resolveWorkload refuses them). */
function stringProp(props: unknown, name: string): string | undefined {
  if (typeof props !== "object" || props === null) return undefined;
  const value = (props as Record<string, unknown>)[name];
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value === "") {
    throw new MissingIdentityError(`the binding's props.${name} must be a non-empty string`);
  }
  return value;
}
