// A workflow instance's subject, and the instance id check that keeps it within GCP's 127-byte
// google.subject: the validator proved that `subjectPrefix` plus `maxInstanceIdLength`
// characters fits, so issuance refuses any longer id (and any id Cloudflare would never make).
// The rule itself (instanceIdProblem) is the config kernel's, which checks rules' subjects with it.

import { instanceIdProblem } from "../config/instance-id.js";
import type { WorkflowConfig } from "../config/types.js";
import { InvalidRequestError } from "../errors.js";

export function workflowSubject(workflow: Pick<WorkflowConfig, "subjectPrefix">, instanceId: string): string {
  return `${workflow.subjectPrefix}${instanceId}`;
}

/** The instance id, checked; throws ERR_INVALID_REQUEST naming the rule it breaks. */
export function checkInstanceId(
  workflow: Pick<WorkflowConfig, "name" | "maxInstanceIdLength">,
  instanceId: unknown,
): string {
  const problem = instanceIdProblem(workflow, instanceId);
  if (problem !== undefined) throw new InvalidRequestError(`workflowToken(instanceId, audience, options): ${problem}`);
  return instanceId as string;
}
