// Which instance ids a workflow's instances can have: at most the workflow's
// `maxInstanceIdLength` characters of Cloudflare's alphabet. Pure, in the config kernel: the
// validator checks the subjects middleware rules name with it, and issuance and introspection
// (worker/workflows/subject.ts) refuse any other id.

import { INSTANCE_ID_PATTERN } from "./limits.js";
import type { WorkflowConfig } from "./types.js";

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
