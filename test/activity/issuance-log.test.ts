// The issuance log in workerd: the issuer reports every RPC issuance and refusal to the key store
// after answering, and the key store's adminView() reads it back. Read through Miniflare's own
// Durable Object binding, as the operator page reads it (one adminView call).

import assert from "node:assert/strict";
import { IssuerHarness } from "../support/issuer-harness.js";
import { API_AUDIENCE, AWS_AUDIENCE, GCP_AUDIENCE } from "../support/stack-fixture.js";
import { activityWhen, adminViewOf, batchOf, countOf, recordActivity } from "./key-store-view.js";

describe("issuance log in workerd: what the key store keeps of issuance and refusals", function () {
  this.timeout(60_000);
  let issuer: IssuerHarness;

  before(async () => {
    issuer = await IssuerHarness.start();
  });
  after(async () => {
    await issuer?.dispose();
  });

  it("starts empty, with its bounds", async () => {
    const { activity } = await adminViewOf(issuer.mf, issuer.config.issuer.scriptName);
    assert.deepEqual(activity, {
      since: null,
      counts: [],
      recent: [],
      limits: { counts: 256, recent: 100 },
      uncounted: 0,
    });
  });

  it("counts an issued token under its workload and audience, and never stores the token or its jti", async () => {
    const { token } = await issuer.token("billing", AWS_AUDIENCE);
    const jti = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()).jti as string;
    const activity = await activityWhen(
      issuer.mf,
      issuer.config.issuer.scriptName,
      (a) => countOf(a, { name: "billing", audience: AWS_AUDIENCE, outcome: "issued" }) >= 1,
    );
    const row = activity.counts.find((c) => c.name === "billing" && c.outcome === "issued")!;
    assert.deepEqual(
      { requester: row.requester, audience: row.audience, code: row.code, count: row.count },
      { requester: "workload", audience: AWS_AUDIENCE, code: null, count: 1 },
    );
    assert.equal(activity.recent[0]?.channel, "rpc");
    const stored = JSON.stringify(await adminViewOf(issuer.mf, issuer.config.issuer.scriptName));
    assert.ok(!stored.includes(token), "the token is in the key store's view");
    assert.ok(!stored.includes(jti), "the jti is in the key store's view");
    for (const segment of token.split(".")) assert.ok(!stored.includes(segment), "a token segment is stored");
  });

  it("counts a refusal for an audience outside the allow-list as (other) with its code, never the audience asked", async () => {
    const chosen = "https://attacker.example/chosen-audience";
    const outcome = await issuer.call("ENTRY_billing", "token", chosen);
    assert.match(outcome.error?.message ?? "", /ERR_AUDIENCE_NOT_ALLOWED/);
    const activity = await activityWhen(
      issuer.mf,
      issuer.config.issuer.scriptName,
      (a) => countOf(a, { name: "billing", audience: "(other)", outcome: "refused" }) >= 1,
    );
    const row = activity.counts.find((c) => c.audience === "(other)")!;
    assert.equal(row.code, "ERR_AUDIENCE_NOT_ALLOWED");
    assert.equal(row.requester, "workload");
    assert.ok(!JSON.stringify(activity).includes("attacker.example"));
  });

  it("records a workload the stack does not register as null, never the name the binding chose", async () => {
    const outcome = await issuer.call("UNKNOWN", "token", GCP_AUDIENCE);
    assert.match(outcome.error?.message ?? "", /ERR_UNKNOWN_WORKLOAD/);
    const activity = await activityWhen(
      issuer.mf,
      issuer.config.issuer.scriptName,
      (a) => countOf(a, { name: null, outcome: "refused", code: "ERR_UNKNOWN_WORKLOAD" }) >= 1,
    );
    const row = activity.counts.find((c) => c.code === "ERR_UNKNOWN_WORKLOAD")!;
    // An unresolved requester has no allow-list: the audience it asked for is not kept either.
    assert.equal(row.audience, "(other)");
    assert.ok(!JSON.stringify(activity).includes("ghost"));
  });

  it("keeps counting while the ring keeps only the last 100 events", async () => {
    const before = (await adminViewOf(issuer.mf, issuer.config.issuer.scriptName)).activity;
    const already = countOf(before, { name: "edge-api", outcome: "issued" });
    const calls = 120;
    for (let i = 0; i < calls; i++) await issuer.token("edge-api", API_AUDIENCE);
    const activity = await activityWhen(
      issuer.mf,
      issuer.config.issuer.scriptName,
      (a) => countOf(a, { name: "edge-api", outcome: "issued" }) >= already + calls,
    );
    assert.equal(countOf(activity, { name: "edge-api", outcome: "issued" }), already + calls);
    assert.equal(activity.recent.length, 100);
    assert.ok(
      activity.recent.every((e) => e.name === "edge-api"),
      "the ring holds the newest events",
    );
    const times = activity.recent.map((e) => e.at);
    assert.deepEqual(
      times,
      [...times].sort((a, b) => b - a),
      "most recent first",
    );
    assert.equal(activity.uncounted, 0);
  });

  it("admits only registered names and allowed audiences, whatever the RPC sends", async () => {
    const scriptName = issuer.config.issuer.scriptName;
    const at = Date.now();
    const sent = { at, channel: "rpc", requester: "workload", outcome: "refused" };
    const events: Record<string, unknown>[] = [
      { ...sent, name: "ghost-chosen", audience: AWS_AUDIENCE, code: "ERR_UNKNOWN_WORKLOAD" },
      { ...sent, name: "ledger-sync", audience: "eyJhbGciOiJIUzI1NiJ9.chosen.sig", code: "not a code" },
      { ...sent, requester: "workflow", name: "billing", audience: AWS_AUDIENCE, code: "ERR_AUDIENCE_NOT_ALLOWED" },
    ];
    const malformed = [
      { ...sent, at: "yesterday", name: "billing", audience: AWS_AUDIENCE, code: "ERR_X" },
      "not an event",
    ];
    const rowsBefore = (await adminViewOf(issuer.mf, scriptName)).activity.counts;
    await recordActivity(issuer.mf, scriptName, {
      ...(batchOf(events, [...malformed, ...events]) as object),
      // Rows that are no count: a count of 0, a fraction, times the wrong way round, not an object.
      counts: [
        ...(batchOf(events) as { counts: unknown[] }).counts,
        { ...events[0], count: 0, firstAt: at, lastAt: at },
        { ...events[0], count: 1.5, firstAt: at, lastAt: at },
        { ...events[0], name: "billing", count: 1, firstAt: at + 1, lastAt: at },
        "not a row",
      ],
      uncounted: -5,
    });
    const { activity } = await adminViewOf(issuer.mf, scriptName);
    const stored = JSON.stringify(activity);
    for (const chosen of ["ghost-chosen", "eyJhbGciOiJIUzI1NiJ9", "not a code", "yesterday"]) {
      assert.ok(!stored.includes(chosen), `${chosen} was stored`);
    }
    const newest = activity.recent.slice(0, 3).map((e) => [e.requester, e.name, e.audience, e.code]);
    assert.deepEqual(newest, [
      // billing is a workload, not a workflow: as a workflow it is unregistered, and has no audiences.
      ["workflow", null, "(other)", "ERR_AUDIENCE_NOT_ALLOWED"],
      ["workload", "ledger-sync", "(other)", "ERR_INTERNAL"],
      ["workload", null, "(other)", "ERR_UNKNOWN_WORKLOAD"],
    ]);
    // The three admitted rows, and nothing of the rows that were no count.
    const added =
      activity.counts.reduce((sum, c) => sum + c.count, 0) - rowsBefore.reduce((sum, c) => sum + c.count, 0);
    assert.equal(added, 3);
    assert.equal(activity.uncounted, 0);
  });

  it("holds at most 256 count rows and counts events of new combinations beyond them as uncounted", async () => {
    const scriptName = issuer.config.issuer.scriptName;
    const rowsBefore = (await adminViewOf(issuer.mf, scriptName)).activity.counts.length;
    const distinct = (i: number) => ({
      at: Date.now(),
      channel: "rpc",
      requester: "workload",
      name: "billing",
      audience: AWS_AUDIENCE,
      outcome: "refused",
      code: `ERR_BOUND_${i}`,
    });
    const events = Array.from({ length: 300 }, (_, i) => distinct(i));
    await recordActivity(issuer.mf, scriptName, batchOf(events.slice(0, 150)));
    await recordActivity(issuer.mf, scriptName, batchOf(events.slice(150)));
    const { activity } = await adminViewOf(issuer.mf, scriptName);
    assert.equal(activity.counts.length, 256);
    assert.equal(activity.uncounted, 300 - (256 - rowsBefore));
    assert.equal(activity.recent.length, 100);
    assert.equal(activity.recent[0]?.code, "ERR_BOUND_299", "an uncounted event is still in the ring");
    // A combination that has its row keeps being counted when the table is full.
    await recordActivity(issuer.mf, scriptName, batchOf([distinct(0)]));
    const after = (await adminViewOf(issuer.mf, scriptName)).activity;
    assert.equal(after.counts.find((c) => c.code === "ERR_BOUND_0")?.count, 2);
    assert.equal(after.uncounted, activity.uncounted);
  });
});
