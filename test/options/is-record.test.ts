// The one test of "an object whose members are options", shared by every validator.

import assert from "node:assert/strict";
import { isPlainObject, isRecord } from "../../worker/options/is-record.js";

class Settings {
  readonly a = 1;
}

describe("isRecord and isPlainObject", () => {
  it("isRecord takes any non-null object but an array", () => {
    for (const value of [{}, { a: 1 }, Object.create(null), new Settings(), new Map(), new Date(0)])
      assert.equal(isRecord(value), true);
    for (const value of [null, undefined, [], [1], "x", 1, true, () => ({})]) assert.equal(isRecord(value), false);
  });

  it("isPlainObject takes only object literals and Object.create(null)", () => {
    assert.equal(isPlainObject({ a: 1 }), true);
    assert.equal(isPlainObject(Object.create(null)), true);
    for (const value of [new Settings(), new Map(), new Date(0), Object(1), [], null, "x"])
      assert.equal(isPlainObject(value), false);
  });
});
