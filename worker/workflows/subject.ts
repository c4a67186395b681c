// A workflow instance's subject, and the instance id check that keeps it within GCP's 127-byte
// google.subject: the validator proved that `subjectPrefix` plus `maxInstanceIdLength`
// characters fits, so issuance refuses any longer id (and any id Cloudflare would never make).

import { INSTANCE_ID_PATTERN } from "../config/limits.js";
import type { WorkflowConfig } from "../config/types.js";
import { InvalidRequestError } from "../errors.js";

export function workflowSubject(workflow: Pick<WorkflowConfig, "subjectPrefix">, instanceId: string): string {
  return `${workflow.subjectPrefix}${instanceId}`;
}

/** Why `instanceId` cannot name an instance of `workflow`, or undefined when it can. */
export function instanceIdProblem(
  workflow: Pick<WorkflowConfig, "name" | "maxInstanceIdLength">,
  instanceId: unknown,
): string | undefined {
  if (typeof instanceId !== "string" || instanceId === "") {
    return "the instance id must be a non-empty string: pass event.instanceId from the workflow's run()";
  }
  if (instanceId.length > workflow.maxInstanceIdLength) {
    return (
      `the instance id is ${instanceId.length} characters, more than the ${workflow.maxInstanceIdLength} this stack ` +
      "allows (maxInstanceIdLength, which keeps subjects within GCP's 127 bytes); create instances with shorter ids " +
      "(Cloudflare's default, a UUID, has 36)"
    );
  }
  if (!INSTANCE_ID_PATTERN.test(instanceId)) {
    return "the instance id must consist of letters, digits, '_' and '-' and not start with '-', as Cloudflare's are";
  }
  return undefined;
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
