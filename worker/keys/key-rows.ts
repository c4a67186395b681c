// The key store's SQLite schema and row mapping (see worker/keys/STORAGE.md).
// This file owns the key tables' and store_meta's table and column names (the meta keys are
// named by their users: key-store.ts, revocation/ledger.ts).

import type { JWK } from "jose";
import type { SigningAlgorithm } from "../config/types.js";
import type { SealedKey } from "./kek.js";
import type { KeyEvent } from "./key-store-types.js";
import { publishedAtOf } from "./published-at.js";
import type { KeyMeta, KeyState } from "./timeline.js";

export const SCHEMA_VERSION = 1;
/** Audit events kept; older ones are pruned. */
export const MAX_KEY_EVENTS = 200;

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS store_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS signing_keys (
     kid TEXT PRIMARY KEY,
     alg TEXT NOT NULL CHECK (alg IN ('RS256', 'ES256')),
     state TEXT NOT NULL CHECK (state IN ('next', 'active', 'retired')),
     public_jwk TEXT NOT NULL,
     sealed_key BLOB NOT NULL,
     iv BLOB NOT NULL,
     kek_id TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     published_at INTEGER,
     activated_at INTEGER,
     retired_at INTEGER
   )`,
  `CREATE TABLE IF NOT EXISTS key_events (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     at INTEGER NOT NULL,
     kid TEXT NOT NULL,
     event TEXT NOT NULL,
     reason TEXT NOT NULL
   )`,
];

export interface StoredKey extends KeyMeta {
  readonly publicJwk: JWK;
  readonly sealed: SealedKey;
}

type Row = Record<string, SqlStorageValue>;

export class KeyRows {
  constructor(private readonly sql: SqlStorage) {}

  migrate(): void {
    for (const statement of SCHEMA) this.sql.exec(statement);
    const current = this.getMeta("schema_version");
    if (current !== null && Number(current) > SCHEMA_VERSION) {
      throw new Error(
        `key store schema ${current} is newer than this issuer understands (${SCHEMA_VERSION}); deploy the newer issuer`,
      );
    }
    this.setMeta("schema_version", String(SCHEMA_VERSION));
  }

  getMeta(name: string): string | null {
    const rows = this.sql.exec("SELECT value FROM store_meta WHERE name = ?", name).toArray();
    const value = rows[0]?.value;
    return typeof value === "string" ? value : null;
  }

  setMeta(name: string, value: string | null): void {
    if (value === null) this.sql.exec("DELETE FROM store_meta WHERE name = ?", name);
    else this.sql.exec("INSERT OR REPLACE INTO store_meta (name, value) VALUES (?, ?)", name, value);
  }

  keys(): StoredKey[] {
    return this.sql.exec("SELECT * FROM signing_keys ORDER BY created_at, kid").toArray().map(toStoredKey);
  }

  insert(key: StoredKey): void {
    this.sql.exec(
      `INSERT INTO signing_keys (kid, alg, state, public_jwk, sealed_key, iv, kek_id, created_at, published_at, activated_at, retired_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)`,
      key.kid,
      key.alg,
      key.state,
      JSON.stringify(key.publicJwk),
      key.sealed.ciphertext,
      key.sealed.iv,
      key.sealed.kekId,
      key.createdAt,
      key.activatedAt,
      key.retiredAt,
    );
  }

  updateState(kid: string, state: KeyState, activatedAt: number | null, retiredAt: number | null): void {
    this.sql.exec(
      "UPDATE signing_keys SET state = ?, activated_at = ?, retired_at = ? WHERE kid = ?",
      state,
      activatedAt,
      retiredAt,
      kid,
    );
  }

  /** Replaces a row's sealed private key (a KEK rewrap): same key, sealed anew. */
  reseal(kid: string, sealed: SealedKey): void {
    this.sql.exec(
      "UPDATE signing_keys SET sealed_key = ?, iv = ?, kek_id = ? WHERE kid = ?",
      sealed.ciphertext,
      sealed.iv,
      sealed.kekId,
      kid,
    );
  }

  /** Removes the row, and with it the sealed private key. */
  delete(kid: string): void {
    this.sql.exec("DELETE FROM signing_keys WHERE kid = ?", kid);
  }

  /** Records that the JWKS now visible in KV contains these keys (first publication only). */
  markPublished(kids: readonly string[], at: number): void {
    for (const kid of kids) {
      this.sql.exec("UPDATE signing_keys SET published_at = ? WHERE kid = ? AND published_at IS NULL", at, kid);
    }
  }

  recordEvent(event: KeyEvent): void {
    this.sql.exec(
      "INSERT INTO key_events (at, kid, event, reason) VALUES (?, ?, ?, ?)",
      event.at,
      event.kid,
      event.event,
      event.reason,
    );
    this.sql.exec("DELETE FROM key_events WHERE seq <= (SELECT MAX(seq) FROM key_events) - ?", MAX_KEY_EVENTS);
  }

  events(limit: number): KeyEvent[] {
    return this.sql
      .exec("SELECT at, kid, event, reason FROM key_events ORDER BY seq DESC LIMIT ?", limit)
      .toArray()
      .map((row) => ({
        at: Number(row.at),
        kid: String(row.kid),
        event: String(row.event) as KeyEvent["event"],
        reason: String(row.reason),
      }));
  }
}

function toStoredKey(row: Row): StoredKey {
  return {
    kid: String(row.kid),
    alg: String(row.alg) as SigningAlgorithm,
    state: String(row.state) as KeyState,
    createdAt: Number(row.created_at),
    publishedAt: publishedAtOf(row.published_at),
    activatedAt: row.activated_at === null ? null : Number(row.activated_at),
    retiredAt: row.retired_at === null ? null : Number(row.retired_at),
    publicJwk: JSON.parse(String(row.public_jwk)) as JWK,
    sealed: {
      kekId: String(row.kek_id),
      iv: new Uint8Array(row.iv as ArrayBuffer),
      ciphertext: new Uint8Array(row.sealed_key as ArrayBuffer),
    },
  };
}
