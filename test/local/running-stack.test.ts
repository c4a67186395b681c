// `npm start` records the running stack (issuer URL, port, pid, start time) in its state directory
// once it listens, and removes the record when it stops, so the CLI finds the port rather than
// assume one.

import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../support/free-port.js";
import { startLocal, stopLocal } from "../support/local-start.js";
import { runTsx } from "../support/run-tsx.js";

const CLI = "worker/cli/main.ts";

describe("npm start: the record of the running stack, for the CLI", function () {
  this.timeout(90_000);
  let stateDir: string;

  before(async () => {
    stateDir = await mkdtemp(join(tmpdir(), "wid-running-"));
  });
  after(async () => {
    await rm(stateDir, { recursive: true, force: true });
  });

  it("writes running.json once listening, with the URL it prints, and removes it on Ctrl-C", async () => {
    const port = await freePort();
    const startedBefore = Date.now();
    const { child, banner } = await startLocal(port, stateDir, [], 30_000);
    const path = join(stateDir, "running.json");
    try {
      const record = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
      assert.deepEqual(Object.keys(record).sort(), ["issuerUrl", "pid", "port", "startedAt"]);
      assert.equal(record.issuerUrl, `http://127.0.0.1:${port}`);
      assert.equal(record.port, port);
      assert.equal(record.pid, child.pid);
      const startedAt = Date.parse(String(record.startedAt));
      assert.ok(startedAt >= startedBefore - 1_000 && startedAt <= Date.now(), String(record.startedAt));
      assert.match(
        banner,
        new RegExp(
          `^ {2}listening on http://127\\.0\\.0\\.1:${port} \\(recorded in ${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} for the CLI while this runs\\)$`,
          "m",
        ),
      );
      const discovery = await fetch(`${record.issuerUrl}/.well-known/openid-configuration`);
      assert.equal(discovery.status, 200, "the recorded URL is the issuer's");

      // The CLI, given no --issuer, talks to the recorded stack.
      const listed = await runTsx(CLI, ["keys", "list", "--json", "--state-dir", stateDir], { WID_ISSUER: "" });
      assert.equal(listed.code, 0, listed.stdout + listed.stderr);
      const listing = JSON.parse(listed.stdout) as { keys: unknown; now: unknown };
      assert.ok(Array.isArray(listing.keys) && typeof listing.now === "number", listed.stdout);
    } finally {
      await stopLocal(child);
    }
    assert.equal(existsSync(path), false, "the record goes when the stack stops");
    const stopped = await runTsx(CLI, ["keys", "list", "--state-dir", stateDir], { WID_ISSUER: "" });
    assert.equal(stopped.code, 1);
    assert.match(stopped.stderr, /^no issuer: start the local stack with `npm start` or pass --issuer <url>/m);
  });
});
