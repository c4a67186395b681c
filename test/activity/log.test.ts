// The issuance log's pure parts: counting into a bounded table, the ring of recent events, the
// privacy rule both ends apply, and the isolate's reporter (one send in flight, failures dropped).

import assert from "node:assert/strict";
import { activityEvent, admitEvent } from "../../worker/activity/event.js";
import { ActivityLog, tally } from "../../worker/activity/log.js";
import { ABANDONED_AFTER_MS, ActivityReporter } from "../../worker/activity/reporter.js";
import type { ActivityBatch, ActivityEvent } from "../../worker/activity/types.js";
import type { RuntimeSettings } from "../../worker/runtime-config/types.js";

const T0 = Date.UTC(2026, 11, 4, 1, 0, 0);
const AWS = "sts.amazonaws.com";

/** A clock the test moves: each event is stamped from it. */
function clock(start = T0) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

function issued(at: number, name: string | null = "billing", audience: string | null = AWS): ActivityEvent {
  return { at, channel: "rpc", requester: "workload", name, audience, outcome: "issued", code: null };
}

describe("issuance log: counts, ring and bounds", () => {
  it("counts events of one combination in one row, with the first and last time seen", () => {
    const time = clock();
    const log = new ActivityLog();
    log.record([issued(time.now())]);
    time.advance(60_000);
    log.record([issued(time.now()), issued(time.now())]);
    const { counts, since, uncounted } = log.summary();
    assert.deepEqual(counts, [
      {
        requester: "workload",
        name: "billing",
        audience: AWS,
        outcome: "issued",
        code: null,
        count: 3,
        firstAt: T0,
        lastAt: T0 + 60_000,
      },
    ]);
    assert.equal(since, T0);
    assert.equal(uncounted, 0);
  });

  it("keeps apart what differs in name, audience, outcome or code; lists the most recently seen first", () => {
    const time = clock();
    const log = new ActivityLog();
    const refused = (code: string): ActivityEvent => ({ ...issued(time.now()), outcome: "refused", code });
    log.record([issued(time.now())]);
    time.advance(1_000);
    log.record([issued(time.now(), "ledger-sync")]);
    time.advance(1_000);
    log.record([issued(time.now(), "billing", "(other)"), refused("ERR_AUDIENCE_NOT_ALLOWED")]);
    time.advance(1_000);
    log.record([refused("ERR_TOKEN_REVOKED")]);
    const rows = log.summary().counts.map((c) => [c.name, c.audience, c.outcome, c.code, c.lastAt - T0]);
    assert.deepEqual(rows, [
      ["billing", AWS, "refused", "ERR_TOKEN_REVOKED", 3_000],
      ["billing", "(other)", "issued", null, 2_000],
      ["billing", AWS, "refused", "ERR_AUDIENCE_NOT_ALLOWED", 2_000],
      ["ledger-sync", AWS, "issued", null, 1_000],
      ["billing", AWS, "issued", null, 0],
    ]);
  });

  it("never holds more rows than its limit: a new combination beyond it is uncounted, a known one still counts", () => {
    const log = new ActivityLog({ counts: 3, recent: 4 });
    const events = ["a", "b", "c", "d", "e"].map((name, i) => issued(T0 + i, name));
    log.record(events);
    log.record([issued(T0 + 10, "a"), issued(T0 + 11, "f")]);
    const summary = log.summary();
    assert.equal(summary.counts.length, 3);
    assert.deepEqual(summary.counts.map((c) => [c.name, c.count]).sort(), [
      ["a", 2],
      ["b", 1],
      ["c", 1],
    ]);
    assert.equal(summary.uncounted, 3);
    assert.deepEqual(
      summary.recent.map((e) => e.name),
      ["f", "a", "e", "d"],
      "the ring keeps the last 4, newest first, uncounted ones included",
    );
    assert.deepEqual(summary.limits, { counts: 3, recent: 4 });
  });

  it("tally counts within one batch without exceeding the limit, and leaves the stored rows untouched", () => {
    const existing = new Map();
    const { rows, uncounted } = tally(existing, [issued(T0, "a"), issued(T0, "b"), issued(T0, "a")], 1);
    assert.equal(rows.size, 1);
    assert.equal([...rows.values()][0]?.count, 2);
    assert.equal(uncounted, 1);
    assert.equal(existing.size, 0);
  });

  it("has the documented default bounds, 256 rows and 100 recent events", () => {
    assert.deepEqual(new ActivityLog().summary(), {
      since: null,
      counts: [],
      recent: [],
      limits: { counts: 256, recent: 100 },
      uncounted: 0,
    });
  });
});

