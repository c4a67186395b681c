// IssueCollector.checked: a reader's own part failed when it reported a problem, whatever came before.

import assert from "node:assert/strict";
import { IssueCollector } from "../../worker/config/issues.js";

describe("IssueCollector.checked", () => {
  it("returns what the block returns when the block reported nothing, even after earlier problems", () => {
    const issues = new IssueCollector();
    issues.add("a", "is wrong");
    assert.deepEqual(
      issues.checked(() => ["x"]),
      ["x"],
    );
  });

  it("returns undefined when the block reported a problem, and keeps the problem", () => {
    const issues = new IssueCollector();
    assert.equal(
      issues.checked(() => {
        issues.add("b", "is wrong");
        return ["x"];
      }),
      undefined,
    );
    assert.deepEqual(
      issues.issues.map((issue) => issue.key),
      ["b"],
    );
  });
});
