// Which workflow is calling: decided by the caller's service binding, as for workloads
// (worker/issuer/identity.ts). A binding to the generated `Workflow_<name>` entrypoint, or to the
// generic `Issuer` entrypoint with props { workflow: "<name>" }, is that workflow's; it may get
// tokens only for that workflow's running instances. Workload and workflow bindings never stand
// in for each other.

import { MissingIdentityError, UnknownWorkflowError } from "../errors.js";
import type { RuntimeSettings, RuntimeWorkflow } from "../runtime-config/types.js";

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
  if (binding.workflow !== undefined && fromProps !== undefined && fromProps !== binding.workflow) {
    throw new MissingIdentityError(
      `the binding names two workflows: entrypoint for '${binding.workflow}' and props.workflow '${fromProps}'; remove props`,
    );
  }
  const name = binding.workflow ?? fromProps;
  if (name === undefined) {
    throw new MissingIdentityError(
      "this service binding carries no workflow identity; bind the workflow's script to its Workflow_<name> " +
        'entrypoint (the stack outputs name it) or set props = { workflow = "<workflow name>" } on the binding',
    );
  }
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

function stringProp(props: unknown, name: string): string | undefined {
  if (typeof props !== "object" || props === null) return undefined;
  const value = (props as Record<string, unknown>)[name];
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value === "") {
    throw new MissingIdentityError(`the binding's props.${name} must be a non-empty string`);
  }
  return value;
}