describe("issuance log: batches an isolate counted", () => {
  it("merges a batch's rows into the log's, adding counts and widening times; a row with no room adds its count to uncounted", () => {
    const log = new ActivityLog({ counts: 2, recent: 3 });
    log.record([issued(T0, "a"), issued(T0 + 10, "b")]);
    const row = (name: string, count: number, firstAt: number, lastAt: number) => ({
      requester: "workload" as const,
      name,
      audience: AWS,
      outcome: "issued" as const,
      code: null,
      count,
      firstAt,
      lastAt,
    });
    log.merge({
      counts: [row("a", 40, T0 - 5, T0 + 50), row("c", 7, T0 + 20, T0 + 30)],
      recent: [issued(T0 + 30, "c"), issued(T0 + 50, "a")],
      uncounted: 2,
    });
    const summary = log.summary();
    assert.deepEqual(
      summary.counts.map((c) => [c.name, c.count, c.firstAt, c.lastAt]),
      [
        ["a", 41, T0 - 5, T0 + 50],
        ["b", 1, T0 + 10, T0 + 10],
      ],
    );
    assert.equal(summary.uncounted, 7 + 2, "c found no room; the batch's own uncounted carries over");
    assert.deepEqual(
      summary.recent.map((e) => e.name),
      ["a", "c", "b"],
    );
    assert.equal(summary.since, T0 - 5);
  });

  it("takes what it holds as one batch, oldest event first, and is empty after", () => {
    const log = new ActivityLog();
    log.record([issued(T0, "a"), issued(T0 + 1, "a"), issued(T0 + 2, "b")]);
    assert.equal(log.size, 3);
    const batch = log.take();
    assert.deepEqual(
      batch.recent.map((e) => e.at),
      [T0, T0 + 1, T0 + 2],
    );
    assert.deepEqual(batch.counts.map((c) => [c.name, c.count]).sort(), [
      ["a", 2],
      ["b", 1],
    ]);
    assert.equal(log.size, 0);
    assert.deepEqual(log.take(), { counts: [], recent: [], uncounted: 0 });
  });
});

