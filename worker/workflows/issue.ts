// Issuance of a workflow instance's token: check the arguments, then that the instance exists in
// the calling workflow and is executing (through the issuer's own Workflows binding), and only
// then sign. Every call checks the status, even when a cached token is handed out again, so an
// instance that has ended gets nothing more.

import type { WorkflowConfig } from "../config/types.js";
import { InstanceNotRunningError } from "../errors.js";
import { signToken } from "../tokens/sign.js";
import { authorizeTokenRequest, type RequesterKind } from "../tokens/request.js";
import { TokenCache } from "../tokens/token-cache.js";
import type { IssueContext, IssuedToken } from "../tokens/issue.js";
import { workflowTokenClaims } from "./claims.js";
import { instanceLife, mayIssueFor } from "./status.js";
import { checkInstanceId } from "./subject.js";

const WORKFLOW: RequesterKind = { noun: "workflow", call: "workflowToken(instanceId, audience, options)" };

export interface WorkflowIssueContext extends IssueContext {
  /** The instance's status name, read through the issuer's Workflows binding to `workflow`. */
  readonly instanceStatus: (workflow: WorkflowConfig, instanceId: string) => Promise<string>;
}

export async function issueWorkflowToken(
  context: WorkflowIssueContext,
  workflow: WorkflowConfig,
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
        (life === "ended" ? ", and an ended instance gets no tokens" : "; tokens are issued only while it runs (running or waiting)") +
        "; request tokens from the instance's own run()",
    );
  }
  const key = await context.signingKey();
  // Workload names cannot contain '/', so these keys never meet a workload's.
  const cacheKey = TokenCache.key(`workflow/${workflow.name}/${id}`, request.audience, request.lifetimeSeconds);
  const cached = context.cache.get(cacheKey, context.nowMs, key.kid);
  if (cached && !(await context.revocations?.revokes(cached.token, context.nowMs))) {
    return { token: cached.token, expiresAt: cached.expiresAt };
  }
  const nowMs = (await context.revocations?.settle("workflow", workflow.name, context.nowMs)) ?? context.nowMs;
  const issuedAt = Math.floor(nowMs / 1_000);
  const jti = crypto.randomUUID();
  const claims = workflowTokenClaims({
    issuer: context.config.issuer,
    workflow,
    instanceId: id,
    audience: request.audience,
    issuedAt,
    lifetimeSeconds: request.lifetimeSeconds,
    jti,
  });
  const token = await signToken(claims, key);
  const expiresAt = issuedAt + request.lifetimeSeconds;
  context.cache.set(cacheKey, { token, kid: key.kid, issuedAt, expiresAt });
  context.log(JSON.stringify({
    event: "token.issued", workflow: workflow.name, instance: id, status, aud: request.audience, kid: key.kid, jti, exp: expiresAt,
  }));
  return { token, expiresAt };
}
