// Duplicate member names, which JSON.parse silently resolves (last one wins), are refused at every
// depth; names are compared after unescaping.

import assert from "node:assert/strict";
import fc from "fast-check";
import { parseStrictJsonObject } from "../../worker/verification/strict-json.js";

describe("strict JSON objects", () => {
  it("keeps apart names that differ only in what an escape stands for", () => {
    const result = parseStrictJsonObject('{"a\\\\":1,"a\\\\\\\\":2,"a\\"":3}');
    assert.deepEqual(result, { ok: true, value: { "a\\": 1, "a\\\\": 2, 'a"': 3 } });
  });

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
    ["spelt with an escaped quote in both", '{"a\\"b":1,"a\\u0022b":2}'],
    ["after an escaped backslash ending a name", '{"a\\\\":1,"a\\\\":2}'],
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

  describe("against generated objects", () => {
    const members = fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), {
      minKeys: 1,
      maxKeys: 6,
    });
    const spacing = fc.constantFrom("", " ", "\n  ", "\t");
    /** An object's text with `gap` around every colon, and the member `repeat` written once more. */
    const write = (entries: [string, unknown][], gap: string, repeat?: number) => {
      const written = entries.map(([k, v]) => `${JSON.stringify(k)}${gap}:${gap}${JSON.stringify(v)}`);
      if (repeat !== undefined) written.push(`${JSON.stringify(entries[repeat % entries.length]![0])}${gap}:${gap}0`);
      return `{${written.join(",")}}`;
    };

    it("accepts every object whose names are distinct, however it is spaced", () => {
      fc.assert(
        fc.property(members, spacing, (object, gap) => {
          const text = `{"outer":[${write(Object.entries(object), gap)}]}`;
          assert.deepEqual(parseStrictJsonObject(text), { ok: true, value: JSON.parse(text) as unknown });
        }),
        { numRuns: 300 },
      );
    });

    it("refuses every object with one name written twice, at any depth", () => {
      fc.assert(
        fc.property(members, spacing, fc.nat(), fc.boolean(), (object, gap, repeat, nested) => {
          const inner = write(Object.entries(object), gap, repeat);
          const text = nested ? `{"outer":[1,{"x":${inner}}]}` : inner;
          assert.deepEqual(parseStrictJsonObject(text), { ok: false, reason: "has duplicate member names" });
        }),
        { numRuns: 300 },
      );
    });
  });

  it("counts members of deeply nested input without exhausting the stack", () => {
    const depth = 50_000;
    const text = `{"a":${"[".repeat(depth)}{"b":1,"b":2}${"]".repeat(depth)}}`;
    // Node's JSON.parse takes this depth, so the refusal is the duplicate scan's, not a crash.
    assert.deepEqual(parseStrictJsonObject(text), { ok: false, reason: "has duplicate member names" });
  });
});
