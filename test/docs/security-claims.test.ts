// SECURITY.md's security claims each point at the tests that back them: every test file the table
// names exists and holds at least one test, and every attack file of test/hostile is named, so
// the table cannot drift from the suite.

import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { REPO_ROOT } from "../support/run-tsx.js";

const SECTION = "## Security claims, and the tests that back them";

function claimsTable(): { claim: string; files: string[] }[] {
  const security = readFileSync(resolve(REPO_ROOT, "SECURITY.md"), "utf8");
  const start = security.indexOf(SECTION);
  assert.ok(start >= 0, `SECURITY.md has no section "${SECTION}"`);
  const rows = security.slice(start).split("\n").slice(1);
  const table = rows.slice(rows.findIndex((line) => line.startsWith("|")));
  return table
    .slice(
      0,
      table.findIndex((line) => !line.startsWith("|")),
    )
    .slice(2)
    .map((line) => {
      const [, claim = "", tests = ""] = line.split(/\s*\|\s*/);
      return { claim, files: [...tests.matchAll(/`(test\/[^`]+\.ts)`/g)].map((m) => m[1]!) };
    });
}

describe("SECURITY.md: security claims point at their tests", () => {
  const table = claimsTable();

  it("names at least one test file for every claim, and every named file exists", () => {
    assert.ok(table.length >= 10, `only ${table.length} claims parsed`);
    for (const { claim, files } of table) {
      assert.ok(
        files.some((f) => f.endsWith(".test.ts")),
        `no test file for: ${claim}`,
      );
      for (const file of files)
        assert.ok(existsSync(resolve(REPO_ROOT, file)), `${file} (for: ${claim}) does not exist`);
    }
  });

  it("points only at test files that hold tests", () => {
    for (const file of table.flatMap((row) => row.files).filter((f) => f.endsWith(".test.ts"))) {
      assert.match(readFileSync(resolve(REPO_ROOT, file), "utf8"), /\bit\(/, `${file} holds no test`);
    }
  });

  it("names every attack test of test/hostile", () => {
    const named = new Set(table.flatMap((row) => row.files));
    for (const file of readdirSync(resolve(REPO_ROOT, "test/hostile")).filter((f) => f.endsWith(".test.ts"))) {
      assert.ok(named.has(`test/hostile/${file}`), `test/hostile/${file} backs no claim in SECURITY.md's table`);
    }
  });
});
