import assert from "node:assert/strict";
import { type CachedToken, TOKEN_CACHE_MAX_ENTRIES, TokenCache } from "../../worker/tokens/token-cache.js";

const ISSUED_AT = 1_700_000_000;
const KID = "kid-active";

function entry(token: string, lifetimeSeconds = 300, kid = KID, issuedAt = ISSUED_AT): CachedToken {
  return {
    token,
    claims: { jti: `jti-${token}`, iat: issuedAt },
    kid,
    issuedAt,
    expiresAt: issuedAt + lifetimeSeconds,
  };
}

/** Milliseconds since the epoch, `seconds` after ISSUED_AT. */
const at = (seconds: number): number => (ISSUED_AT + seconds) * 1_000;

describe("TokenCache: reuse window", () => {
  it("builds distinct keys for workload, audience and lifetime", () => {
    const keys = new Set([
      TokenCache.key("billing", "sts.amazonaws.com", 300),
      TokenCache.key("billing", "sts.amazonaws.com", 120),
      TokenCache.key("billing", "other", 300),
      TokenCache.key("ledger", "sts.amazonaws.com", 300),
    ]);
    assert.equal(keys.size, 4);
    // Moving a character across a field boundary makes another key, which plain concatenation would not.
    const shifted = new Set([
      TokenCache.key("billing", "sts.amazonaws.com", 30),
      TokenCache.key("billin", "gsts.amazonaws.com", 30),
      TokenCache.key("billing", "sts.amazonaws.com3", 0),
    ]);
    assert.equal(shifted.size, 3);
    // Equal fields built separately reach the same entry: the key depends on values, not on identity.
    const cache = new TokenCache();
    cache.set(TokenCache.key("billing", "sts.amazonaws.com", 300), entry("t1"));
    const workload = ["bill", "ing"].join("");
    const audience = new URL("https://sts.amazonaws.com").hostname;
    assert.equal(cache.get(TokenCache.key(workload, audience, 150 * 2), at(0), KID)?.token, "t1");
    assert.equal(cache.get(TokenCache.key(workload, audience, 301), at(0), KID), undefined);
  });

  it("hands the token out again right after it was stored", () => {
    const cache = new TokenCache();
    cache.set("k", entry("t1"));
    assert.deepEqual(cache.get("k", at(0), KID), entry("t1"));
  });

  it("hands it out while exactly half the lifetime remains, and not a millisecond later", () => {
    const cache = new TokenCache();
    cache.set("k", entry("t1", 300));
    assert.equal(cache.get("k", at(150), KID)?.token, "t1");
    assert.equal(cache.get("k", at(150) + 1, KID), undefined);
  });

  it("drops an entry once it is past half its life, so a later get misses too", () => {
    const cache = new TokenCache();
    cache.set("k", entry("t1", 300));
    assert.equal(cache.get("k", at(200), KID), undefined);
    assert.equal(cache.size, 0);
    assert.equal(cache.get("k", at(0), KID), undefined);
  });

  it("does not hand out an expired token", () => {
    const cache = new TokenCache();
    cache.set("k", entry("t1", 60));
    assert.equal(cache.get("k", at(61), KID), undefined);
  });

  it("applies the half-life rule to each entry's own lifetime", () => {
    const cache = new TokenCache();
    cache.set("short", entry("s", 60));
    cache.set("long", entry("l", 3600));
    assert.equal(cache.get("short", at(31), KID), undefined);
    assert.equal(cache.get("long", at(31), KID)?.token, "l");
    assert.equal(cache.get("long", at(1800), KID)?.token, "l");
    assert.equal(cache.get("long", at(1801), KID), undefined);
  });

  it("misses on an unknown key", () => {
    assert.equal(new TokenCache().get("nothing", at(0), KID), undefined);
  });

  it("does not hand out a token signed by another kid, and drops it", () => {
    const cache = new TokenCache();
    cache.set("k", entry("old", 300, "kid-old"));
    assert.equal(cache.get("k", at(0), "kid-new"), undefined);
    assert.equal(cache.size, 0);
    // Dropped: even the kid that signed it no longer gets it back.
    assert.equal(cache.get("k", at(0), "kid-old"), undefined);
  });

  it("replaces an entry stored again under the same key", () => {
    const cache = new TokenCache();
    cache.set("k", entry("t1"));
    cache.set("k", entry("t2"));
    assert.equal(cache.size, 1);
    assert.equal(cache.get("k", at(0), KID)?.token, "t2");
  });
});

