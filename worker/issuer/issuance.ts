// The I/O every issuance shares (entrypoint.ts `token` and `workflowToken`, and POST /token):
// the runtime config, the isolate's signing key and token caches, the published revocation list,
// the `token.refused` log line when a token is refused, and the issuance log's event for every
// outcome (worker/activity/: sent to the key store after the answer, never awaited by issuance).

import { type ActivityReport, activityEvent, type ResolvedRequester } from "../activity/event.js";
import { activityReporter } from "../activity/reporter.js";
import type { ActivityChannel } from "../activity/types.js";
import type { IssuerEnv } from "../bindings/env.js";
import { clockFromOffset } from "../clock.js";
import type { IssuerSettings } from "../config/types.js";
import { forgetJwksMirror, jwksCacheKey } from "../discovery/jwks-endpoint.js";
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
  /** Names the requester (workload or workflow) in the refusal log and the issuance log, once it is resolved. */
  named(requester: ResolvedRequester): void;
  /** The issue context of this isolate, at the issuer's current time. */
  context(): IssueContext;
}

/** What an RPC issuance tells the logs before it knows who is calling. */
export interface IssuanceRequest {
  readonly requester: "workload" | "workflow";
  readonly channel: ActivityChannel;
  /** The audience argument as sent (the issuance log keeps it only if the requester may have it). */
  readonly audience: unknown;
  readonly waitUntil: (promise: Promise<unknown>) => void;
}

/**
 * Runs `issue`, logging `token.refused` with the requester's name (if resolved) when it throws,
 * and reporting the outcome to the issuance log either way.
 */
export async function issueLoggingRefusals(
  env: IssuerEnv,
  request: IssuanceRequest,
  issue: (issuance: Issuance) => Promise<IssuedToken>,
): Promise<IssuedToken> {
  const { requester, channel, audience } = request;
  const report = activityReport(env, request.waitUntil);
  let resolved: ResolvedRequester | undefined;
  try {
    const config = runtimeConfig();
    const issued = await issue({
      config,
      named: (named) => {
        resolved = named;
      },
      context: () => issueContext(env, config),
    });
    report({ channel, requester, resolved, audience });
    return issued;
  } catch (error) {
    const code = errorCodeOf(error) ?? "ERR_INTERNAL";
    console.warn(JSON.stringify({ event: "token.refused", [requester]: resolved?.name ?? null, code }));
    report({ channel, requester, resolved, audience, refused: { code } });
    throw error;
  }
}

/**
 * Reports issuance outcomes of this request to the issuance log: counted in the isolate and sent
 * under `waitUntil` by a stub made in this request. Never throws, never delays the answer.
 */
export function activityReport(env: IssuerEnv, waitUntil: (promise: Promise<unknown>) => void): ActivityReport {
  const clock = clockFromOffset(env.TEST_CLOCK_OFFSET_SECONDS);
  return (occurrence) => {
    try {
      activityReporter.report(activityEvent({ ...occurrence, at: clock.now() }), {
        waitUntil,
        send: (batch) => keyStoreOf(env).recordActivity(batch),
      });
    } catch (error) {
      console.warn(JSON.stringify({ event: "activity.report_failed", error: String(error) }));
    }
  };
}

/** The issue context of this isolate at the issuer's current time: RPC issuance and the token exchange (POST /token) share it. */
export function issueContext(env: IssuerEnv, config: RuntimeSettings): IssueContext {
  const clock = clockFromOffset(env.TEST_CLOCK_OFFSET_SECONDS);
  return {
    config,
    nowMs: clock.now(),
    signingKey: () =>
      signingKeys.get(
        clock.now(),
        () => keyStoreOf(env).signingKey(),
        { current: env.KEY_ENCRYPTION_KEY, previous: env.KEY_ENCRYPTION_KEY_PREVIOUS },
        (key) => dropJwksLacking(key.kid, config.issuer),
      ),
    cache: tokens,
    log: (line) => console.log(line),
    revocations: issuanceRevocationsFrom(env.PUBLISHED),
  };
}

/**
 * Before this isolate signs with a key it has just loaded, the JWKS cached here must hold it. A key
 * made through another isolate or location (an emergency rotation, a revocation's successor: no
 * publication delay) finds here a JWKS cached before it existed, which the admin call purged only
 * where it ran: relying parties fetching here would refuse its tokens for up to EDGE_CACHE_MS. The
 * isolate's mirror is dropped, and the edge cache's copy when it lacks the kid; the next read is
 * KV's, which the key store wrote before handing the key out (KV_PROPAGATION_MS elsewhere).
 */
async function dropJwksLacking(kid: string, settings: IssuerSettings): Promise<void> {
  forgetJwksMirror();
  try {
    const cached = await caches.default.match(jwksCacheKey(settings));
    if (cached === undefined) return;
    const document = JSON.parse(await cached.text()) as { keys?: readonly { kid?: unknown }[] };
    if (!document.keys?.some((k) => k.kid === kid)) await caches.default.delete(jwksCacheKey(settings));
  } catch {
    // Best effort: the cached copy expires on its own within EDGE_CACHE_MS.
  }
}
