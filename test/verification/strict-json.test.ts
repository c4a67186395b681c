// Duplicate member names, which JSON.parse silently resolves (last one wins), are refused at every
// depth; names are compared after unescaping.

import assert from "node:assert/strict";
import { parseStrictJsonObject } from "../../worker/verification/strict-json.js";

describe("strict JSON objects", () => {
  it("parses an object with distinct names at every depth", () => {
    const result = parseStrictJsonObject('{"a":1,"b":{"a":2,"c":[{"a":3},{"a":4}]},"s":"x\\"a\\":1,\\"a"}');
    assert.deepEqual(result, { ok: true, value: { a: 1, b: { a: 2, c: [{ a: 3 }, { a: 4 }] }, s: 'x"a":1,"a' } });
  });

  const duplicates: [string, string][] = [
    ["at the top level", '{"sub":"a","sub":"b"}'],
    ["spelt with an escape", '{"sub":"a","\\u0073ub":"b"}'],
    ["in a nested object", '{"x":{"k":1,"k":2}}'],
    ["in an object inside an array", '{"x":[1,{"k":1,"k":2}]}'],
    ["after a string value holding a comma and quotes", '{"a":"1,\\"a\\"","a":2}'],
  ];
  for (const [where, text] of duplicates) {
    it(`refuses a duplicate name ${where}`, () => {
      assert.deepEqual(parseStrictJsonObject(text), { ok: false, reason: "has duplicate member names" });
    });
  }

  it("refuses what is not a JSON object", () => {
    for (const text of ["[1]", "1", "null", '"x"', "{", "{'a':1}", "\uFEFF{}"]) {
      const result = parseStrictJsonObject(text);
      assert.equal(result.ok, false, text);
    }
  });
});
