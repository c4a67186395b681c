// The exchange's replay store, kept by the key store's Durable Object (the issuer's one
// SQLite-backed instance, worker/keys/): it remembers each exchanged subject token until the token
// could no longer be accepted (its exp, or iat + the maximum age when it has no jti), so a
// presented token is exchanged once across every location. The issuer bundle exports this
// subclass as its KeyStore class: same binding, same storage, same migration, one table more
// (`exchange_presented`). Check and insert are synchronous SQL with no await between them, so no
// other request of the object can interleave. Keys are SHA-256 digests (of the issuer and jti, or
// of the whole token when it has no jti): the store holds no token. Expired rows are deleted on
// every claim, through the index on their end. The exchange claims through replay-claim.ts, with a
// deadline.

import { KeyStore } from "../keys/key-store.js";
import { KEY_STORE_NAME } from "../keys/key-store-stub.js";

export class KeyStoreWithReplays extends KeyStore {
  #migrated = false;

  /** True the first time `key` is claimed; false while an earlier claim lives (until its `untilMs`). */
  async claimPresented(key: string, untilMs: number, nowMs: number): Promise<boolean> {
    const sql = this.ctx.storage.sql;
    if (!this.#migrated) {
      sql.exec(
        "CREATE TABLE IF NOT EXISTS exchange_presented (key TEXT PRIMARY KEY, until_ms INTEGER NOT NULL);" +
          "CREATE INDEX IF NOT EXISTS exchange_presented_until ON exchange_presented (until_ms);",
      );
      this.#migrated = true;
    }
    sql.exec("DELETE FROM exchange_presented WHERE until_ms <= ?", nowMs).toArray();
    const inserted = sql
      .exec(
        "INSERT INTO exchange_presented (key, until_ms) VALUES (?, ?) ON CONFLICT(key) DO NOTHING RETURNING key",
        key,
        untilMs,
      )
      .toArray();
    return inserted.length === 1;
  }
}

/** The key store instance, with the replay method (the bundle exports KeyStoreWithReplays as KeyStore). */
export function replayStoreOf(env: { readonly KEY_STORE: DurableObjectNamespace<KeyStore> }) {
  const namespace = env.KEY_STORE as unknown as DurableObjectNamespace<KeyStoreWithReplays>;
  return namespace.get(namespace.idFromName(KEY_STORE_NAME));
}

/** The replay key of a verified token: by issuer and jti, or by the token itself when it has none. */
export async function replayKey(issuer: string, jti: string | undefined, token: string): Promise<string> {
  const text = jti === undefined ? `token\n${token}` : `jti\n${issuer}\n${jti}`;
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
}