describe("issuance log: what an event may hold", () => {
  const billing = { name: "billing", audiences: [AWS] };
  const config = {
    workloads: [{ name: "billing", audiences: [AWS] }],
    workflows: [{ name: "nightly", audiences: ["https://api.example"] }],
  } as unknown as RuntimeSettings;

  it("keeps an allowed audience, and writes any other as (other)", () => {
    const base = { at: T0, channel: "rpc", requester: "workload", resolved: billing } as const;
    assert.equal(activityEvent({ ...base, audience: AWS }).audience, AWS);
    assert.equal(activityEvent({ ...base, audience: "https://chosen.example" }).audience, "(other)");
    assert.equal(activityEvent({ ...base, audience: { toString: () => AWS } }).audience, "(other)");
    assert.equal(activityEvent({ ...base, audience: undefined }).audience, null);
  });

  it("has no name and no audience of its own before the requester is resolved", () => {
    const event = activityEvent({
      at: T0,
      channel: "rpc",
      requester: "workload",
      resolved: undefined,
      audience: AWS,
      refused: { code: "ERR_UNKNOWN_WORKLOAD" },
    });
    assert.deepEqual(event, { ...issued(T0, null, "(other)"), outcome: "refused", code: "ERR_UNKNOWN_WORKLOAD" });
  });

  it("keeps only codes of our shape", () => {
    const refused = (code: string | undefined) =>
      activityEvent({
        at: T0,
        channel: "rpc",
        requester: "workload",
        resolved: billing,
        audience: AWS,
        refused: { code },
      }).code;
    assert.equal(refused("ERR_AUDIENCE_NOT_ALLOWED"), "ERR_AUDIENCE_NOT_ALLOWED");
    assert.equal(refused(undefined), "ERR_INTERNAL");
    assert.equal(refused("ERR_x; token=eyJ"), "ERR_INTERNAL");
  });

  it("is admitted by the key store against its own registry: a name of the other kind is not registered", () => {
    const sent = { ...issued(T0), requester: "workflow" };
    assert.deepEqual(admitEvent(sent, config), { ...issued(T0, null, "(other)"), requester: "workflow" });
    assert.deepEqual(admitEvent(issued(T0), config), issued(T0));
    assert.equal(admitEvent({ ...issued(T0), outcome: "maybe" }, config), undefined);
    assert.equal(admitEvent({ ...issued(T0), at: Number.NaN }, config), undefined);
    assert.equal(admitEvent({ ...issued(T0), channel: "smtp" }, config), undefined);
    assert.equal(admitEvent(null, config), undefined);
    // An issuance has no code, whatever was sent.
    assert.equal(admitEvent({ ...issued(T0), code: "ERR_X" }, config)?.code, null);
  });
});

