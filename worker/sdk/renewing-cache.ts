// A per-isolate cache of expiring values (tokens, credentials) that renews each value before it
// expires. When a renewal fails while the current value is still good for a while, callers keep
// getting the current value (the failure is retried after a short pause); once it is nearly
// expired, the failure reaches the caller. What to do is a pure function of (entry, now); the class
// only does the bookkeeping.
//
// Callers share resolved values, never promises. In workerd a request must not await a promise
// created by another request (another I/O context): it may hang until workerd cancels it, and the
// promise dies with the request that made it. So each load runs in its caller's own request and
// only its result is stored. While one caller renews, the others use the current value as long as
// it has not expired; when there is no unexpired value, each caller loads its own (concurrent cold
// callers each call the issuer or the cloud). That a renewal is under way is recorded as a plain
// mark (since when), and a mark older than the renewal timeout counts as abandoned: the request
// that set it may have been cancelled.

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

/** A renewal under way: a plain value that any request may read (never the renewal's promise). */
export interface RenewalMark {
  /** When the renewal started, ms since the epoch. */
  readonly sinceMs: number;
  /** After this long the renewal counts as abandoned. */
  readonly timeoutMs: number;
}

export interface EntryState {
  readonly current: Expiring<unknown> | undefined;
  /** When the last renewal failed, if the current value has stood in for it since. */
  readonly failedAtMs: number | undefined;
  readonly renewing: RenewalMark | undefined;
}

interface Entry<T> extends EntryState {
  current: Expiring<T> | undefined;
  failedAtMs: number | undefined;
  renewing: RenewalMark | undefined;
}

export type CacheDecision = "use" | "load";

/** Whether a caller at `nowMs` can be handed the current value or must load one itself. */
export function decide(entry: EntryState, nowMs: number): CacheDecision {
  const { current, failedAtMs, renewing } = entry;
  if (current === undefined) return "load";
  if (nowMs < current.renewAtMs) return "use";
  const pausing = failedAtMs !== undefined && nowMs < failedAtMs + RETRY_AFTER_FAILURE_MS;
  if (pausing && usableOnFailure(current, nowMs)) return "use";
  return renewalUnderWay(renewing, nowMs) && nowMs < current.expiresAtMs ? "use" : "load";
}

/**
 * Whether a renewal mark is recent enough to mean that another caller is still renewing (a mark
 * dated after now, from a clock that stepped back, is not trusted; as in worker/isolate/shared-value.ts).
 */
export function renewalUnderWay(renewing: RenewalMark | undefined, nowMs: number): boolean {
  return renewing !== undefined && renewing.sinceMs <= nowMs && nowMs < renewing.sinceMs + renewing.timeoutMs;
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

  /**
   * The value under `key`, loading or renewing it when due; `now` is the caller's clock in ms.
   * `timeoutMs`: how long `load` may take before another caller presumes it abandoned. The load,
   * when there is one, runs for this caller alone: no other caller ever awaits it.
   */
  async get(key: string, now: () => number, timeoutMs: number, load: () => Promise<Expiring<T>>): Promise<T> {
    const entry = this.#entry(key);
    const startedAt = now();
    if (decide(entry, startedAt) === "use") return entry.current!.value;
    const mark: RenewalMark = { sinceMs: startedAt, timeoutMs };
    entry.renewing = mark;
    try {
      const loaded = await load();
      // Concurrent loads may finish in any order: keep the value that lives longest.
      if (entry.current === undefined || loaded.expiresAtMs >= entry.current.expiresAtMs) entry.current = loaded;
      entry.failedAtMs = undefined;
      return loaded.value;
    } catch (error) {
      const failedAt = now();
      if (entry.current && usableOnFailure(entry.current, failedAt)) {
        entry.failedAtMs = failedAt;
        return entry.current.value;
      }
      throw error;
    } finally {
      if (entry.renewing === mark) entry.renewing = undefined;
    }
  }

  #entry(key: string): Entry<T> {
    let entry = this.#entries.get(key);
    if (entry === undefined) {
      if (this.#entries.size >= MAX_ENTRIES) this.#entries.delete(this.#entries.keys().next().value!);
      entry = { current: undefined, failedAtMs: undefined, renewing: undefined };
      this.#entries.set(key, entry);
    }
    return entry;
  }
}
