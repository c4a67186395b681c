// `workflowToken` of the issuer's entrypoints (worker/issuer/entrypoint.ts delegates here): the
// I/O around issueWorkflowToken, shared with workload tokens (worker/issuer/issuance.ts).

import type { IssuerEnv } from "../issuer/env.js";
import { issueLoggingRefusals } from "../issuer/issuance.js";
import type { IssuedToken } from "../tokens/rpc.js";
import { type BindingIdentity, resolveWorkflow } from "./identity.js";
import { instanceStatus } from "./instance.js";
import { issueWorkflowToken } from "./issue.js";

export async function workflowTokenForBinding(
  env: IssuerEnv,
  binding: BindingIdentity,
  instanceId: unknown,
  audience: unknown,
  options: unknown,
): Promise<IssuedToken> {
  return issueLoggingRefusals(env, "workflow", ({ config, named, context }) => {
    const workflow = resolveWorkflow(config, binding);
    named(workflow.name);
    return issueWorkflowToken(
      { ...context(), instanceStatus: (wf, id) => instanceStatus(env, wf, id) },
      workflow,
      instanceId,
      audience,
      options,
    );
  });
}
