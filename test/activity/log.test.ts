// The issuance log's pure parts: counting into a bounded table, the ring of recent events, the
// privacy rule both ends apply, and the isolate's reporter (one send in flight, failures dropped).

import assert from "node:assert/strict";
import { activityEvent, admitEvent } from "../../worker/activity/event.js";
import { ActivityLog, tally } from "../../worker/activity/log.js";
import { ABANDONED_AFTER_MS, ActivityReporter, MAX_BUFFERED_EVENTS } from "../../worker/activity/reporter.js";
import type { ActivityEvent } from "../../worker/activity/types.js";
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
    const batches: ActivityEvent[][] = [];
    const pending: { resolve: () => void; reject: (e: Error) => void }[] = [];
    const send = (events: readonly ActivityEvent[]) => {
      batches.push([...events]);
      return new Promise<void>((resolve, reject) => pending.push({ resolve, reject }));
    };
    return { batches, pending, send };
  }
  const flush = () => new Promise((resolve) => setImmediate(resolve));

  it("has one send in flight: events reported meanwhile go in the next batch, sent by the same waitUntil", async () => {
    const lines: string[] = [];
    const reporter = new ActivityReporter((line) => lines.push(line));
    const { batches, pending, send } = manualSend();
    const waited: Promise<unknown>[] = [];
    const context = { waitUntil: (p: Promise<unknown>) => waited.push(p), send };
    reporter.report(issued(T0, "a"), context);
    reporter.report(issued(T0 + 1, "b"), context);
    reporter.report(issued(T0 + 2, "c"), context);
    await flush();
    assert.equal(waited.length, 1, "only the first report started a send");
    assert.deepEqual(
      batches.map((b) => b.map((e) => e.name)),
      [["a"]],
    );
    pending[0]!.resolve();
    await flush();
    assert.deepEqual(
      batches.map((b) => b.map((e) => e.name)),
      [["a"], ["b", "c"]],
    );
    pending[1]!.resolve();
    await Promise.all(waited);
    assert.equal(reporter.buffered, 0);
    assert.deepEqual(lines, []);
  });

  it("drops a batch the key store refused, logs it, and sends the next one", async () => {
    const lines: string[] = [];
    const reporter = new ActivityReporter((line) => lines.push(line));
    const { batches, pending, send } = manualSend();
    const waited: Promise<unknown>[] = [];
    const context = { waitUntil: (p: Promise<unknown>) => waited.push(p), send };
    reporter.report(issued(T0, "a"), context);
    pending[0]!.reject(new Error("key store overloaded"));
    await Promise.all(waited);
    assert.deepEqual(
      lines.map((l) => JSON.parse(l)),
      [{ event: "activity.dropped", events: 1, error: "Error: key store overloaded" }],
    );
    reporter.report(issued(T0, "b"), context);
    pending[1]!.resolve();
    await Promise.all(waited);
    assert.deepEqual(
      batches.map((b) => b.map((e) => e.name)),
      [["a"], ["b"]],
    );
  });

  it("never throws into issuance, not even when waitUntil does", () => {
    const lines: string[] = [];
    const reporter = new ActivityReporter((line) => lines.push(line));
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

  it("bounds its buffer while a send is in flight, and says how many events it dropped", async () => {
    const lines: string[] = [];
    const reporter = new ActivityReporter((line) => lines.push(line));
    const { pending, send } = manualSend();
    const waited: Promise<unknown>[] = [];
    const context = { waitUntil: (p: Promise<unknown>) => waited.push(p), send };
    reporter.report(issued(T0), context);
    await flush();
    for (let i = 0; i < MAX_BUFFERED_EVENTS + 5; i++) reporter.report(issued(T0 + i), context);
    assert.equal(reporter.buffered, MAX_BUFFERED_EVENTS);
    for (let round = 0; round < 8 && pending.length > 0; round++) {
      for (const p of pending.splice(0)) p.resolve();
      await flush();
    }
    await Promise.all(waited);
    assert.deepEqual(JSON.parse(lines.at(-1)!), { event: "activity.dropped", events: 5, error: "buffer full" });
  });

  it("starts a new send when the one in flight was abandoned (its request canceled, so it never settles)", async () => {
    const time = clock();
    const reporter = new ActivityReporter(() => {}, time.now);
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
    assert.deepEqual(
      batches.map((b) => b.map((e) => e.name)),
      [["a"], ["b", "c"]],
    );
    // The abandoned send settling late does not clear the newer send's mark.
    pending[0]!.resolve();
    await flush();
    reporter.report(issued(T0, "d"), context);
    assert.equal(waited.length, 2, "the newer send is still in flight");
    pending[1]!.resolve();
    await flush();
    assert.deepEqual(
      batches.at(-1)?.map((e) => e.name),
      ["d"],
      "the newer send sends what waited",
    );
    pending[2]!.resolve();
    await Promise.all(waited.slice(1));
  });
});
