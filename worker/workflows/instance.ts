// The issuer's view of a workflow instance, through its own Workflows binding to that workflow
// (WORKFLOW_<name>, created by the Pulumi program and the local stack). Looking an id up through
// the workflow's own binding is what makes an id of another workflow unknown here.

import { UnknownInstanceError, WorkflowUnavailableError } from "../errors.js";
import type { RuntimeWorkflow } from "../runtime-config/types.js";

/** The part of a Workflows binding the issuer uses (Cloudflare's `Workflow` type has more). */
export interface WorkflowsBinding {
  get(id: string): Promise<{ status(): Promise<{ readonly status: string }> }>;
}

const NOT_FOUND = /not[ _.-]?found/i;

/** The instance's status name; throws ERR_UNKNOWN_INSTANCE or ERR_WORKFLOW_UNAVAILABLE. */
export async function instanceStatus(env: object, workflow: RuntimeWorkflow, instanceId: string): Promise<string> {
  const binding = (env as Record<string, unknown>)[workflow.binding];
  if (!isWorkflowsBinding(binding)) {
    throw new WorkflowUnavailableError(
      `the issuer has no Workflows binding ${workflow.binding} to workflow '${workflow.name}'; redeploy it with ` +
        "`pulumi up` (or restart `npm start`) so the binding is created",
    );
  }
  let instance: Awaited<ReturnType<WorkflowsBinding["get"]>>;
  try {
    instance = await binding.get(instanceId);
  } catch (error) {
    if (error instanceof Error && NOT_FOUND.test(error.message)) {
      throw new UnknownInstanceError(
        `workflow '${workflow.name}' has no instance with this id; pass the id of the calling instance (event.instanceId)`,
      );
    }
    throw new WorkflowUnavailableError(
      `the status of a '${workflow.name}' instance could not be read (${describe(error)}); retry`,
    );
  }
  try {
    const { status } = await instance.status();
    return status;
  } catch (error) {
    throw new WorkflowUnavailableError(
      `the status of a '${workflow.name}' instance could not be read (${describe(error)}); retry`,
    );
  }
}

function isWorkflowsBinding(value: unknown): value is WorkflowsBinding {
  return typeof value === "object" && value !== null && typeof (value as { get?: unknown }).get === "function";
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message.slice(0, 200) : "unknown error";
}
