// The key store Durable Object reset in the middle of a rotation, an emergency rotation and a key
// revocation, under load (issue 20, item 2), in workerd. The reset is `ctx.abort()` at an exact
// point of the operation (test/fixtures/workers/key-store-faults.ts): between two of its steps'
// SQL statements (nothing committed yet), or as its JWKS goes out to KV (its SQL committed, KV
// not written, or written with the answer lost); and, less exactly, the whole runtime killed
// (an abrupt harness restart) with the admin request in flight. The promise: the operation is done in full or
// not at all, the admin caller gets a typed 503 ERR_KEY_STORE_UNAVAILABLE, a retry finishes what
// was not done, the JWKS in KV catches up with the store (at once under traffic, within the
// 10 s republish alarm without), every token handed out verifies, no revoked key signs after the
// answer, and nothing else in the store (keys, events, token revocations) is lost.

import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IssuerHarness } from "../support/issuer-harness.js";
import { type LoadReport, reverify, startLoad } from "../support/load.js";
import { AWS_AUDIENCE } from "../support/stack-fixture.js";
import { type Fault, type FaultSwitch, installFaultSwitch } from "./key-store-fault-switch.js";
import {
  activeKid,
  assertSound,
  type Listing,
  listing,
  publishedWithin,
  revocations,
  sleep,
  states,
} from "./key-store-views.js";

/** The store's republish alarm after a lost KV write (REPUBLISH_RETRY_MS), plus the runtime's slack. */
const REPUBLISH_BOUND_MS = 10_000 + 3_000;
/** Under load the next signing-key fetch republishes first; this is generous for two shared cores. */
const REPUBLISH_UNDER_LOAD_MS = 3_000;

type Operation = "rotation" | "emergency rotation" | "emergency rotation onto the prepared key" | "revocation";

interface Case {
  readonly operation: Operation;
  readonly fault: Fault;
  /** What the store holds after the reset: nothing of the operation, or all of it. */
  readonly outcome: "nothing" | "all";
  readonly where: string;
}

const JWKS_LOST: Fault = { at: "kv-put", key: "jwks/v1", landed: false };
const JWKS_LANDED: Fault = { at: "kv-put", key: "jwks/v1", landed: true };

const CASES: readonly Case[] = [
  {
    operation: "rotation",
    fault: { at: "sql", match: "INSERT INTO signing_keys", nth: 1 },
    outcome: "nothing",
    where: "after the next key's row is written, before its event",
  },
  { operation: "rotation", fault: JWKS_LOST, outcome: "all", where: "as its JWKS goes out to KV" },
  {
    operation: "emergency rotation",
    fault: { at: "sql", match: "UPDATE signing_keys SET state", nth: 1 },
    outcome: "nothing",
    where: "between retiring the active key and creating the new one",
  },
  { operation: "emergency rotation", fault: JWKS_LOST, outcome: "all", where: "as its JWKS goes out to KV" },
  {
    operation: "emergency rotation",
    fault: JWKS_LANDED,
    outcome: "all",
    where: "after KV has its JWKS, before it answers",
  },
  {
    operation: "emergency rotation onto the prepared key",
    fault: { at: "sql", match: "UPDATE signing_keys SET state", nth: 1 },
    outcome: "nothing",
    where: "between retiring the active key and activating the prepared one",
  },
  {
    operation: "revocation",
    fault: { at: "sql", match: "INSERT INTO signing_keys", nth: 1 },
    outcome: "nothing",
    where: "after the revoked key's row is deleted and its successor's written, before the successor's events",
  },
  { operation: "revocation", fault: JWKS_LOST, outcome: "all", where: "as its JWKS goes out to KV" },
  { operation: "revocation", fault: JWKS_LANDED, outcome: "all", where: "after KV has its JWKS, before it answers" },
];

