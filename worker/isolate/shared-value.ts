// A value an isolate keeps between the requests it serves (the signing key, the published
// revocation list), refreshed by those requests themselves.
//
// Requests share the value, never a promise: in workerd a request that awaits a promise another
// request created can be canceled as hung, since the promise belongs to the other request's I/O
// context. So:
// - fresh (loadedAt ≤ now < validUntil): every request takes the value;
// - stale while another request is refreshing (for at most refreshTimeoutMs, after which that
//   request is presumed canceled): the others keep taking the stale value, waiting for nothing;
// - stale with nobody refreshing, or no value at all (the first requests, or after invalidate):
//   the request loads for itself and awaits only its own load. Requests that find no value at
//   the same time each load: a burst at cold start costs one load per concurrent request.
// A load begun before `invalidate` does not store what it got.

export interface Loaded<T> {
  readonly value: T;
  /** Until when (same clock as `now`) the value may be handed out without a refresh. */
  readonly validUntil: number;
}

export class SharedValue<T> {
  #held: { readonly value: T; readonly loadedAt: number; readonly validUntil: number } | undefined;
  #refreshingSince: number | undefined;
  #generation = 0;

  constructor(readonly refreshTimeoutMs: number) {}

  async get(now: number, load: () => Promise<Loaded<T>>): Promise<T> {
    const held = this.#held;
    if (held !== undefined && held.loadedAt <= now && now < held.validUntil) return held.value;
    const since = this.#refreshingSince;
    if (held !== undefined && since !== undefined && since <= now && now - since < this.refreshTimeoutMs) return held.value;
    const generation = this.#generation;
    this.#refreshingSince = now;
    try {
      const loaded = await load();
      if (generation === this.#generation) this.#held = { value: loaded.value, loadedAt: now, validUntil: loaded.validUntil };
      return loaded.value;
    } finally {
      if (generation === this.#generation) this.#refreshingSince = undefined;
    }
  }

  /** The value is known to be out of date: the next requests load their own. */
  invalidate(): void {
    this.#held = undefined;
    this.#refreshingSince = undefined;
    this.#generation++;
  }
}
