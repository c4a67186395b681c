// `wid validate`: the stack config checked offline with the validator `pulumi up` runs, so a
// broken stack file reads the same problems here as at deploy time; exit codes 0 (valid),
// 1 (invalid or missing file) and 2 (usage).

import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parse, stringify } from "yaml";
import { stackFilePath, validateStack } from "../../worker/cli/validate.js";
import { ConfigError } from "../../worker/config/errors.js";
import { validateStackConfig } from "../../worker/config/validate.js";
import { REPO_ROOT, runTsx } from "../support/run-tsx.js";

const CLI = resolve(REPO_ROOT, "worker/cli/main.ts");

describe("wid validate", function () {
  this.timeout(60_000);
  let dir: string;
  let broken: Record<string, unknown>;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "wid-validate-"));
    copyFileSync(resolve(REPO_ROOT, "Pulumi.yaml"), join(dir, "Pulumi.yaml"));
    const dev = parse(readFileSync(resolve(REPO_ROOT, "Pulumi.dev.yaml"), "utf8")) as {
      config: Record<string, unknown>;
    };
    const workloads = structuredClone(dev.config["worker-identity:workloads"]) as Record<
      string,
      Record<string, unknown>
    >;
    workloads.billing!.tokenLifetimeSeconds = "forever";
    // A top-level plain value as Pulumi hands it to the program: text.
    broken = { ...dev.config, "worker-identity:workloads": workloads, "worker-identity:rotationPeriodDays": "0" };
    writeFileSync(join(dir, "Pulumi.broken.yaml"), stringify({ config: broken }));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** The problems `pulumi up`'s validator finds in the broken stack, asked directly. */
  function deployTimeIssues(): readonly { key: string; message: string }[] {
    try {
      validateStackConfig(broken, { project: "worker-identity", stack: "broken" });
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      return error.issues.map(({ key, message }) => ({ key, message }));
    }
    assert.fail("the broken stack validated");
  }

  it("takes a stack name as pulumi -s does, or a path", () => {
    assert.equal(stackFilePath("dev", "/repo"), resolve("/repo/Pulumi.dev.yaml"));
    assert.equal(stackFilePath("stacks/Pulumi.prod.yaml", "/repo"), resolve("/repo/stacks/Pulumi.prod.yaml"));
  });

  it("passes the dev stack, naming what it registers (exit 0)", async () => {
    const run = await runTsx(CLI, ["validate", "--stack", "dev", "--json"]);
    assert.equal(run.code, 0, run.stderr);
    const answer = JSON.parse(run.stdout) as { valid: boolean; workloads: string[] };
    const dev = parse(readFileSync(resolve(REPO_ROOT, "Pulumi.dev.yaml"), "utf8")) as {
      config: Record<string, unknown>;
    };
    assert.equal(answer.valid, true);
    assert.deepEqual(answer.workloads.sort(), Object.keys(dev.config["worker-identity:workloads"] as object).sort());
  });

  it("refuses a broken stack with the problems pulumi up reports, each line as it prints it (exit 1)", async () => {
    const run = await runTsx(CLI, ["validate", "--stack", join(dir, "Pulumi.broken.yaml")]);
    assert.equal(run.code, 1);
    const issues = deployTimeIssues();
    assert.ok(issues.length >= 2);
    for (const { key, message } of issues)
      assert.ok(run.stderr.includes(`  ${key}: ${message}`), `${key} in:\n${run.stderr}`);
  });

  it("answers the same problems as JSON with --json", () => {
    const outcome = validateStack("broken", { cwd: dir, json: true });
    assert.equal(outcome.code, 1);
    assert.deepEqual(JSON.parse(outcome.stdout), { valid: false, issues: deployTimeIssues() });
  });

  it("says which file is missing, and exits 2 on a command it does not know", async () => {
    const missing = validateStack("prod", { cwd: dir, json: false });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /Pulumi\.prod\.yaml does not exist; pass --stack <name>/);
    const usage = await runTsx(CLI, ["frobnicate"]);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /unknown command 'frobnicate'/);
  });
});