describe("faults: the key store reset in the middle of a key operation, under load", function () {
  this.timeout(180_000);
  let dir: string;
  let issuer: IssuerHarness;
  let faults: FaultSwitch;
  /** Loads still running when a test fails: stopped before the runtime goes. */
  let loads: { stop(): Promise<LoadReport> }[] = [];
  const load = (): { stop(): Promise<LoadReport> } => {
    const started = startLoad(issuer, { concurrency: 4 });
    loads.push(started);
    return started;
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "wid-faults-key-store-"));
    issuer = await IssuerHarness.start({ persistDir: dir });
    faults = await installFaultSwitch(issuer);
    await issuer.token("billing", AWS_AUDIENCE, { fresh: true });
    // A token revocation in force before the fault: it must still be after.
    const added = await issuer.admin("/admin/revocations", {
      method: "POST",
      body: JSON.stringify({ workload: "reports-exporter" }),
    });
    assert.equal(added.status, 200);
  });
  afterEach(async () => {
    await Promise.allSettled(loads.map((l) => l.stop()));
    loads = [];
    await issuer?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  async function perform(operation: Operation, kid: string): Promise<Response> {
    if (operation === "revocation") return issuer.admin(`/admin/keys/${kid}/revoke`, { method: "POST" });
    const emergency = operation !== "rotation";
    return issuer.admin("/admin/keys/rotate", { method: "POST", body: JSON.stringify({ emergency }) });
  }

  /** The store's keys once `operation` is done in full, from the keys before it. */
  function assertDone(operation: Operation, before: Listing, after: Listing): void {
    const old = activeKid(before);
    const prepared = before.keys.find((k) => k.state === "next")?.kid;
    const fresh = after.keys.filter((k) => !before.keys.some((b) => b.kid === k.kid)).map((k) => k.kid);
    const s = states(after);
    switch (operation) {
      case "rotation":
        assert.equal(fresh.length, 1, "one next key created");
        assert.deepEqual(s, { ...states(before), [fresh[0]!]: "next" });
        break;
      case "emergency rotation":
        assert.equal(fresh.length, 1, "one key created");
        assert.deepEqual(s, { ...states(before), [old]: "retired", [fresh[0]!]: "active" });
        break;
      case "emergency rotation onto the prepared key":
        assert.deepEqual(fresh, [], "no key created: the prepared one is activated");
        assert.deepEqual(s, { ...states(before), [old]: "retired", [prepared!]: "active" });
        break;
      case "revocation": {
        assert.equal(fresh.length, 1, "one key created to replace the revoked one");
        const expected: Record<string, string> = { ...states(before), [fresh[0]!]: "active" };
        delete expected[old];
        assert.deepEqual(s, expected);
        break;
      }
    }
    // The events say the same, each once: nothing recorded twice, nothing left out.
    const since = after.events.filter((e) => !before.events.some((b) => JSON.stringify(b) === JSON.stringify(e)));
    const told = since
      .map((e) => `${e.kid === old ? "old" : e.kid === prepared ? "prepared" : "new"} ${e.event}`)
      .sort();
    const expectedEvents: Record<Operation, string[]> = {
      rotation: ["new created"],
      "emergency rotation": ["new activated", "new created", "old retired"],
      "emergency rotation onto the prepared key": ["old retired", "prepared activated"],
      revocation: ["new activated", "new created", "old revoked"],
    };
    assert.deepEqual(told, expectedEvents[operation], "the key events of the operation, each once");
  }

  for (const c of CASES) {
    it(`${c.operation}, reset ${c.where}: ${c.outcome === "all" ? "done in full" : "not done, and a retry does it"}`, async () => {
      if (c.operation === "emergency rotation onto the prepared key") {
        // A safe rotation prepares the next key; it activates only after the publication delay (63 min).
        assert.equal((await perform("rotation", "")).status, 200);
      }
      const before = await listing(issuer);
      const revokedBefore = await revocations(issuer);
      const old = activeKid(before);

      const during = load();
      await sleep(400);
      await faults.arm(c.fault);
      const answer = await perform(c.operation, old);
      const failedAt = Date.now();
      assert.equal(answer.status, 503, "a reset loses the answer: a typed 503, never a 500");
      assert.equal(((await answer.json()) as { code: string }).code, "ERR_KEY_STORE_UNAVAILABLE");
      assert.deepEqual(await faults.fired(), [c.fault], "the reset came where the test put it");

      const afterReset = await listing(issuer);
      if (c.outcome === "nothing") {
        assert.deepEqual(states(afterReset), states(before), "nothing of the operation is left");
        assert.deepEqual(afterReset.events, before.events, "no event of an undone operation");
      } else {
        assertDone(c.operation, before, afterReset);
      }
      // The JWKS in KV catches up with the store: the traffic's next signing-key fetch publishes.
      const lag = await publishedWithin(
        issuer,
        afterReset.keys.map((k) => k.kid),
        REPUBLISH_UNDER_LOAD_MS,
      );
      const report1 = await during.stop();

      if (c.outcome === "all" && c.operation === "revocation") {
        // Retrying a revocation that was done in full is a typed refusal that changes nothing.
        const retry = await perform(c.operation, old);
        assert.equal(retry.status, 404);
        assert.equal(((await retry.json()) as { code: string }).code, "ERR_UNKNOWN_KEY");
        assert.deepEqual(states(await listing(issuer)), states(afterReset));
      }
      let settled = afterReset;
      let answeredAt = failedAt;
      if (c.outcome === "nothing") {
        const retry = await perform(c.operation, old);
        answeredAt = Date.now();
        assert.equal(retry.status, 200, "the retry does the operation");
        settled = await listing(issuer);
        assertDone(c.operation, before, settled);
        await publishedWithin(
          issuer,
          settled.keys.map((k) => k.kid),
          REPUBLISH_UNDER_LOAD_MS,
        );
      }

      // Issuance recovers, with the key the store says is active, and only that one.
      const after = load();
      await sleep(1_500);
      const report2 = await after.stop();
      assert.ok(answeredAt <= Date.now());
      assertSound(report1, "during the fault", ["ERR_KEY_STORE_UNAVAILABLE"]);
      assertSound(report2, "after the answer");
      assert.ok(report2.issued.length > 0, "issuance recovers");
      const signer = activeKid(settled);
      const kidsAfter = new Set(report2.issued.map((t) => t.kid));
      assert.deepEqual([...kidsAfter], [signer], "after the answer, only the store's active key signs");

      // Every token handed out verifies against the JWKS served now, but the revoked key's.
      const revoked = c.operation === "revocation" ? [old] : [];
      const all: LoadReport["issued"] = [...report1.issued, ...report2.issued];
      const check = await reverify(issuer, { issued: all }, { excludeKids: revoked });
      assert.deepEqual(check.unverifiable, []);
      if (revoked.length > 0) {
        const ofRevoked = all.filter((t) => t.kid === old);
        const still = await reverify(issuer, { issued: ofRevoked });
        assert.equal(still.unverifiable.length, still.checked, "the revoked key's tokens verify no more");
      }
      assert.deepEqual(await revocations(issuer), revokedBefore, "token revocations still in force");
      console.log(
        `      ${c.operation} / ${c.where}: ${report1.issued.length}+${report2.issued.length} tokens, ` +
          `refusals ${JSON.stringify(report1.refusals)}, KV caught up in ${lag} ms`,
      );
    });
  }

  for (const operation of ["emergency rotation", "revocation"] as const) {
    it(`${operation} with the runtime killed while the admin request is in flight: done in full or not at all, and a retry completes it`, async () => {
      const before = await listing(issuer);
      const old = activeKid(before);
      const during = load();
      await sleep(300);
      // The harness kills the runtime (abrupt restart) as the request goes out: it may reach the
      // key store or not, and answers nothing either way.
      const sent = perform(operation, old).then(
        (response) => `answered ${response.status}`,
        (error: unknown) => `no answer (${error instanceof Error ? error.message : String(error)})`,
      );
      await sleep(5);
      await issuer.restart({}, { abrupt: true });
      const outcome = await sent;
      const afterRestart = await listing(issuer);
      const done = !(afterRestart.keys.some((k) => k.kid === old) && activeKid(afterRestart) === old);
      if (outcome === "answered 200") assert.ok(done, "an operation that answered 200 is never undone");
      if (done) {
        assertDone(operation, before, afterRestart);
      } else {
        assert.deepEqual(states(afterRestart), states(before), "nothing of the operation is left");
        assert.deepEqual(afterRestart.events, before.events);
        assert.equal((await perform(operation, old)).status, 200, "the retry does the operation");
        assertDone(operation, before, await listing(issuer));
      }
      const settled = await listing(issuer);
      await publishedWithin(
        issuer,
        settled.keys.map((k) => k.kid),
        REPUBLISH_UNDER_LOAD_MS,
      );
      const report = await during.stop();
      assert.deepEqual(report.untyped, [], "every refusal is typed");
      assert.deepEqual(report.unverifiable, []);
      for (const code of Object.keys(report.refusals)) assert.equal(code, "ERR_KEY_STORE_UNAVAILABLE");
      const check = await reverify(issuer, report, { excludeKids: operation === "revocation" ? [old] : [] });
      assert.deepEqual(check.unverifiable, []);
      console.log(
        `      ${operation}: ${outcome}; ${done ? "done before the kill" : "not done, then retried"}; ` +
          `${report.issued.length} tokens, ${report.dropped} dropped`,
      );
    });
  }

  it("a revocation whose JWKS never reached KV: with no traffic, the store's alarm withdraws the key within 10 s", async () => {
    const before = await listing(issuer);
    const old = activeKid(before);
    await faults.arm(JWKS_LOST);
    const answer = await perform("revocation", old);
    assert.equal(answer.status, 503);
    const afterReset = await listing(issuer);
    assertDone("revocation", before, afterReset);
    // No token request comes: only the alarm written with the revocation can publish.
    const lag = await publishedWithin(
      issuer,
      afterReset.keys.map((k) => k.kid),
      REPUBLISH_BOUND_MS,
    );
    console.log(`      the alarm withdrew the revoked key from KV ${lag} ms after the reset`);
  });
});
