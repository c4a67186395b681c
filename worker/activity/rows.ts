// The issuance log's storage in the key store Durable Object (see worker/keys/STORAGE.md): the
// count table `activity_counts` (at most ACTIVITY_LIMITS.counts rows), the ring `activity_recent`
// (the last ACTIVITY_LIMITS.recent events) and `activity_totals` (events left uncounted, and the
// first event's time). This file owns those names. New tables only, like `revocations`: an issuer
// without them never reads them, so the store's schema_version stays 1.

import { ACTIVITY_LIMITS, countKey, earliestOf, mergeCounts, orderCounts } from "./log.js";
import type { ActivityBatch, ActivityCount, ActivityEvent, ActivitySummary } from "./types.js";

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS activity_counts (
     key TEXT PRIMARY KEY,
     requester TEXT NOT NULL CHECK (requester IN ('workload', 'workflow')),
     name TEXT,
     audience TEXT,
     outcome TEXT NOT NULL CHECK (outcome IN ('issued', 'refused')),
     code TEXT,
     count INTEGER NOT NULL,
     first_at INTEGER NOT NULL,
     last_at INTEGER NOT NULL
   )`,
  `CREATE TABLE IF NOT EXISTS activity_recent (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     at INTEGER NOT NULL,
     channel TEXT NOT NULL,
     requester TEXT NOT NULL,
     name TEXT,
     audience TEXT,
     outcome TEXT NOT NULL,
     code TEXT
   )`,
  `CREATE TABLE IF NOT EXISTS activity_totals (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     since INTEGER,
     uncounted INTEGER NOT NULL
   )`,
];

type Row = Record<string, SqlStorageValue>;

export class ActivityRows {
  constructor(
    private readonly sql: SqlStorage,
    private readonly limits: ActivitySummary["limits"] = ACTIVITY_LIMITS,
  ) {}

  migrate(): void {
    for (const statement of SCHEMA) this.sql.exec(statement);
  }

  /** Adds a batch (admitted: rows hold only what event.ts lets through): its counts, and its events to the ring. */
  record(batch: ActivityBatch): void {
    const earliest = earliestOf(batch);
    if (earliest === null && batch.uncounted === 0) return;
    const existing = new Map(this.#counts().map((row) => [countKey(row), row]));
    const { rows, uncounted } = mergeCounts(existing, batch.counts, this.limits.counts);
    for (const [key, row] of rows) {
      this.sql.exec(
        `INSERT OR REPLACE INTO activity_counts (key, requester, name, audience, outcome, code, count, first_at, last_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        key,
        row.requester,
        row.name,
        row.audience,
        row.outcome,
        row.code,
        row.count,
        row.firstAt,
        row.lastAt,
      );
    }
    for (const e of batch.recent.slice(-this.limits.recent)) {
      this.sql.exec(
        "INSERT INTO activity_recent (at, channel, requester, name, audience, outcome, code) VALUES (?, ?, ?, ?, ?, ?, ?)",
        e.at,
        e.channel,
        e.requester,
        e.name,
        e.audience,
        e.outcome,
        e.code,
      );
    }
    this.sql.exec(
      "DELETE FROM activity_recent WHERE seq <= (SELECT MAX(seq) FROM activity_recent) - ?",
      this.limits.recent,
    );
    const totals = this.#totals();
    const since =
      earliest === null ? totals.since : totals.since === null ? earliest : Math.min(totals.since, earliest);
    this.sql.exec(
      "INSERT OR REPLACE INTO activity_totals (id, since, uncounted) VALUES (1, ?, ?)",
      since,
      totals.uncounted + uncounted + batch.uncounted,
    );
  }

  summary(): ActivitySummary {
    const recent = this.sql
      .exec("SELECT * FROM activity_recent ORDER BY seq DESC LIMIT ?", this.limits.recent)
      .toArray()
      .map(toEvent);
    return { ...this.#totals(), counts: orderCounts(this.#counts()), recent, limits: this.limits };
  }

  #counts(): ActivityCount[] {
    return this.sql.exec("SELECT * FROM activity_counts").toArray().map(toCount);
  }

  #totals(): { since: number | null; uncounted: number } {
    const row = this.sql.exec("SELECT since, uncounted FROM activity_totals WHERE id = 1").toArray()[0];
    if (row === undefined) return { since: null, uncounted: 0 };
    return { since: row.since === null ? null : Number(row.since), uncounted: Number(row.uncounted) };
  }
}

function text(value: SqlStorageValue | undefined): string | null {
  return value === null || value === undefined ? null : String(value);
}

function toCount(row: Row): ActivityCount {
  return {
    requester: String(row.requester) as ActivityCount["requester"],
    name: text(row.name),
    audience: text(row.audience),
    outcome: String(row.outcome) as ActivityCount["outcome"],
    code: text(row.code),
    count: Number(row.count),
    firstAt: Number(row.first_at),
    lastAt: Number(row.last_at),
  };
}

function toEvent(row: Row): ActivityEvent {
  return {
    at: Number(row.at),
    channel: String(row.channel) as ActivityEvent["channel"],
    requester: String(row.requester) as ActivityEvent["requester"],
    name: text(row.name),
    audience: text(row.audience),
    outcome: String(row.outcome) as ActivityEvent["outcome"],
    code: text(row.code),
  };
}
