// If-None-Match for the issuer's documents (RFC 9110 §13.1.2: weak comparison, lists, "*").

import assert from "node:assert/strict";
import { ifNoneMatchMatches } from "../../worker/http/conditional.js";

describe("If-None-Match", () => {
  const etag = '"abc"';
  const cases: [string | null, boolean][] = [
    ['"abc"', true],
    ['W/"abc"', true],
    ['"x", "abc"', true],
    [' "x" ,W/"abc" ', true],
    ["*", true],
    ['"abcd"', false],
    ['"ab"', false],
    ["abc", false],
    ["", false],
    [null, false],
  ];
  for (const [header, expected] of cases) {
    it(`${JSON.stringify(header)} ${expected ? "matches" : "does not match"} ${etag}`, () => {
      assert.equal(ifNoneMatchMatches(header, etag), expected);
    });
  }

  it("never matches a document without an ETag, even for *", () => {
    assert.equal(ifNoneMatchMatches("*", ""), false);
  });
});
