// The revocation list's side of the key store Durable Object: adding an entry (bounded, merged,
// logged) and the listing the admin API returns. The key store holds one of these, runs it under
// its lock and publishes through its #advance (worker/keys/key-store.ts).

import type { Clock } from "../clock.js";
import type { IssuerSettings } from "../config/types.js";
import { TooManyRevocationsError } from "../errors.js";
import { RevocationLedger, type MetaStore } from "./ledger.js";
import { MAX_REVOCATIONS, revocationEntry, type RevocationEntry, type RevocationTarget } from "./list.js";
import { nothingLeftToRevoke } from "./request.js";

/** After a failed KV publication, try again this soon. */
const REPUBLISH_RETRY_MS = 10_000;

/** The live revocation list at `now` (seconds), and the entry just added, if any. */
export interface RevocationListing {
  readonly now: number;
  readonly entries: readonly RevocationEntry[];
  readonly added?: RevocationEntry;
}

export class RevocationStore {
  readonly ledger: RevocationLedger;

  constructor(sql: SqlStorage) {
    this.ledger = new RevocationLedger(sql);
  }

  /**
   * Stores the entry for `target` at `nowMs`; the caller publishes. Throws ERR_TOO_MANY_REVOCATIONS
   * when full, and ERR_INVALID_REQUEST for a token no verifier accepts any more.
   */
  add(target: RevocationTarget, settings: Pick<IssuerSettings, "maxTokenLifetimeSeconds" | "clockSkewSeconds">, nowMs: number): RevocationEntry {
    // Checked again here, on the key store's clock, so that no entry is ever born expired.
    if (target.kind === "jti") {
      const expired = nothingLeftToRevoke(target.exp, settings, nowMs);
      if (expired !== undefined) throw expired;
    }
    const entry = revocationEntry(target, settings, nowMs);
    const name = entry.kind === "jti" ? entry.jti : entry.name;
    if (!this.ledger.has(entry.kind, name) && this.ledger.live(Math.floor(nowMs / 1_000)).length >= MAX_REVOCATIONS) {
      throw new TooManyRevocationsError(`the revocation list holds ${MAX_REVOCATIONS} entries; revoke the workload or ` +
        "workflow (one entry covers all its tokens) instead of more single tokens");
    }
    const added = this.ledger.upsert(entry);
    console.log(JSON.stringify({ event: "revocations.added", kind: added.kind, target: name, expiresAt: added.expiresAt }));
    return added;
  }

  /**
   * Purges expired entries, publishes the list to KV when it changed (false if KV refused), and
   * makes the Durable Object's alarm ring no later than the next expiry (or the retry).
   */
  async maintain(kv: KVNamespace, meta: MetaStore, clock: Clock, storage: DurableObjectStorage): Promise<boolean> {
    const now = clock.now();
    this.ledger.purge(Math.floor(now / 1_000));
    const published = await this.ledger.publish(kv, meta, now);
    const due = Math.min(this.ledger.nextExpiryMs() ?? Number.POSITIVE_INFINITY, published ? Number.POSITIVE_INFINITY : now + REPUBLISH_RETRY_MS);
    if (Number.isFinite(due)) {
      const at = clock.toPlatformTime(due);
      const current = await storage.getAlarm();
      if (current === null || current > at) await storage.setAlarm(at);
    }
    return published;
  }

  listing(nowMs: number, added?: RevocationEntry): RevocationListing {
    const now = Math.floor(nowMs / 1_000);
    return { now, entries: this.ledger.live(now), ...(added === undefined ? {} : { added }) };
  }
}
