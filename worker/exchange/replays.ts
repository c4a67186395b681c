// The exchange's replay store: one SQLite-backed Durable Object that remembers each exchanged
// subject token until it could no longer be accepted (its exp, or iat + the maximum age when it
// has no jti), so a presented token is exchanged once across every location. A Durable Object
// runs one request at a time, so the check and the insert cannot interleave. Keys are SHA-256
// digests (of the issuer and jti, or of the whole token when it has no jti): the store holds no
// token. Expired rows are deleted on every claim, through the index on their end.
//
// Bound as EXCHANGE_REPLAYS (ExchangeEnv below). Until the Pulumi program deploys that binding
// (a Durable Object migration creating ExchangeReplays), a deployed issuer answers POST /token
// with ERR_ISSUER_CONFIG: without the store it cannot refuse replays, so it exchanges nothing.

import { DurableObject } from "cloudflare:workers";
import type { IssuerEnv } from "../bindings/env.js";
import type { EXCHANGE_REPLAYS_BINDING } from "./replay-names.js";

/** The issuer's env with the replay store, which the bindings table does not list yet. */
export type ExchangeEnv = IssuerEnv & {
  readonly [K in typeof EXCHANGE_REPLAYS_BINDING]?: DurableObjectNamespace<ExchangeReplays>;
};

export class ExchangeReplays extends DurableObject<ExchangeEnv> {
  constructor(ctx: DurableObjectState, env: ExchangeEnv) {
    super(ctx, env);
    ctx.storage.sql.exec(
      "CREATE TABLE IF NOT EXISTS presented (key TEXT PRIMARY KEY, until_ms INTEGER NOT NULL);" +
        "CREATE INDEX IF NOT EXISTS presented_until ON presented (until_ms);",
    );
  }

  /** True the first time `key` is claimed before `untilMs`; false while an earlier claim lives. */
  async claim(key: string, untilMs: number, nowMs: number): Promise<boolean> {
    const sql = this.ctx.storage.sql;
    sql.exec("DELETE FROM presented WHERE until_ms <= ?", nowMs).toArray();
    const inserted = sql
      .exec(
        "INSERT INTO presented (key, until_ms) VALUES (?, ?) ON CONFLICT(key) DO NOTHING RETURNING key",
        key,
        untilMs,
      )
      .toArray();
    return inserted.length === 1;
  }
}

/** The replay key of a verified token: by issuer and jti, or by the token itself when it has none. */
export async function replayKey(issuer: string, jti: string | undefined, token: string): Promise<string> {
  const text = jti === undefined ? `token\n${token}` : `jti\n${issuer}\n${jti}`;
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
}
