// `workflowToken` of the issuer's entrypoints (worker/issuer/entrypoint.ts delegates here): the
// I/O around issueWorkflowToken, with the same logging of refusals as workload tokens.

import { clockFromOffset } from "../clock.js";
import { stackConfigFromBinding } from "../config/binding.js";
import { errorCodeOf } from "../errors.js";
import type { IssuerEnv } from "../issuer/env.js";
import { signingKeys, tokens } from "../issuer/isolate-caches.js";
import { keyStoreOf } from "../keys/key-store-stub.js";
import { issuanceRevocationsFrom } from "../revocation/published.js";
import type { IssuedToken } from "../tokens/issue.js";
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
  let workflowName: string | undefined;
  try {
    const config = stackConfigFromBinding(env.ISSUER_CONFIG);
    const workflow = resolveWorkflow(config, binding);
    workflowName = workflow.name;
    const clock = clockFromOffset(env.TEST_CLOCK_OFFSET_SECONDS);
    return await issueWorkflowToken(
      {
        config,
        nowMs: clock.now(),
        signingKey: () => signingKeys.get(clock.now(), () => keyStoreOf(env).signingKey(), env.KEY_ENCRYPTION_KEY),
        cache: tokens,
        log: (line) => console.log(line),
        revocations: issuanceRevocationsFrom(env.JWKS),
        instanceStatus: (wf, id) => instanceStatus(env, wf, id),
      },
      workflow,
      instanceId,
      audience,
      options,
    );
  } catch (error) {
    console.warn(JSON.stringify({ event: "token.refused", workflow: workflowName ?? null, code: errorCodeOf(error) ?? "ERR_INTERNAL" }));
    throw error;
  }
}
