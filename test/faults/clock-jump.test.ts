// The clock jumps forward past scheduled rotation steps, under load (issue 20, item 2), in
// workerd: the issuer restarts with a later TEST_CLOCK_OFFSET_SECONDS (as after a long outage or
// a host clock corrected forward), its isolates and edge cache empty, the key store's SQLite kept.
// The key store catches up on the first request (signingKey runs what is due) without waiting for
// its alarm, which was set in the old time: every overdue step done once, in the timeline's order;
// a next key never signs before it has been published for the publication delay (63 min here);
// a retired key leaves the JWKS only once every token it signed has expired (30 s isolate cache
// + 3600 s longest lifetime + 60 s clock skew = 3690 s after it retired); every token verifies.

import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { IssuerHarness } from "../support/issuer-harness.js";
import { type IssuedRecord, type LoadReport, reverify, startLoad } from "../support/load.js";
import { AWS_AUDIENCE } from "../support/stack-fixture.js";
import {
  activeKid,
  assertSound,
  kvJwksKids,
  type ListedEvent,
  type Listing,
  listing,
  publishedWithin,
  sleep,
  states,
} from "./key-store-views.js";

const DAY_S = 86_400;
/** The stack's numbers (rawStackConfig: 30-day period, 3600 s longest lifetime, default 60 s skew). */
const SKEW_S = 60;
const MAX_LIFETIME_S = 3_600;
/** timeline.ts: 60 s KV + 60 s edge cache + 3600 s JWKS max-age + 60 s skew. */
const PUBLICATION_DELAY_S = 3_780;
/** timeline.ts: 30 s isolate key cache + 3600 s + 60 s. */
const RETENTION_S = 3_690;
/** How soon after the jump the store must have caught up under load. */
const CATCH_UP_MS = 3_000;

