// Issuance of a workflow instance's token: check the arguments, then that the instance exists in
// the calling workflow and is executing (through the issuer's own Workflows binding), and only
// then sign. Every call checks the status, even when a cached token is handed out again, so an
// instance that has ended gets nothing more.

import { InstanceNotRunningError } from "../errors.js";
import type { RuntimeWorkflow } from "../runtime-config/types.js";
import { type IssueContext, reuseOrSign } from "../tokens/issue.js";
import { authorizeTokenRequest, type RequesterKind } from "../tokens/request.js";
import type { IssuedToken } from "../tokens/rpc.js";
import { workflowTokenClaims } from "./claims.js";
import { instanceLife, mayIssueFor } from "./status.js";
import { checkInstanceId } from "./subject.js";

const WORKFLOW: RequesterKind = { noun: "workflow", call: "workflowToken(instanceId, audience, options)" };

export interface WorkflowIssueContext extends IssueContext {
  /** The instance's status name, read through the issuer's Workflows binding to `workflow`. */
  readonly instanceStatus: (workflow: RuntimeWorkflow, instanceId: string) => Promise<string>;
}

export async function issueWorkflowToken(
  context: WorkflowIssueContext,
  workflow: RuntimeWorkflow,
  instanceId: unknown,
  audience: unknown,
  options: unknown,
): Promise<IssuedToken> {
  const id = checkInstanceId(workflow, instanceId);
  const request = authorizeTokenRequest(context.config.issuer, workflow, audience, options, WORKFLOW);
  const status = await context.instanceStatus(workflow, id);
  if (!mayIssueFor(status)) {
    const life = instanceLife(status);
    throw new InstanceNotRunningError(
      `instance of workflow '${workflow.name}' is ${JSON.stringify(status)}` +
        (life === "ended"
          ? ", and an ended instance gets no tokens"
          : "; tokens are issued only while it runs (running or waiting)") +
        "; request tokens from the instance's own run()",
    );
  }
  // Workload names cannot contain '/', so these cache keys never meet a workload's.
  return reuseOrSign(context, {
    kind: "workflow",
    name: workflow.name,
    cacheName: `workflow/${workflow.name}/${id}`,
    audience: request.audience,
    lifetimeSeconds: request.lifetimeSeconds,
    fresh: request.fresh,
    logged: { workflow: workflow.name, instance: id, status },
    claims: (issuedAt, jti) =>
      workflowTokenClaims({
        issuer: context.config.issuer,
        workflow,
        instanceId: id,
        audience: request.audience,
        issuedAt,
        lifetimeSeconds: request.lifetimeSeconds,
        jti,
      }),
  });
}
