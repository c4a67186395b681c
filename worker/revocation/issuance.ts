// What issuance does with the revocation list: never hand out a cached token the list revokes,
// and never sign a token inside a kill switch's own second (its iat would equal revokedAt, so
// it would be born revoked): wait for the next second instead, which happens at most once, in
// the second after a kill switch.

import { killSwitchSecond, type RevocableClaims, type RevocationEntry, revocationCovering } from "./list.js";

export interface IssuanceRevocations {
  /** True when the list revokes the (cached) token that carries these claims. */
  revokes(claims: RevocableClaims, nowMs: number): Promise<boolean>;
  /** Waits until a token signed then is not covered by a kill switch of this identity; returns that time (ms). */
  settle(kind: "workload" | "workflow", name: string, nowMs: number): Promise<number>;
}

export function issuanceRevocations(
  entries: (nowMs: number) => Promise<readonly RevocationEntry[]>,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): IssuanceRevocations {
  return {
    async revokes(claims, nowMs) {
      return revocationCovering(await entries(nowMs), claims, Math.floor(nowMs / 1_000)) !== undefined;
    },
    async settle(kind, name, nowMs) {
      const wait = waitBeforeSigning(await entries(nowMs), kind, name, nowMs);
      if (wait > 0) await sleep(wait);
      return nowMs + wait;
    },
  };
}

/** Milliseconds until a token signed for this identity would carry an iat past its latest kill switch. */
export function waitBeforeSigning(
  entries: readonly RevocationEntry[],
  kind: "workload" | "workflow",
  name: string,
  nowMs: number,
): number {
  const second = killSwitchSecond(entries, kind, name, Math.floor(nowMs / 1_000));
  if (second === undefined || Math.floor(nowMs / 1_000) > second) return 0;
  // Bounded: a kill switch dated ahead of this clock cannot hold issuance up for long.
  return Math.min((second + 1) * 1_000 - nowMs, MAX_WAIT_MS);
}

const MAX_WAIT_MS = 2_000;
