// A value an isolate keeps between the requests it serves (the signing key, the published
// revocation list), refreshed by those requests themselves.
//
// Requests share the value, never a promise: in workerd a request that awaits a promise another
// request created can be canceled as hung, since the promise belongs to the other request's I/O
// context. So:
// - fresh (loadedAt ≤ now < validUntil): every request takes the value;
// - stale while another request is refreshing: the others keep taking the stale value, waiting
//   for nothing, but never more than graceMs past its validUntil, and not once that refresh has
//   been under way for graceMs (its request is presumed canceled);
// - otherwise (nobody refreshing, no value at all, or past the grace) the request loads for
//   itself and awaits only its own load. Requests that find no value at the same time each
//   load: a burst at cold start costs one load per concurrent request.
// So a value is handed out at most graceMs past validUntil: callers with a bound to keep set
// validUntil that much earlier. Loads are numbered: an answer never replaces the answer to a
// load that started after it, and a load begun before `invalidate` does not store what it got.

export interface Loaded<T> {
  readonly value: T;
  /** Until when (same clock as `now`) the value may be handed out without a refresh. */
  readonly validUntil: number;
}

export class SharedValue<T> {
  #held:
    | { readonly value: T; readonly loadedAt: number; readonly validUntil: number; readonly attempt: number }
    | undefined;
  #refreshing: { readonly since: number; readonly attempt: number } | undefined;
  #attempts = 0;
  /** Loads numbered up to this one began before the last `invalidate`. */
  #invalidatedAfter = 0;

  constructor(readonly graceMs: number) {}

  async get(now: number, load: () => Promise<Loaded<T>>): Promise<T> {
    const held = this.#held;
    if (held !== undefined && held.loadedAt <= now && now < held.validUntil) return held.value;
    if (held !== undefined && this.#othersRefreshing(now) && now < held.validUntil + this.graceMs) return held.value;
    const attempt = ++this.#attempts;
    this.#refreshing = { since: now, attempt };
    try {
      const loaded = await load();
      if (attempt > this.#invalidatedAfter && attempt > (this.#held?.attempt ?? 0)) {
        this.#held = { value: loaded.value, loadedAt: now, validUntil: loaded.validUntil, attempt };
      }
      return loaded.value;
    } finally {
      if (this.#refreshing?.attempt === attempt) this.#refreshing = undefined;
    }
  }

  /** The value is known to be out of date: the next requests load their own. */
  invalidate(): void {
    this.#held = undefined;
    this.#refreshing = undefined;
    this.#invalidatedAfter = this.#attempts;
  }

  #othersRefreshing(now: number): boolean {
    const since = this.#refreshing?.since;
    return since !== undefined && since <= now && now - since < this.graceMs;
  }
}
