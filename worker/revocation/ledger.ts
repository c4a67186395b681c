// The revocation list's storage in the key store Durable Object (SQLite table `revocations`,
// see worker/keys/STORAGE.md) and its publication to KV (`revocations/v1`), where the issuer's
// /revocations.json reads it. The key store is the single writer of both, as of the JWKS.

import { REVOCATIONS_DOCUMENT } from "../publishing/documents.js";
import { publishedDocumentEtag } from "../publishing/etag.js";
import { withKvDeadline } from "../publishing/kv-deadline.js";
import { type RevocationEntry, type RevocationKind, revocationDocument } from "./list.js";

export const REVOCATIONS_SCHEMA = `CREATE TABLE IF NOT EXISTS revocations (
  kind TEXT NOT NULL CHECK (kind IN ('jti', 'workload', 'workflow')),
  target TEXT NOT NULL,
  revoked_at INTEGER NOT NULL,
  token_exp INTEGER,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (kind, target)
)`;

/** KV metadata of `revocations/v1`, as of the JWKS. */
export interface RevocationsKvMetadata {
  readonly etag: string;
  readonly publishedAt: number;
}

/** store_meta access (owned by KeyRows): what was last published, and whether a write failed. */
export interface MetaStore {
  getMeta(name: string): string | null;
  setMeta(name: string, value: string | null): void;
}

type Row = Record<string, SqlStorageValue>;

export class RevocationLedger {
  constructor(private readonly sql: SqlStorage) {}

  migrate(): void {
    this.sql.exec(REVOCATIONS_SCHEMA);
  }

  /** Entries not yet expired at `nowSeconds`. */
  live(nowSeconds: number): RevocationEntry[] {
    return this.sql
      .exec("SELECT * FROM revocations WHERE expires_at > ? ORDER BY kind, target", nowSeconds)
      .toArray()
      .map(toEntry);
  }

  /** Stores an entry, replacing the one for the same target (the store merges them first). */
  put(entry: RevocationEntry): void {
    this.sql.exec(
      "INSERT OR REPLACE INTO revocations (kind, target, revoked_at, token_exp, expires_at) VALUES (?, ?, ?, ?, ?)",
      entry.kind,
      targetOf(entry),
      entry.revokedAt,
      entry.kind === "jti" ? entry.exp : null,
      entry.expiresAt,
    );
  }

  /** The stored entry for this target, expired or not (purging is the alarm's business). */
  get(kind: RevocationKind, target: string): RevocationEntry | undefined {
    const row = this.sql.exec("SELECT * FROM revocations WHERE kind = ? AND target = ?", kind, target).toArray()[0];
    return row === undefined ? undefined : toEntry(row);
  }

  /** Deletes the entries that expired: every token they covered has expired too. */
  purge(nowSeconds: number): number {
    return this.sql.exec("DELETE FROM revocations WHERE expires_at <= ?", nowSeconds).rowsWritten;
  }

  /** When the next entry expires, in ms (an alarm time), or null with none stored. */
  nextExpiryMs(): number | null {
    const value = this.sql.exec("SELECT MIN(expires_at) AS at FROM revocations").toArray()[0]?.at;
    return typeof value === "number" ? value * 1_000 : null;
  }

  /** The published document's body for `nowSeconds`. */
  body(nowSeconds: number): string {
    return JSON.stringify(revocationDocument(this.live(nowSeconds)));
  }

  /** Writes the list to KV when it changed (or an earlier write failed). False if KV refused or did not answer in time. */
  async publish(kv: KVNamespace, meta: MetaStore, nowMs: number): Promise<boolean> {
    const body = this.body(Math.floor(nowMs / 1_000));
    if (body === meta.getMeta("revocations_body") && meta.getMeta("revocations_pending") === null) return true;
    try {
      const metadata: RevocationsKvMetadata = { etag: await publishedDocumentEtag(body), publishedAt: nowMs };
      await withKvDeadline("write", REVOCATIONS_DOCUMENT.kvKey, kv.put(REVOCATIONS_DOCUMENT.kvKey, body, { metadata }));
    } catch (error) {
      meta.setMeta("revocations_pending", "1");
      console.error(JSON.stringify({ event: "revocations.publish_failed", error: String(error) }));
      return false;
    }
    meta.setMeta("revocations_body", body);
    meta.setMeta("revocations_pending", null);
    return true;
  }
}

function targetOf(entry: RevocationEntry): string {
  return entry.kind === "jti" ? entry.jti : entry.name;
}

function toEntry(row: Row): RevocationEntry {
  const kind = String(row.kind) as RevocationKind;
  const revokedAt = Number(row.revoked_at);
  const expiresAt = Number(row.expires_at);
  if (kind === "jti") return { kind, jti: String(row.target), exp: Number(row.token_exp), revokedAt, expiresAt };
  return { kind, name: String(row.target), revokedAt, expiresAt };
}
