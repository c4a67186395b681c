// How a key row's published_at reads back (KeyRows maps it with publishedAtOf): NULL (not yet in
// KV) and a stored instant, and a row written with a non-finite value still loads, as unpublished.

import assert from "node:assert/strict";
import { publishedAtOf } from "../../worker/keys/published-at.js";

describe("signing_keys.published_at as the timeline's publishedAt", () => {
  it("reads NULL as not published (null)", () => {
    assert.equal(publishedAtOf(null), null);
  });

  it("reads a stored instant as that instant", () => {
    assert.equal(publishedAtOf(5_000), 5_000);
  });

  it("reads a non-finite value, the old in-memory 'never', as not published", () => {
    for (const stored of [Number.POSITIVE_INFINITY, Number.NaN, "Infinity"]) {
      assert.equal(publishedAtOf(stored), null, String(stored));
    }
  });
});
