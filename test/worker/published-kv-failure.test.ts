// The published documents when KV reads fail, in workerd: the issuer's PUBLISHED binding is a
// wrapped binding whose reads throw and whose writes reach a real namespace, so the key store
// still publishes while every read of KV fails. The JWKS and the revocation list come from the
// key store then (worker/publishing/published-document.ts), and introspection still answers.

import assert from "node:assert/strict";
import type { JSONWebKeySet } from "jose";
import type { Miniflare } from "miniflare";
import { FAILING_READS_KV_WORKER, startWithFailingKvReads } from "../support/failing-reads-kv.js";
import { freePort } from "../support/free-port.js";
import { settle, structuredEvents } from "../support/runtime-logs.js";
import { testStackInput } from "../support/stack-fixture.js";

describe("issuer in workerd: published documents while KV reads fail", function () {
  this.timeout(60_000);
  let mf: Miniflare;
  let url: string;
  const logs: string[] = [];

  /** The kv_unavailable events as [document, reader], once at least `count` arrived (the output lags). */
  async function kvFailures(count: number): Promise<string[][]> {
    for (let i = 0; i < 20 && structuredEvents(logs, "published.kv_unavailable").length < count; i++) await settle();
    return structuredEvents(logs, "published.kv_unavailable").map((e) => [String(e.document), String(e.reader)]);
  }

  before(async () => {
    url = `http://127.0.0.1:${await freePort()}`;
    mf = await startWithFailingKvReads(testStackInput(url, { exampleWorkflows: false }), logs);
  });
  after(async () => {
    await mf?.dispose();
  });

  it("serves the JWKS from the key store, which still publishes it to KV", async () => {
    const response = await fetch(`${url}/.well-known/jwks.json`);
    assert.equal(response.status, 200);
    const etag = response.headers.get("etag");
    assert.match(etag ?? "", /^"[0-9a-f]{32}"$/);
    const served = (await response.json()) as JSONWebKeySet;
    assert.ok(served.keys.length >= 1);
    const inner = await mf.getKVNamespace("INNER", FAILING_READS_KV_WORKER);
    assert.deepEqual(JSON.parse((await inner.get("jwks/v1")) ?? "null"), served, "the key store published it");
    const again = await fetch(`${url}/.well-known/jwks.json`, { headers: { "if-none-match": `W/${etag}` } });
    assert.equal(again.status, 304);
    assert.deepEqual(
      await kvFailures(1),
      [["jwks", "jwks endpoint"]],
      "KV was asked once; the 304 came from the isolate's copy",
    );
  });

  it("serves the revocation list from the key store, with an ETag and 304s", async () => {
    const response = await fetch(`${url}/revocations.json`);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { entries: [] });
    const etag = response.headers.get("etag") ?? "";
    const head = await fetch(`${url}/revocations.json`, { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get("etag"), etag);
    assert.equal(await head.text(), "");
    assert.equal((await fetch(`${url}/revocations.json`, { headers: { "if-none-match": etag } })).status, 304);
    assert.deepEqual(
      (await kvFailures(4)).filter(([document]) => document === "revocations"),
      [0, 1, 2].map(() => ["revocations", "revocations endpoint"]),
      "each read of the list failed in KV",
    );
  });
});