describe("issuance log: the isolate's reporter", () => {
  /** A send the test answers by hand, recording each batch. */
  function manualSend() {
    const batches: ActivityBatch[] = [];
    const pending: { resolve: () => void; reject: (e: Error) => void }[] = [];
    const send = (batch: ActivityBatch) => {
      batches.push(batch);
      return new Promise<void>((resolve, reject) => pending.push({ resolve, reject }));
    };
    return { batches, pending, send };
  }
  /** The names of a batch's events, oldest first. */
  const names = (batch: ActivityBatch | undefined) => batch?.recent.map((e) => e.name);
  const flush = () => new Promise((resolve) => setImmediate(resolve));
  /** A reporter that sends at once (no coalescing wait), on the test's clock. */
  const immediate = (lines: string[] = [], now: () => number = Date.now) =>
    new ActivityReporter((line) => lines.push(line), now, 0);

  it("has one send in flight: events reported meanwhile go in the next batch, sent by the same waitUntil", async () => {
    const lines: string[] = [];
    const reporter = immediate(lines);
    const { batches, pending, send } = manualSend();
    const waited: Promise<unknown>[] = [];
    const context = { waitUntil: (p: Promise<unknown>) => waited.push(p), send };
    reporter.report(issued(T0, "a"), context);
    await flush();
    reporter.report(issued(T0 + 1, "b"), context);
    reporter.report(issued(T0 + 2, "c"), context);
    await flush();
    assert.equal(waited.length, 1, "only the first report started a send");
    assert.deepEqual(batches.map(names), [["a"]]);
    pending[0]!.resolve();
    await flush();
    assert.deepEqual(batches.map(names), [["a"], ["b", "c"]]);
    pending[1]!.resolve();
    await Promise.all(waited);
    assert.equal(reporter.buffered, 0);
    assert.deepEqual(lines, []);
  });

  it("waits a moment before sending, so what arrives meanwhile travels in the same batch", async () => {
    const reporter = new ActivityReporter(() => {}, Date.now, 30);
    const { batches, pending, send } = manualSend();
    const waited: Promise<unknown>[] = [];
    const context = { waitUntil: (p: Promise<unknown>) => waited.push(p), send };
    reporter.report(issued(T0, "a"), context);
    reporter.report(issued(T0 + 1, "b"), context);
    await flush();
    assert.equal(batches.length, 0, "nothing is sent before the coalescing wait");
    await new Promise((resolve) => setTimeout(resolve, 60));
    assert.deepEqual(batches.map(names), [["a", "b"]]);
    pending[0]!.resolve();
    await Promise.all(waited);
  });

  it("sends a busy isolate's events counted: one row per combination and the last events, never one row per event", async () => {
    const reporter = immediate();
    const { batches, pending, send } = manualSend();
    const waited: Promise<unknown>[] = [];
    const context = { waitUntil: (p: Promise<unknown>) => waited.push(p), send };
    reporter.report(issued(T0, "first"), context);
    await flush();
    const events = 5_000;
    for (let i = 0; i < events; i++) reporter.report(issued(T0 + i, i % 2 === 0 ? "billing" : "ledger-sync"), context);
    assert.equal(reporter.buffered, events, "every event is counted while a send is in flight");
    pending[0]!.resolve();
    await flush();
    const batch = batches[1]!;
    assert.deepEqual(batch.counts.map((c) => [c.name, c.count]).sort(), [
      ["billing", events / 2],
      ["ledger-sync", events / 2],
    ]);
    assert.equal(batch.recent.length, 100);
    assert.equal(batch.recent.at(-1)?.at, T0 + events - 1, "the last event is the newest");
    assert.equal(batch.uncounted, 0);
    pending[1]!.resolve();
    await Promise.all(waited);
  });

  it("drops a batch the key store refused, logs how many events it held, and sends the next one", async () => {
    const lines: string[] = [];
    const reporter = immediate(lines);
    const { batches, pending, send } = manualSend();
    const waited: Promise<unknown>[] = [];
    const context = { waitUntil: (p: Promise<unknown>) => waited.push(p), send };
    reporter.report(issued(T0, "a"), context);
    await flush();
    pending[0]!.reject(new Error("key store overloaded"));
    await Promise.all(waited);
    assert.deepEqual(
      lines.map((l) => JSON.parse(l)),
      [{ event: "activity.dropped", events: 1, error: "Error: key store overloaded" }],
    );
    reporter.report(issued(T0, "b"), context);
    await flush();
    pending[1]!.resolve();
    await Promise.all(waited);
    assert.deepEqual(batches.map(names), [["a"], ["b"]]);
  });

  it("never throws into issuance, not even when waitUntil does", () => {
    const lines: string[] = [];
    const reporter = immediate(lines);
    const context = {
      waitUntil: () => {
        throw new Error("context ended");
      },
      send: async () => {},
    };
    reporter.report(issued(T0), context);
    assert.equal(JSON.parse(lines[0]!).event, "activity.report_failed");
    // The reporter is not left believing a send is in flight.
    const waited: Promise<unknown>[] = [];
    reporter.report(issued(T0), { waitUntil: (p) => waited.push(p), send: async () => {} });
    assert.equal(waited.length, 1);
  });

  it("starts a new send when the one in flight was abandoned (its request canceled, so it never settles)", async () => {
    const time = clock();
    const reporter = immediate([], time.now);
    const { batches, pending, send } = manualSend();
    const waited: Promise<unknown>[] = [];
    const context = { waitUntil: (p: Promise<unknown>) => waited.push(p), send };
    reporter.report(issued(T0, "a"), context);
    await flush();
    time.advance(ABANDONED_AFTER_MS - 1);
    reporter.report(issued(T0, "b"), context);
    assert.equal(waited.length, 1, "a send still within its time holds the next events back");
    time.advance(1);
    reporter.report(issued(T0, "c"), context);
    await flush();
    assert.equal(waited.length, 2);
    assert.deepEqual(batches.map(names), [["a"], ["b", "c"]]);
    // The abandoned send settling late does not clear the newer send's mark.
    pending[0]!.resolve();
    await flush();
    reporter.report(issued(T0, "d"), context);
    assert.equal(waited.length, 2, "the newer send is still in flight");
    pending[1]!.resolve();
    await flush();
    assert.deepEqual(names(batches.at(-1)), ["d"], "the newer send sends what waited");
    pending[2]!.resolve();
    await Promise.all(waited.slice(1));
  });
});
