// The isolate's side of the issuance log: events are counted here (an ActivityLog of the same
// bounds as the key store's) and sent to the key store as one batch by ctx.waitUntil, so issuance
// never waits on the log, a key store failure never fails an issuance (the batch is dropped and
// logged), and a busy isolate sends a few count rows and its last events, not every event: the
// key store's work grows with distinct combinations, not with traffic. At most one
// recordActivity RPC is in flight per isolate, and a send first waits COALESCE_MS so that what
// arrives meanwhile travels with it. The request that started the send sends what was counted
// meanwhile too, within its own waitUntil (no request awaits another's promise or uses another's
// Durable Object stub: workerd refuses I/O objects across requests).

import { ActivityLog } from "./log.js";
import type { ActivityBatch, ActivityEvent } from "./types.js";

/** How long a send waits for more events to travel with it: at most this many sends a second, per isolate, under load. */
export const COALESCE_MS = 250;
/** Sends one waitUntil makes before leaving what remains to the next report. */
const MAX_ROUNDS = 5;
/** A send not answered by then counts as failed: a hung key store must not hold the log for good. */
export const SEND_TIMEOUT_MS = 10_000;
/**
 * A drain marked under way for longer than this was abandoned: its request was canceled (timers
 * included), so it will never clear its mark. The next report starts a drain of its own.
 */
export const ABANDONED_AFTER_MS = MAX_ROUNDS * (COALESCE_MS + SEND_TIMEOUT_MS) + 5_000;

/** What a report needs of the request: its waitUntil, and a sender bound to its own env. */
export interface ReportContext {
  readonly waitUntil: (promise: Promise<unknown>) => void;
  readonly send: (batch: ActivityBatch) => Promise<void>;
}

export class ActivityReporter {
  /** What was counted since the last send (bounded as the key store's log is). */
  #pending = new ActivityLog();
  /** When the drain under way started (a value, never a promise: see above); undefined when none is. */
  #sendingSince: number | undefined;
  /** Numbers the drains, so an abandoned one that wakes up late does not clear a newer one's mark. */
  #drains = 0;

  constructor(
    private readonly log: (line: string) => void = (line) => console.warn(line),
    private readonly now: () => number = Date.now,
    private readonly coalesceMs: number = COALESCE_MS,
  ) {}

  /** Counts `event` and, unless a send is under way, starts one under `context.waitUntil`. Never throws. */
  report(event: ActivityEvent, context: ReportContext): void {
    this.#pending.add(event);
    const now = this.now();
    if (this.#sendingSince !== undefined && now - this.#sendingSince < ABANDONED_AFTER_MS) return;
    this.#sendingSince = now;
    const drain = ++this.#drains;
    try {
      context.waitUntil(this.#drain(context.send, drain));
    } catch (error) {
      this.#sendingSince = undefined;
      this.log(JSON.stringify({ event: "activity.report_failed", error: String(error) }));
    }
  }

  /** Events counted and not yet sent (for tests). */
  get buffered(): number {
    return this.#pending.size;
  }

  async #drain(send: ReportContext["send"], drain: number): Promise<void> {
    try {
      for (let round = 0; round < MAX_ROUNDS && this.#pending.size > 0; round++) {
        if (this.coalesceMs > 0) await sleep(this.coalesceMs);
        const size = this.#pending.size;
        const batch = this.#pending.take();
        try {
          await withTimeout(send(batch), SEND_TIMEOUT_MS);
        } catch (error) {
          this.log(JSON.stringify({ event: "activity.dropped", events: size, error: String(error) }));
        }
      }
    } finally {
      if (drain === this.#drains) this.#sendingSince = undefined;
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => {
    if (timer !== undefined) clearTimeout(timer);
  });
}

/** The issuer isolate's reporter. */
export const activityReporter = new ActivityReporter();