describe("TokenCache: bound and eviction", () => {
  it("defaults to TOKEN_CACHE_MAX_ENTRIES", () => {
    assert.equal(TOKEN_CACHE_MAX_ENTRIES, 1_024);
    assert.equal(new TokenCache().maxEntries, 1_024);
  });

  it("evicts the least recently stored entry first", () => {
    const cache = new TokenCache(3);
    for (const key of ["a", "b", "c", "d"]) cache.set(key, entry(key));
    assert.equal(cache.size, 3);
    assert.equal(cache.get("a", at(0), KID), undefined);
    assert.deepEqual(
      ["b", "c", "d"].map((k) => cache.get(k, at(0), KID)?.token),
      ["b", "c", "d"],
    );
  });

  it("keeps evicting in insertion order as more entries arrive", () => {
    const cache = new TokenCache(3);
    for (const key of ["a", "b", "c", "d", "e"]) cache.set(key, entry(key));
    assert.equal(cache.get("a", at(0), KID), undefined);
    assert.equal(cache.get("b", at(0), KID), undefined);
    assert.deepEqual(
      ["c", "d", "e"].map((k) => cache.get(k, at(0), KID)?.token),
      ["c", "d", "e"],
    );
  });

  it("refreshes recency on get, so the entry read is evicted last", () => {
    const cache = new TokenCache(3);
    for (const key of ["a", "b", "c"]) cache.set(key, entry(key));
    assert.equal(cache.get("a", at(0), KID)?.token, "a");
    cache.set("d", entry("d"));
    assert.equal(cache.get("b", at(0), KID), undefined, "b was least recently used");
    assert.equal(cache.get("a", at(0), KID)?.token, "a");
    assert.equal(cache.get("c", at(0), KID)?.token, "c");
    assert.equal(cache.get("d", at(0), KID)?.token, "d");
  });

  it("refreshes recency on set of an existing key", () => {
    const cache = new TokenCache(3);
    for (const key of ["a", "b", "c"]) cache.set(key, entry(key));
    cache.set("a", entry("a2"));
    cache.set("d", entry("d"));
    assert.equal(cache.size, 3);
    assert.equal(cache.get("b", at(0), KID), undefined);
    assert.equal(cache.get("a", at(0), KID)?.token, "a2");
  });

  it("a miss does not refresh anything", () => {
    const cache = new TokenCache(3);
    for (const key of ["a", "b", "c"]) cache.set(key, entry(key));
    assert.equal(cache.get("zzz", at(0), KID), undefined);
    cache.set("d", entry("d"));
    assert.equal(cache.get("a", at(0), KID), undefined);
  });

  it("never exceeds its bound under 10,000 distinct keys", () => {
    const cache = new TokenCache(3);
    let largest = 0;
    for (let i = 0; i < 10_000; i++) {
      cache.set(TokenCache.key(`w${i}`, "aud", 300), entry(`t${i}`));
      largest = Math.max(largest, cache.size);
    }
    assert.equal(largest, 3);
    assert.equal(cache.size, 3);
    assert.equal(cache.get(TokenCache.key("w9999", "aud", 300), at(0), KID)?.token, "t9999");
    assert.equal(cache.get(TokenCache.key("w9996", "aud", 300), at(0), KID), undefined);
  });

  it("never exceeds the default bound under 10,000 distinct keys", () => {
    const cache = new TokenCache();
    for (let i = 0; i < 10_000; i++) cache.set(`k${i}`, entry(`t${i}`));
    assert.equal(cache.size, TOKEN_CACHE_MAX_ENTRIES);
    assert.equal(
      cache.get(`k${10_000 - TOKEN_CACHE_MAX_ENTRIES}`, at(0), KID)?.token,
      `t${10_000 - TOKEN_CACHE_MAX_ENTRIES}`,
    );
    assert.equal(cache.get(`k${10_000 - TOKEN_CACHE_MAX_ENTRIES - 1}`, at(0), KID), undefined);
  });
});
