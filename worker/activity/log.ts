// The issuance log's arithmetic, free of storage and clock: how events are counted into at most
// ACTIVITY_LIMITS.counts rows (one per requester kind, name, audience, outcome and code; an
// event of a new combination once the table is full is counted as `uncounted`), and the ring of
// the last ACTIVITY_LIMITS.recent events. The key store keeps both in SQLite (rows.ts); this file
// decides what each recording changes, and `ActivityLog` is the same log in memory.

import type { ActivityBatch, ActivityCount, ActivityEvent, ActivitySummary } from "./types.js";

/** The log's bounds: rows of counts, and events kept in the ring. */
export const ACTIVITY_LIMITS = { counts: 256, recent: 100 } as const satisfies ActivitySummary["limits"];

/** The identity of a count row: what is counted together. */
export function countKey(event: Pick<ActivityEvent, "requester" | "name" | "audience" | "outcome" | "code">): string {
  return JSON.stringify([event.requester, event.name, event.audience, event.outcome, event.code]);
}

/** What recording a batch changes in the count table. */
export interface Tally {
  /** Rows created or updated, by key. */
  readonly rows: ReadonlyMap<string, ActivityCount>;
  /** Events of the batch that found no row and no room for one. */
  readonly uncounted: number;
}

/** One event as a count row of its own. */
function countOf(event: ActivityEvent): ActivityCount {
  const { requester, name, audience, outcome, code, at } = event;
  return { requester, name, audience, outcome, code, count: 1, firstAt: at, lastAt: at };
}

/**
 * Adds `incoming` count rows to `existing` (the stored rows by key), creating a row per new
 * combination while fewer than `limit` rows exist; a row with no room adds its count to
 * `uncounted`. Pure: the caller writes `rows` back.
 */
export function mergeCounts(
  existing: ReadonlyMap<string, ActivityCount>,
  incoming: readonly ActivityCount[],
  limit: number = ACTIVITY_LIMITS.counts,
): Tally {
  const rows = new Map<string, ActivityCount>();
  let size = existing.size;
  let uncounted = 0;
  for (const add of incoming) {
    const key = countKey(add);
    const row = rows.get(key) ?? existing.get(key);
    if (row === undefined) {
      if (size >= limit) {
        uncounted += add.count;
        continue;
      }
      size++;
      rows.set(key, add);
      continue;
    }
    rows.set(key, {
      ...row,
      count: row.count + add.count,
      firstAt: Math.min(row.firstAt, add.firstAt),
      lastAt: Math.max(row.lastAt, add.lastAt),
    });
  }
  return { rows, uncounted };
}

/** Counts `events` into `existing`, as mergeCounts does with one row per event. */
export function tally(
  existing: ReadonlyMap<string, ActivityCount>,
  events: readonly ActivityEvent[],
  limit: number = ACTIVITY_LIMITS.counts,
): Tally {
  return mergeCounts(existing, events.map(countOf), limit);
}

/** Count rows as the page lists them: most recently seen first, then by key (a stable order). */
export function orderCounts(rows: Iterable<ActivityCount>): ActivityCount[] {
  return [...rows].sort((a, b) => b.lastAt - a.lastAt || (countKey(a) < countKey(b) ? -1 : 1));
}

/** The ring after `events` (oldest first, as reported): most recent first, at most `limit`. */
export function ringAfter(
  recent: readonly ActivityEvent[],
  events: readonly ActivityEvent[],
  limit: number = ACTIVITY_LIMITS.recent,
): ActivityEvent[] {
  return [...[...events].reverse(), ...recent].slice(0, limit);
}

/** The issuance log in memory: what the key store's tables hold, and what an isolate gathers between sends. */
export class ActivityLog {
  #counts = new Map<string, ActivityCount>();
  #recent: ActivityEvent[] = [];
  #uncounted = 0;
  #since: number | null = null;

  constructor(readonly limits: ActivitySummary["limits"] = ACTIVITY_LIMITS) {}

  record(events: readonly ActivityEvent[]): void {
    for (const event of events) this.add(event);
  }

  /**
   * Counts one event, in place: the isolate's reporter calls this on every issuance, so it
   * allocates no more than a new combination's row (no batch, no array copy).
   */
  add(event: ActivityEvent): void {
    const key = countKey(event);
    const row = this.#counts.get(key);
    if (row !== undefined) {
      this.#counts.set(key, {
        ...row,
        count: row.count + 1,
        firstAt: Math.min(row.firstAt, event.at),
        lastAt: Math.max(row.lastAt, event.at),
      });
    } else if (this.#counts.size < this.limits.counts) {
      this.#counts.set(key, countOf(event));
    } else {
      this.#uncounted++;
    }
    this.#recent.unshift(event);
    if (this.#recent.length > this.limits.recent) this.#recent.pop();
    this.#since = this.#since === null ? event.at : Math.min(this.#since, event.at);
  }

  /** Adds a batch (counted elsewhere) to this log. */
  merge(batch: ActivityBatch): void {
    if (batch.counts.length === 0 && batch.recent.length === 0 && batch.uncounted === 0) return;
    const { rows, uncounted } = mergeCounts(this.#counts, batch.counts, this.limits.counts);
    for (const [key, row] of rows) this.#counts.set(key, row);
    this.#uncounted += uncounted + batch.uncounted;
    this.#recent = ringAfter(this.#recent, batch.recent, this.limits.recent);
    const earliest = earliestOf(batch);
    if (earliest !== null) this.#since = this.#since === null ? earliest : Math.min(this.#since, earliest);
  }

  /** Events recorded since the last take, as one batch; the log is empty after. */
  take(): ActivityBatch {
    const batch: ActivityBatch = {
      counts: [...this.#counts.values()],
      recent: [...this.#recent].reverse(),
      uncounted: this.#uncounted,
    };
    this.#counts = new Map();
    this.#recent = [];
    this.#uncounted = 0;
    this.#since = null;
    return batch;
  }

  /** Events counted (or left uncounted) and not yet taken. */
  get size(): number {
    let events = this.#uncounted;
    for (const row of this.#counts.values()) events += row.count;
    return events;
  }

  summary(): ActivitySummary {
    return {
      since: this.#since,
      counts: orderCounts(this.#counts.values()),
      recent: [...this.#recent],
      limits: this.limits,
      uncounted: this.#uncounted,
    };
  }
}

/** The earliest time a batch names (its rows' first times and its events'), or null for an empty one. */
export function earliestOf(batch: ActivityBatch): number | null {
  const times = [...batch.counts.map((c) => c.firstAt), ...batch.recent.map((e) => e.at)];
  return times.length === 0 ? null : Math.min(...times);
}