describe("faults: the clock jumps forward past scheduled rotation steps, under load", function () {
  this.timeout(180_000);
  let dir: string;
  let issuer: IssuerHarness;
  let loads: { stop(): Promise<LoadReport> }[] = [];
  const issued: IssuedRecord[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "wid-faults-clock-"));
    issuer = await IssuerHarness.start({ persistDir: dir });
    issued.length = 0;
    await issuer.token("billing", AWS_AUDIENCE, { fresh: true });
  });
  afterEach(async () => {
    await Promise.allSettled(loads.map((l) => l.stop()));
    loads = [];
    await issuer?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  /** The events since `before`, oldest first, each as "<name of its key> <event>". */
  function eventsSince(before: Listing, after: Listing, names: Record<string, string>): string[] {
    const known = new Set(before.events.map((e) => JSON.stringify(e)));
    const fresh: ListedEvent[] = after.events.filter((e) => !known.has(JSON.stringify(e))).reverse();
    return fresh.map((e) => `${names[e.kid] ?? e.kid} ${e.event}`);
  }

  /**
   * Restarts the issuer `offsetSeconds` ahead of real time with load running; waits until the
   * store's keys are `expected` (or CATCH_UP_MS passed), lets the load run on a moment, and
   * checks what it saw. Answers the listing.
   */
  async function jumpUnderLoad(
    offsetSeconds: number,
    expected: (keys: Listing) => boolean,
    label: string,
  ): Promise<{ listing: Listing; report: LoadReport; caughtUpMs: number }> {
    const load = startLoad(issuer, { concurrency: 4 });
    loads.push(load);
    await sleep(300);
    await issuer.restart({ clockOffsetSeconds: offsetSeconds });
    const restartedAt = Date.now();
    let now = await listing(issuer);
    while (!expected(now) && Date.now() - restartedAt < CATCH_UP_MS) {
      await sleep(50);
      now = await listing(issuer);
    }
    const caughtUpMs = Date.now() - restartedAt;
    assert.ok(expected(now), `${label}: the store caught up within ${CATCH_UP_MS} ms: ${JSON.stringify(states(now))}`);
    await sleep(800);
    const report = await load.stop();
    assertSound(report, label);
    issued.push(...report.issued);
    await assertStillValidPublished(label);
    // What the store holds once the load has run on: still as expected, and so is KV's JWKS.
    const settled = await listing(issuer);
    assert.ok(expected(settled), `${label}: after the load the store holds ${JSON.stringify(states(settled))}`);
    await publishedWithin(
      issuer,
      settled.keys.map((k) => k.kid),
      CATCH_UP_MS,
    );
    return { listing: settled, report, caughtUpMs };
  }

  /** Nothing unpublished while a token it signed is valid: every valid token's kid is in KV's JWKS. */
  async function assertStillValidPublished(label: string): Promise<void> {
    const published = new Set((await kvJwksKids(issuer)) ?? []);
    const issuerNowS = Date.now() / 1_000 + issuer.clockOffsetSeconds;
    for (const { token, kid } of issued) {
      const exp = decodeJwt(token).exp ?? 0;
      if (exp + SKEW_S > issuerNowS)
        assert.ok(published.has(kid), `${label}: ${kid} unpublished while its token is valid`);
    }
  }

  it("catches up on next-key creation, activation, and an unpublish with the next creation at once: each step once, in order", async () => {
    const start = await listing(issuer);
    const k1 = activeKid(start);
    const names: Record<string, string> = { [k1]: "K1" };

    // Day 16: half the period passed, so the next key is created (and published).
    const day16 = await jumpUnderLoad(
      16 * DAY_S,
      (l) => l.keys.some((k) => k.state === "next" && k.publishedAt !== null),
      "day 16",
    );
    const k2 = day16.listing.keys.find((k) => k.state === "next")!.kid;
    names[k2] = "K2";
    assert.deepEqual(eventsSince(start, day16.listing, names), ["K2 created"]);
    assert.deepEqual(states(day16.listing), { [k1]: "active", [k2]: "next" });
    assert.deepEqual([...new Set(day16.report.issued.map((t) => t.kid))], [k1], "the next key signs nothing");

    // Day 31: the period passed and K2 has been published for 15 days: K2 activated, K1 retired.
    const day31 = await jumpUnderLoad(31 * DAY_S, (l) => activeKid(l) === k2, "day 31");
    assert.deepEqual(eventsSince(day16.listing, day31.listing, names), ["K1 retired", "K2 activated"]);
    assert.deepEqual(states(day31.listing), { [k1]: "retired", [k2]: "active" });
    const activated = day31.listing.keys.find((k) => k.kid === k2)!;
    assert.ok((activated.activatedAt ?? 0) - (activated.publishedAt ?? 0) >= PUBLICATION_DELAY_S * 1_000);
    const check31 = await reverify(issuer, { issued });
    assert.deepEqual(check31.unverifiable, [], "every token so far verifies against the JWKS served at day 31");

    // Day 47: K1's retention (3690 s after day 31) and K2's half period (day 46) are both overdue.
    const day47 = await jumpUnderLoad(
      47 * DAY_S,
      (l) => !l.keys.some((k) => k.kid === k1) && l.keys.length === 2,
      "day 47",
    );
    const k3 = day47.listing.keys.find((k) => k.state === "next")!.kid;
    names[k3] = "K3";
    assert.deepEqual(eventsSince(day31.listing, day47.listing, names), ["K1 unpublished", "K3 created"]);
    assert.deepEqual(states(day47.listing), { [k2]: "active", [k3]: "next" });
    const retiredAt = day31.listing.keys.find((k) => k.kid === k1)!.retiredAt!;
    const unpublished = day47.listing.events.find((e) => e.kid === k1 && e.event === "unpublished")!;
    assert.ok(unpublished.at >= retiredAt + RETENTION_S * 1_000);
    for (const { token, kid } of issued.filter((t) => t.kid === k1)) {
      assert.ok(((decodeJwt(token).exp ?? 0) + SKEW_S) * 1_000 <= unpublished.at, `${kid}'s token outlived its key`);
    }
    const check47 = await reverify(issuer, { issued }, { excludeKids: [k1] });
    assert.deepEqual(check47.unverifiable, []);

    // An early rotation asked for: K3 activates once published 63 min, never sooner.
    assert.equal((await issuer.admin("/admin/keys/rotate", { method: "POST" })).status, 200);
    const early = await jumpUnderLoad(47 * DAY_S + 1_800, (l) => l.keys.length === 2, "30 min later");
    assert.deepEqual(eventsSince(day47.listing, early.listing, names), [], "not yet published long enough");
    assert.equal(activeKid(early.listing), k2);
    const late = await jumpUnderLoad(
      47 * DAY_S + PUBLICATION_DELAY_S + 120,
      (l) => activeKid(l) === k3,
      "64 min later",
    );
    assert.deepEqual(eventsSince(early.listing, late.listing, names), ["K2 retired", "K3 activated"]);
    const check = await reverify(issuer, { issued }, { excludeKids: [k1] });
    assert.deepEqual(check.unverifiable, []);
    console.log(
      `      caught up in ${day16.caughtUpMs}/${day31.caughtUpMs}/${day47.caughtUpMs}/${late.caughtUpMs} ms; ${issued.length} tokens`,
    );
  });

  it("keeps a retired key published until its longest token has expired, and unpublishes it once past that", async () => {
    const k1 = activeKid(await listing(issuer));
    // The longest token K1 can sign, signed just before an emergency rotation retires K1.
    const longest = await issuer.token("billing", AWS_AUDIENCE, { lifetimeSeconds: MAX_LIFETIME_S, fresh: true });
    assert.equal(decodeProtectedHeader(longest.token).kid, k1);
    issued.push({ workload: "billing", token: longest.token, kid: k1, at: Date.now(), issuerAt: Date.now() });
    const rotated = await issuer.admin("/admin/keys/rotate", { method: "POST", body: '{"emergency":true}' });
    assert.equal(rotated.status, 200);
    const retired = (await listing(issuer)).keys.find((k) => k.kid === k1)!;
    const exp = decodeJwt(longest.token).exp!;

    // 20 s before the longest token stops being accepted (exp + skew): K1 must still be published.
    const before = Math.round(exp + SKEW_S - 20 - Date.now() / 1_000);
    const kept = await jumpUnderLoad(
      before,
      (l) => l.keys.some((k) => k.kid === k1),
      "while its longest token is valid",
    );
    assert.ok(Date.now() / 1_000 + before < exp + SKEW_S, "the test jumped to while the token is valid");
    assert.equal(states(kept.listing)[k1], "retired");

    // Past the retention the README states (3690 s after it retired): K1 leaves, once.
    const after = Math.round((retired.retiredAt! + (RETENTION_S + 5) * 1_000 - Date.now()) / 1_000);
    const gone = await jumpUnderLoad(after, (l) => !l.keys.some((k) => k.kid === k1), "past its retention");
    const unpublished = gone.listing.events.filter((e) => e.kid === k1 && e.event === "unpublished");
    assert.equal(unpublished.length, 1, "unpublished once");
    assert.ok(unpublished[0]!.at >= (exp + SKEW_S) * 1_000, "after its longest token stopped being accepted");
    const check = await reverify(issuer, { issued }, { excludeKids: [k1] });
    assert.deepEqual(check.unverifiable, []);
  });
});
