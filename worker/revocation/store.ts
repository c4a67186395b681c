// The revocation list's side of the key store Durable Object: adding an entry (bounded, merged,
// logged, saying what it changed: change.ts) and the listing the admin API returns. The key
// store holds one of these, runs it under its lock and publishes through its #advance
// (worker/keys/key-store.ts).

import type { Clock } from "../clock.js";
import type { IssuerSettings } from "../config/types.js";
import { TooManyRevocationsError } from "../errors.js";
import { type RevocationChange, type RevocationOutcome, revocationChange } from "./change.js";
import { type MetaStore, RevocationLedger } from "./ledger.js";
import { MAX_REVOCATIONS, type RevocationEntry, type RevocationTarget, revocationEntry } from "./list.js";
import { nothingLeftToRevoke } from "./request.js";

/** After a failed KV publication, try again this soon. */
const REPUBLISH_RETRY_MS = 10_000;

/** The live revocation list at `now` (seconds), and what a revocation just did, if one was asked for. */
export interface RevocationListing {
  readonly now: number;
  readonly entries: readonly RevocationEntry[];
  readonly outcome?: RevocationOutcome;
  readonly entry?: RevocationEntry;
}

export class RevocationStore {
  readonly ledger: RevocationLedger;

  constructor(sql: SqlStorage) {
    this.ledger = new RevocationLedger(sql);
  }

  /**
   * Stores the entry for `target` at `nowMs`, merged with a live one; the caller publishes. Throws
   * ERR_TOO_MANY_REVOCATIONS when full, and ERR_INVALID_REQUEST for a token no verifier accepts
   * any more (checked again here, on the key store's clock, so no entry is ever born expired).
   */
  add(
    target: RevocationTarget,
    settings: Pick<IssuerSettings, "maxTokenLifetimeSeconds" | "clockSkewSeconds">,
    nowMs: number,
  ): RevocationChange {
    if (target.kind === "jti") {
      const expired = nothingLeftToRevoke(target.exp, settings, nowMs);
      if (expired !== undefined) throw expired;
    }
    const nowSeconds = Math.floor(nowMs / 1_000);
    const entry = revocationEntry(target, settings, nowMs);
    const name = entry.kind === "jti" ? entry.jti : entry.name;
    const change = revocationChange(this.ledger.get(entry.kind, name), entry, nowSeconds);
    if (change.outcome === "added" && this.ledger.live(nowSeconds).length >= MAX_REVOCATIONS) {
      throw new TooManyRevocationsError(
        `the revocation list holds ${MAX_REVOCATIONS} entries; revoke the workload or ` +
          "workflow (one entry covers all its tokens) instead of more single tokens",
      );
    }
    if (change.outcome !== "unchanged") this.ledger.put(change.entry);
    console.log(
      JSON.stringify({
        event: `revocations.${change.outcome}`,
        kind: entry.kind,
        target: name,
        expiresAt: change.entry.expiresAt,
      }),
    );
    return change;
  }

  /**
   * Purges expired entries, publishes the list to KV when it changed (false if KV refused), and
   * makes the Durable Object's alarm ring no later than the next expiry (or the retry).
   */
  async maintain(kv: KVNamespace, meta: MetaStore, clock: Clock, storage: DurableObjectStorage): Promise<boolean> {
    const now = clock.now();
    this.ledger.purge(Math.floor(now / 1_000));
    const published = await this.ledger.publish(kv, meta, now);
    const due = Math.min(
      this.ledger.nextExpiryMs() ?? Number.POSITIVE_INFINITY,
      published ? Number.POSITIVE_INFINITY : now + REPUBLISH_RETRY_MS,
    );
    if (Number.isFinite(due)) {
      const at = clock.toPlatformTime(due);
      const current = await storage.getAlarm();
      if (current === null || current > at) await storage.setAlarm(at);
    }
    return published;
  }

  listing(nowMs: number, change?: RevocationChange): RevocationListing {
    const now = Math.floor(nowMs / 1_000);
    return {
      now,
      entries: this.ledger.live(now),
      ...(change === undefined ? {} : { outcome: change.outcome, entry: change.entry }),
    };
  }
}
