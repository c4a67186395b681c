// The decoded form of tokens that have verified once, per isolate and keyed by the token's text.
// A relying party sees the same token many times (the issuer hands a cached token out again for
// half its life, and the workload SDK keeps it too), and decoding it (three base64url segments,
// UTF-8, two JSON parses with the duplicate-name check, the signing input) costs about as much
// as the signature check itself in workerd (bench/RESULTS.md).
//
// Only decoding is skipped: decoding is a pure function of the text, so a hit is exactly what
// decoding again would produce. The signature, claims, time, matchers and revocation are checked
// on every verification. Only tokens whose signature verified are added, so hostile or garbage
// tokens cannot evict anything, and the claims are deep-frozen so no caller can alter what the
// next one reads. Bounded by entries and by the characters held (least recently used out).

import type { DecodedToken } from "./compact-token.js";

export const MAX_DECODED_TOKENS = 256;
const MAX_DECODED_TOKEN_CHARS = 1_048_576;

export class DecodedTokenCache {
  readonly #entries = new Map<string, DecodedToken>();
  #chars = 0;

  constructor(
    readonly maxEntries: number = MAX_DECODED_TOKENS,
    readonly maxChars: number = MAX_DECODED_TOKEN_CHARS,
  ) {}

  get size(): number {
    return this.#entries.size;
  }

  /** Characters of token text held. */
  get chars(): number {
    return this.#chars;
  }

  get(token: string): DecodedToken | undefined {
    const entry = this.#entries.get(token);
    if (entry !== undefined) {
      // Map order is insertion order: re-inserting makes this the most recently used.
      this.#entries.delete(token);
      this.#entries.set(token, entry);
    }
    return entry;
  }

  /** Keeps `decoded` (which it deep-freezes) for `token`, evicting the least recently used. */
  add(token: string, decoded: DecodedToken): void {
    if (token.length > this.maxChars || this.#entries.has(token)) return;
    deepFreeze(decoded.header);
    deepFreeze(decoded.payload);
    this.#entries.set(token, Object.freeze({ ...decoded }));
    this.#chars += token.length;
    while (this.#entries.size > this.maxEntries || this.#chars > this.maxChars) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
      this.#chars -= oldest.length;
    }
  }

  clear(): void {
    this.#entries.clear();
    this.#chars = 0;
  }
}

/** Freezes a parsed JSON value at every depth (iterative: the depth is the input's). */
function deepFreeze(value: unknown): void {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const next = pending.pop();
    if (typeof next !== "object" || next === null || Object.isFrozen(next)) continue;
    Object.freeze(next);
    for (const member of Object.values(next)) pending.push(member);
  }
}

/** The isolate's cache, shared by every verifier in it (decoding does not depend on the issuer). */
export const decodedTokens = new DecodedTokenCache();
