// The I/O every issuance shares (entrypoint.ts `token` and `workflowToken`, and POST /token):
// the runtime config, the isolate's signing key and token caches, the published revocation list,
// and the `token.refused` log line when a token is refused.

import type { IssuerEnv } from "../bindings/env.js";
import { clockFromOffset } from "../clock.js";
import { errorCodeOf } from "../errors.js";
import { signingKeys, tokens } from "../isolate-caches.js";
import { keyStoreOf } from "../keys/key-store-stub.js";
import { issuanceRevocationsFrom } from "../revocation/published.js";
import { runtimeConfig } from "../runtime-config/embedded.js";
import type { RuntimeSettings } from "../runtime-config/types.js";
import type { IssueContext } from "../tokens/issue.js";
import type { IssuedToken } from "../tokens/rpc.js";

export interface Issuance {
  readonly config: RuntimeSettings;
  /** Names the requester (workload or workflow) in the refusal log, once it is resolved. */
  named(name: string): void;
  /** The issue context of this isolate, at the issuer's current time. */
  context(): IssueContext;
}

/** Runs `issue`, logging `token.refused` with the requester's name (if resolved) when it throws. */
export async function issueLoggingRefusals(
  env: IssuerEnv,
  requester: "workload" | "workflow",
  issue: (issuance: Issuance) => Promise<IssuedToken>,
): Promise<IssuedToken> {
  let name: string | undefined;
  try {
    const config = runtimeConfig();
    return await issue({
      config,
      named: (resolved) => {
        name = resolved;
      },
      context: () => issueContext(env, config),
    });
  } catch (error) {
    console.warn(
      JSON.stringify({ event: "token.refused", [requester]: name ?? null, code: errorCodeOf(error) ?? "ERR_INTERNAL" }),
    );
    throw error;
  }
}

/** The issue context of this isolate at the issuer's current time: RPC issuance and the token exchange (POST /token) share it. */
export function issueContext(env: IssuerEnv, config: RuntimeSettings): IssueContext {
  const clock = clockFromOffset(env.TEST_CLOCK_OFFSET_SECONDS);
  return {
    config,
    nowMs: clock.now(),
    signingKey: () => signingKeys.get(clock.now(), () => keyStoreOf(env).signingKey(), env.KEY_ENCRYPTION_KEY),
    cache: tokens,
    log: (line) => console.log(line),
    revocations: issuanceRevocationsFrom(env.PUBLISHED),
  };
}
