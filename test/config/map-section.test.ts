// readMapSection says itself whether its section failed: a caller reads `undefined`, never compares
// issue counts, and problems reported before the section do not make a valid section fail.

import assert from "node:assert/strict";
import { readMapSection } from "../../worker/config/fields.js";
import { IssueCollector } from "../../worker/config/issues.js";

const TABLE = {
  name: {
    read: (value: unknown, key: string, issues: IssueCollector) => {
      if (typeof value === "string") return value;
      issues.add(key, "must be a string");
      return undefined;
    },
  },
} as const;
const OPTIONS = { what: "a field of the section", keyOf: (name: string) => `section.${name}`, shape: "a map" };

describe("readMapSection", () => {
  it("returns the fields of a valid section, even after problems reported elsewhere", () => {
    const issues = new IssueCollector();
    issues.add("elsewhere", "an earlier problem");
    assert.deepEqual(readMapSection({ name: "billing" }, "section", issues, TABLE, OPTIONS), { name: "billing" });
    assert.equal(issues.count, 1);
  });

  it("returns undefined when one of its fields has a problem, and records the problem", () => {
    const issues = new IssueCollector();
    assert.equal(readMapSection({ name: 42 }, "section", issues, TABLE, OPTIONS), undefined);
    assert.equal(issues.count, 1);
  });

  it("returns undefined when the value is not a map", () => {
    const issues = new IssueCollector();
    assert.equal(readMapSection(["billing"], "section", issues, TABLE, OPTIONS), undefined);
    assert.equal(issues.count, 1);
  });
});
