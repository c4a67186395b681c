// Which issuer a wid command talks to: --issuer, else WID_ISSUER, else the local stack recorded by
// `npm start` in the state directory while it runs; a record whose process has gone is stale and
// said to be, and with none of them the command fails (exit 1) rather than guess a port.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CliFailure, UsageError } from "../../worker/cli/failure.js";
import { issuerUrl } from "../../worker/cli/issuer-url.js";
import {
  findRunningStack,
  pidAlive,
  type RunningStackRecord,
  recordRunningStack,
  removeRunningStack,
  runningStackPath,
} from "../../worker/local/running-stack.js";
import { LoopbackServer } from "../sdk/support/loopback.js";
import { jsonOf, wid } from "./support/run-wid.js";

/** A pid no process has: beyond Linux's pid_max (4194304). */
const DEAD_PID = 99_999_999;

describe("wid: the issuer from --issuer, WID_ISSUER or the recorded local stack", () => {
  let dir: string;
  const record = (over: Partial<RunningStackRecord> = {}): RunningStackRecord => ({
    issuerUrl: "http://127.0.0.1:45123",
    port: 45123,
    pid: process.pid,
    startedAt: "2026-12-03T10:00:00.000Z",
    ...over,
  });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "wid-lookup-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("records, finds and removes a running stack, and keeps another process's record", () => {
    assert.deepEqual(findRunningStack(dir), { kind: "none", path: join(dir, "running.json") });
    const path = recordRunningStack(dir, record());
    assert.equal(path, runningStackPath(dir));
    assert.deepEqual(findRunningStack(dir), { kind: "running", path, record: record() });
    removeRunningStack(dir, process.pid + 1);
    assert.equal(findRunningStack(dir).kind, "running", "a record of another pid stays");
    removeRunningStack(dir);
    assert.equal(findRunningStack(dir).kind, "none");
  });

  it("a record whose pid is gone is stale; a damaged one is damaged", () => {
    recordRunningStack(dir, record({ pid: DEAD_PID }));
    assert.equal(pidAlive(DEAD_PID), false);
    assert.equal(pidAlive(process.pid), true);
    assert.equal(findRunningStack(dir).kind, "stale");
    writeFileSync(runningStackPath(dir), "{not json");
    assert.equal(findRunningStack(dir).kind, "damaged");
    writeFileSync(runningStackPath(dir), JSON.stringify({ issuerUrl: "http://x", port: "8787", pid: 1 }));
    const found = findRunningStack(dir);
    assert.deepEqual(found, {
      kind: "damaged",
      path: runningStackPath(dir),
      problem: "not a record of {issuerUrl, port, pid, startedAt}",
    });
  });

  it("--issuer wins over WID_ISSUER, which wins over the record; trailing slashes go", () => {
    recordRunningStack(dir, record());
    const env = { WID_ISSUER: "https://issuer.example.com/" };
    assert.equal(issuerUrl({ flag: "http://127.0.0.1:9999/", env, stateDir: dir }), "http://127.0.0.1:9999");
    assert.equal(issuerUrl({ flag: undefined, env, stateDir: dir }), "https://issuer.example.com");
    assert.equal(issuerUrl({ flag: undefined, env: { WID_ISSUER: "" }, stateDir: dir }), "http://127.0.0.1:45123");
  });

  it("a stale record fails with no_issuer, naming the record, its URL and pid, and the fix", () => {
    recordRunningStack(dir, record({ pid: DEAD_PID }));
    assert.throws(
      () => issuerUrl({ flag: undefined, env: {}, stateDir: dir }),
      (error: unknown) =>
        error instanceof CliFailure &&
        !(error instanceof UsageError) &&
        error.code === "no_issuer" &&
        error.exitCode === 1 &&
        error.message ===
          `no issuer: the local stack recorded in ${join(dir, "running.json")} (http://127.0.0.1:45123, pid ${DEAD_PID}, ` +
            "started 2026-12-03T10:00:00.000Z) is no longer running: start the local stack with `npm start` or pass --issuer <url>",
    );
  });

  it("a command finds the issuer the record names, without --issuer", async () => {
    const issuer = await LoopbackServer.start(() => ({
      contentType: "application/json",
      body: JSON.stringify({ now: 1, entries: [] }),
    }));
    try {
      recordRunningStack(dir, record({ issuerUrl: issuer.url, port: Number(new URL(issuer.url).port) }));
      const listed = await wid(["revocations", "--state-dir", dir], { WID_ADMIN_TOKEN: "t".repeat(43) });
      assert.equal(listed.code, 0, listed.stderr);
      assert.equal(listed.stdout, "the revocation list is empty\n");
      assert.deepEqual(
        issuer.requests.map((r) => [r.method, r.path, r.headers.authorization]),
        [["GET", "/admin/revocations", `Bearer ${"t".repeat(43)}`]],
      );
    } finally {
      await issuer.close();
    }
  });

  it("a command with only a stale record exits 1 and says so, as JSON with --json", async () => {
    recordRunningStack(dir, record({ pid: DEAD_PID }));
    const stale = await wid(["keys", "list", "--state-dir", dir], { WID_ADMIN_TOKEN: "x" });
    assert.equal(stale.code, 1);
    assert.match(stale.stderr, /is no longer running: start the local stack with `npm start`/);
    assert.match(stale.stderr, new RegExp(`pid ${DEAD_PID}`));
    const json = await wid(["keys", "list", "--state-dir", dir, "--json"], { WID_ADMIN_TOKEN: "x" });
    assert.equal(json.code, 1);
    assert.equal((jsonOf(json).error as { code: string }).code, "no_issuer");
  });
});
