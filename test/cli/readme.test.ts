// worker/cli/README.md's commands work as printed: every line of its sh blocks runs, in order, in
// one shell against a real `npm start` (found through its record, as the README says, with no
// --issuer), `npx wid` standing for the CLI's source.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { freePort } from "../support/free-port.js";
import { startLocal, stopLocal } from "../support/local-start.js";
import { type Finished, finished, REPO_ROOT, SOURCE_CONDITION_FLAG } from "../support/run-tsx.js";

const README = resolve(REPO_ROOT, "worker/cli/README.md");
/** tsx's loader, by path: the shell runs in a directory with no node_modules of its own. */
const TSX = resolve(REPO_ROOT, "node_modules/tsx/dist/loader.mjs");

function shellLines(markdown: string): string[] {
  return [...markdown.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].flatMap((block) =>
    (block[1] ?? "").split("\n").filter((line) => line.trim() !== ""),
  );
}

function bash(script: string, cwd: string): Promise<Finished> {
  const env: Record<string, string | undefined> = { ...process.env, WID_ISSUER: "" };
  delete env.WID_ADMIN_TOKEN;
  return finished(spawn("bash", ["-c", script], { cwd, env, stdio: ["ignore", "pipe", "pipe"] }));
}

describe("worker/cli/README.md", function () {
  this.timeout(120_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "wid-readme-"));
    for (const file of ["Pulumi.yaml", "Pulumi.dev.yaml"]) copyFileSync(resolve(REPO_ROOT, file), join(dir, file));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("shows every command, and each shown command works as printed against npm start", async () => {
    const lines = shellLines(readFileSync(README, "utf8"));
    for (const command of [
      "token",
      "verify",
      "keys list",
      "keys rotate",
      "keys revoke",
      "revoke",
      "revocations",
      "validate",
    ]) {
      assert.ok(
        lines.some((line) => line.includes(`npx wid ${command} `) || line.endsWith(`npx wid ${command}`)),
        `the README shows wid ${command}`,
      );
    }
    const main = resolve(REPO_ROOT, "worker/cli/main.ts");
    const script = [
      "set -euo pipefail",
      `npx() { [ "$1" = wid ] || return 99; shift; node --import ${pathToFileURL(TSX).href} ${SOURCE_CONDITION_FLAG} ${JSON.stringify(main)} "$@"; }`,
      ...lines.flatMap((line, index) => [`echo ${JSON.stringify(`README line ${index + 1}: ${line}`)} >&2`, line]),
    ].join("\n");
    const { child } = await startLocal(await freePort(), join(dir, ".wid"), ["--stack", join(dir, "Pulumi.dev.yaml")]);
    try {
      const ran = await bash(script, dir);
      const last = ran.stderr
        .split("\n")
        .filter((line) => line.startsWith("README line "))
        .at(-1);
      assert.equal(ran.code, 0, `${last}\n${ran.stderr.slice(-2_000)}`);
      assert.equal(last, `README line ${lines.length}: ${lines.at(-1)}`, "every line ran");
    } finally {
      await stopLocal(child);
    }
  });
});
