// The isolate's side of the issuance log: events are buffered here and sent to the key store by
// ctx.waitUntil, so issuance never waits on the log and a key store failure never fails an
// issuance (the batch is dropped and logged). At most one recordActivity RPC is in flight per
// isolate: an event reported meanwhile waits in the buffer, and the request that started the RPC
// sends it next, within its own waitUntil (no request awaits another's promise or uses another's
// Durable Object stub: workerd refuses I/O objects across requests).

import type { ActivityEvent } from "./types.js";

/** Events held while a send is in flight; beyond this they are dropped (and counted in the log line). */
export const MAX_BUFFERED_EVENTS = 1_000;
/** Events sent in one recordActivity call. */
export const MAX_BATCH = 200;
/** Sends one waitUntil makes before leaving what remains to the next report. */
const MAX_ROUNDS = 5;
/** A send not answered by then counts as failed: a hung key store must not hold the buffer for good. */
export const SEND_TIMEOUT_MS = 10_000;
/**
 * A drain marked under way for longer than this was abandoned: its request was canceled (timers
 * included), so it will never clear its mark. The next report starts a drain of its own.
 */
export const ABANDONED_AFTER_MS = MAX_ROUNDS * SEND_TIMEOUT_MS + 5_000;

/** What a report needs of the request: its waitUntil, and a sender bound to its own env. */
export interface ReportContext {
  readonly waitUntil: (promise: Promise<unknown>) => void;
  readonly send: (events: readonly ActivityEvent[]) => Promise<void>;
}

export class ActivityReporter {
  #buffer: ActivityEvent[] = [];
  /** When the drain under way started (a value, never a promise: see above); undefined when none is. */
  #sendingSince: number | undefined;
  /** Numbers the drains, so an abandoned one that wakes up late does not clear a newer one's mark. */
  #drains = 0;
  #dropped = 0;

  constructor(
    private readonly log: (line: string) => void = (line) => console.warn(line),
    private readonly now: () => number = Date.now,
  ) {}

  /** Buffers `event` and, unless a send is in flight, starts one under `context.waitUntil`. Never throws. */
  report(event: ActivityEvent, context: ReportContext): void {
    if (this.#buffer.length >= MAX_BUFFERED_EVENTS) this.#dropped++;
    else this.#buffer.push(event);
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

  /** Events waiting for the next send (for tests). */
  get buffered(): number {
    return this.#buffer.length;
  }

  async #drain(send: ReportContext["send"], drain: number): Promise<void> {
    try {
      for (let round = 0; round < MAX_ROUNDS && this.#buffer.length > 0; round++) {
        const batch = this.#buffer.splice(0, MAX_BATCH);
        try {
          await withTimeout(send(batch), SEND_TIMEOUT_MS);
        } catch (error) {
          this.log(JSON.stringify({ event: "activity.dropped", events: batch.length, error: String(error) }));
        }
      }
      if (this.#dropped > 0) {
        this.log(JSON.stringify({ event: "activity.dropped", events: this.#dropped, error: "buffer full" }));
        this.#dropped = 0;
      }
    } finally {
      if (drain === this.#drains) this.#sendingSince = undefined;
    }
  }
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
