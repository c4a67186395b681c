// Per-isolate cache of issued tokens by (workload, audience, lifetime): a token is handed out
// again while at least half its life remains, so a busy workload does not cost a signature per
// call. Bounded, least recently used first out. Only tokens signed by the isolate's current
// signing key are handed out, so a rotation or revocation also retires cached tokens.

import type { RevocableClaims } from "../revocation/list.js";

export interface CachedToken {
  readonly token: string;
  /** What the revocation list is matched against (the signed claims), so a hit decodes nothing. */
  readonly claims: RevocableClaims;
  readonly kid: string;
  /** Seconds since the epoch, as in the token. */
  readonly issuedAt: number;
  readonly expiresAt: number;
}

export const TOKEN_CACHE_MAX_ENTRIES = 1_024;
/** Reuse a token only while this fraction of its lifetime remains. */
const REUSE_WHILE_REMAINING = 0.5;

export class TokenCache {
  readonly #entries = new Map<string, CachedToken>();

  constructor(readonly maxEntries: number = TOKEN_CACHE_MAX_ENTRIES) {}

  static key(workload: string, audience: string, lifetimeSeconds: number): string {
    return `${workload}\u0000${audience}\u0000${lifetimeSeconds}`;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** A cached token still worth handing out at `nowMs`, signed by `signingKid`. */
  get(key: string, nowMs: number, signingKid: string): CachedToken | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    const lifetime = entry.expiresAt - entry.issuedAt;
    const remaining = entry.expiresAt - nowMs / 1_000;
    if (remaining < lifetime * REUSE_WHILE_REMAINING || entry.kid !== signingKid) {
      this.#entries.delete(key);
      return undefined;
    }
    // Refresh recency: Map iteration order is insertion order.
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry;
  }

  set(key: string, entry: CachedToken): void {
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    while (this.#entries.size > this.maxEntries) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
  }
}
