// A per-isolate cache of expiring values (tokens, credentials) that renews each value before it
// expires. Concurrent callers of one key share one in-flight load. When a renewal fails while the
// current value is still good for a while, callers keep getting the current value (the failure is
// retried after a short pause); once it is nearly expired, the failure reaches the caller.
// What to do is a pure function of (entry, now); the class only does the bookkeeping.

/** A failed renewal leaves the current value in use while at least this much of its life remains. */
export const MIN_REMAINING_ON_FAILURE_MS = 30_000;
/** After a failed renewal, callers get the current value this long before the next attempt. */
export const RETRY_AFTER_FAILURE_MS = 5_000;
/** Distinct keys kept per cache; the oldest is dropped beyond this. */
export const MAX_ENTRIES = 64;

export interface Expiring<T> {
  readonly value: T;
  /** When the value stops working, ms since the epoch. */
  readonly expiresAtMs: number;
  /** When to start renewing it, ms since the epoch (at or before expiresAtMs). */
  readonly renewAtMs: number;
}

interface Entry<T> {
  current: Expiring<T> | undefined;
  failedAtMs: number | undefined;
  pending: Promise<T> | undefined;
}

export type CacheDecision = "use" | "load";

/** Whether a caller at `nowMs` can be handed the current value or must (wait for a) load. */
export function decide(current: Expiring<unknown> | undefined, failedAtMs: number | undefined, nowMs: number): CacheDecision {
  if (current === undefined) return "load";
  if (nowMs < current.renewAtMs) return "use";
  const pausing = failedAtMs !== undefined && nowMs < failedAtMs + RETRY_AFTER_FAILURE_MS;
  return pausing && usableOnFailure(current, nowMs) ? "use" : "load";
}

/** Whether the current value may stand in for a renewal that failed. */
export function usableOnFailure(current: Expiring<unknown>, nowMs: number): boolean {
  return nowMs < current.expiresAtMs - MIN_REMAINING_ON_FAILURE_MS;
}

/**
 * When to renew a value that lives until `expiresAtMs`: `marginMs` before it expires, but never
 * before half of its remaining life has passed (a short-lived value is still used for a while).
 */
export function renewalTime(nowMs: number, expiresAtMs: number, marginMs: number): number {
  const remaining = Math.max(0, expiresAtMs - nowMs);
  return expiresAtMs - Math.min(marginMs, remaining / 2);
}

export class RenewingCache<T> {
  readonly #entries = new Map<string, Entry<T>>();

  /** The value under `key`, loading or renewing it when due; `now` is the caller's clock in ms. */
  get(key: string, now: () => number, load: () => Promise<Expiring<T>>): Promise<T> {
    const entry = this.#entry(key);
    if (entry.pending) return entry.pending;
    if (decide(entry.current, entry.failedAtMs, now()) === "use") return Promise.resolve(entry.current!.value);
    const pending: Promise<T> = this.#load(entry, now, load).finally(() => {
      if (entry.pending === pending) entry.pending = undefined;
    });
    entry.pending = pending;
    return pending;
  }

  #entry(key: string): Entry<T> {
    let entry = this.#entries.get(key);
    if (entry === undefined) {
      if (this.#entries.size >= MAX_ENTRIES) this.#entries.delete(this.#entries.keys().next().value!);
      entry = { current: undefined, failedAtMs: undefined, pending: undefined };
      this.#entries.set(key, entry);
    }
    return entry;
  }

  async #load(entry: Entry<T>, now: () => number, load: () => Promise<Expiring<T>>): Promise<T> {
    try {
      const loaded = await load();
      entry.current = loaded;
      entry.failedAtMs = undefined;
      return loaded.value;
    } catch (error) {
      const failedAt = now();
      if (entry.current && usableOnFailure(entry.current, failedAt)) {
        entry.failedAtMs = failedAt;
        return entry.current.value;
      }
      throw error;
    }
  }
}
