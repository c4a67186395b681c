// The issuance log's arithmetic, free of storage and clock: how events are counted into at most
// ACTIVITY_LIMITS.counts rows (one per requester kind, name, audience, outcome and code; an
// event of a new combination once the table is full is counted as `uncounted`), and the ring of
// the last ACTIVITY_LIMITS.recent events. The key store keeps both in SQLite (rows.ts); this file
// decides what each recording changes, and `ActivityLog` is the same log in memory.

import type { ActivityCount, ActivityEvent, ActivitySummary } from "./types.js";

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

/**
 * Counts `events` into `existing` (the stored rows by key), creating a row per new combination
 * while fewer than `limit` rows exist. Pure: the caller writes `rows` back.
 */
export function tally(
  existing: ReadonlyMap<string, ActivityCount>,
  events: readonly ActivityEvent[],
  limit: number = ACTIVITY_LIMITS.counts,
): Tally {
  const rows = new Map<string, ActivityCount>();
  let size = existing.size;
  let uncounted = 0;
  for (const event of events) {
    const key = countKey(event);
    const row = rows.get(key) ?? existing.get(key);
    if (row === undefined) {
      if (size >= limit) {
        uncounted++;
        continue;
      }
      size++;
      rows.set(key, {
        requester: event.requester,
        name: event.name,
        audience: event.audience,
        outcome: event.outcome,
        code: event.code,
        count: 1,
        firstAt: event.at,
        lastAt: event.at,
      });
      continue;
    }
    rows.set(key, {
      ...row,
      count: row.count + 1,
      firstAt: Math.min(row.firstAt, event.at),
      lastAt: Math.max(row.lastAt, event.at),
    });
  }
  return { rows, uncounted };
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

/** The issuance log in memory: what the key store's tables hold, for tests and for one read. */
export class ActivityLog {
  #counts = new Map<string, ActivityCount>();
  #recent: ActivityEvent[] = [];
  #uncounted = 0;
  #since: number | null = null;

  constructor(readonly limits: ActivitySummary["limits"] = ACTIVITY_LIMITS) {}

  record(events: readonly ActivityEvent[]): void {
    if (events.length === 0) return;
    const { rows, uncounted } = tally(this.#counts, events, this.limits.counts);
    for (const [key, row] of rows) this.#counts.set(key, row);
    this.#uncounted += uncounted;
    this.#recent = ringAfter(this.#recent, events, this.limits.recent);
    const earliest = Math.min(...events.map((e) => e.at));
    this.#since = this.#since === null ? earliest : Math.min(this.#since, earliest);
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
