// Parsing a binding once per isolate: the last source's value or failure is kept.

import assert from "node:assert/strict";
import { lastParsed } from "../../worker/isolate/last-parsed.js";

describe("lastParsed", () => {
  it("parses a source once, again only when the source changes", () => {
    const seen: string[] = [];
    const parse = lastParsed((source: string) => {
      seen.push(source);
      return Number(source);
    });
    assert.equal(parse("1"), 1);
    assert.equal(parse("1"), 1);
    assert.equal(parse("2"), 2);
    assert.equal(parse("1"), 1);
    assert.deepEqual(seen, ["1", "2", "1"]);
  });

  it("keeps a failure and throws the same error each time", () => {
    let calls = 0;
    const parse = lastParsed((source: string | undefined) => {
      calls++;
      if (source === undefined) throw new TypeError("missing");
      return source;
    });
    let first: unknown;
    assert.throws(
      () => parse(undefined),
      (error: unknown) => ((first = error), error instanceof TypeError),
    );
    assert.throws(
      () => parse(undefined),
      (error: unknown) => error === first,
    );
    assert.equal(calls, 1);
    assert.equal(parse("x"), "x");
  });
});
