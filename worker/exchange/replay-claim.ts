// The exchange's claim of a subject token in the replay store (replays.ts), with a deadline. A
// claim that gets no answer within REPLAY_CLAIM_DEADLINE_MS counts as the store unreachable, and
// route.ts refuses the exchange with ERR_REPLAY_STORE_UNAVAILABLE instead of holding its caller.
// The abandoned claim may still land later, which consumes the token: the refusal asks for a new
// one.

import { withDeadline } from "../deadline.js";

/**
 * A claim is abandoned after this long. It is one SQL statement on the object, answered in
 * milliseconds once the object is reached; the rest leaves room for reaching a cold object far
 * away. Past it, the exchange's caller (a workload's getToken()) is better told to retry than held.
 */
export const REPLAY_CLAIM_DEADLINE_MS = 2_000;

/** The replay store's one method the exchange calls (KeyStoreWithReplays.claimPresented). */
export interface ReplayStore {
  claimPresented(key: string, untilMs: number, nowMs: number): Promise<boolean>;
}

/** True the first time `key` is claimed; false for a replay; throws when the store fails or is late. */
export function claimWithinDeadline(store: ReplayStore, key: string, untilMs: number, nowMs: number): Promise<boolean> {
  return withDeadline(
    store.claimPresented(key, untilMs, nowMs),
    REPLAY_CLAIM_DEADLINE_MS,
    () => new Error(`the replay store gave no answer within ${REPLAY_CLAIM_DEADLINE_MS} ms`),
  );
}
