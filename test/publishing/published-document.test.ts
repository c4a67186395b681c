// The one path for the issuer's published documents (worker/publishing/): KV first, the key store
// when KV has nothing or fails, 503 when neither answers; strong ETag, If-None-Match, HEAD.

import assert from "node:assert/strict";
import { JWKS_DOCUMENT, REVOCATIONS_DOCUMENT } from "../../worker/publishing/documents.js";
import { etagOf } from "../../worker/publishing/etag.js";
import {
  type PublishedKv,
  readPublished,
  readPublishedKv,
  servePublished,
} from "../../worker/publishing/published-document.js";

const BODY = '{"keys":[]}';
const STORE_BODY = '{"keys":[{"kid":"from-store"}]}';

/** A KV namespace holding `entries` ({key: [value, metadata]}), or throwing on every read. */
function kvOf(entries: Record<string, [string, unknown]> | "failing"): PublishedKv & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    getWithMetadata(key) {
      reads.push(key);
      if (entries === "failing") return Promise.reject(new Error("KV is down"));
      const found = entries[key];
      return Promise.resolve(found ? { value: found[0], metadata: found[1] } : { value: null, metadata: null });
    },
  };
}

/** Runs `body` with console.error captured: the structured events it logged. */
async function logged<T>(body: () => Promise<T>): Promise<{ result: T; events: Record<string, unknown>[] }> {
  const events: Record<string, unknown>[] = [];
  const original = console.error;
  console.error = (line: unknown) => void events.push(JSON.parse(String(line)) as Record<string, unknown>);
  try {
    return { result: await body(), events };
  } finally {
    console.error = original;
  }
}

describe("published documents: reading", () => {
  let storeCalls = 0;
  const store = (body = STORE_BODY) => {
    storeCalls = 0;
    return () => {
      storeCalls++;
      return Promise.resolve(body);
    };
  };

  it("answers KV's copy with the ETag recorded beside it, without asking the key store", async () => {
    const kv = kvOf({ [JWKS_DOCUMENT.kvKey]: [BODY, { etag: '"recorded"', publishedAt: 1 }] });
    const found = await readPublished(kv, JWKS_DOCUMENT, { reader: "test", fallback: store() });
    assert.deepEqual(found, { body: BODY, etag: '"recorded"' });
    assert.deepEqual(kv.reads, [JWKS_DOCUMENT.kvKey]);
    assert.equal(storeCalls, 0);
  });

  it("computes the ETag over the bytes when KV's metadata has none or an unusable one", async () => {
    const computed = await etagOf(BODY, undefined);
    assert.match(computed, /^"[0-9a-f]{32}"$/);
    for (const metadata of [null, {}, { etag: "" }, { etag: "unquoted" }, { etag: 7 }, { etag: 'W/"weak"' }]) {
      const found = await readPublishedKv(kvOf({ [JWKS_DOCUMENT.kvKey]: [BODY, metadata] }), JWKS_DOCUMENT);
      assert.equal(found?.etag, computed, JSON.stringify(metadata));
    }
  });

  const emptyKv: [string, Record<string, [string, unknown]>][] = [
    ["absent", {}],
    ["empty", { [JWKS_DOCUMENT.kvKey]: ["", { etag: '"empty"' }] }],
  ];
  for (const [name, entries] of emptyKv) {
    it(`falls back to the key store when KV's copy is ${name}, logging nothing`, async () => {
      const { result, events } = await logged(() =>
        readPublished(kvOf(entries), JWKS_DOCUMENT, { reader: "test", fallback: store() }),
      );
      assert.deepEqual(result, { body: STORE_BODY, etag: await etagOf(STORE_BODY, undefined) });
      assert.equal(storeCalls, 1);
      assert.deepEqual(events, []);
    });
  }

  it("falls back to the key store when KV throws, logging the document and the reader", async () => {
    const { result, events } = await logged(() =>
      readPublished(kvOf("failing"), REVOCATIONS_DOCUMENT, { reader: "introspection", fallback: store() }),
    );
    assert.equal(result?.body, STORE_BODY);
    assert.deepEqual(events, [
      {
        event: "published.kv_unavailable",
        document: "revocations",
        reader: "introspection",
        error: "Error: KV is down",
      },
    ]);
  });

  it("answers undefined when KV and the key store both fail, logging both", async () => {
    const { result, events } = await logged(() =>
      readPublished(kvOf("failing"), JWKS_DOCUMENT, {
        reader: "test",
        fallback: () => Promise.reject(new Error("key store is down")),
      }),
    );
    assert.equal(result, undefined);
    assert.deepEqual(
      events.map((e) => [e.event, e.document]),
      [
        ["published.kv_unavailable", "jwks"],
        ["published.key_store_unavailable", "jwks"],
      ],
    );
  });

  it("reads KV only without a fallback: undefined when KV is empty or fails", async () => {
    assert.equal(await readPublished(kvOf({}), REVOCATIONS_DOCUMENT, { reader: "issuance" }), undefined);
    const { result, events } = await logged(() =>
      readPublished(kvOf("failing"), REVOCATIONS_DOCUMENT, { reader: "issuance" }),
    );
    assert.equal(result, undefined);
    assert.deepEqual(
      events.map((e) => e.event),
      ["published.kv_unavailable"],
    );
  });
});

describe("published documents: serving", () => {
  const FOUND = { body: BODY, etag: '"abc"' };
  const serve = (init: RequestInit = {}, found: typeof FOUND | undefined = FOUND) =>
    servePublished(new Request("https://issuer.example/doc", init), JWKS_DOCUMENT, () => Promise.resolve(found), {
      maxAgeSeconds: 42,
    });

  it("answers 200 with the body, its strong ETag and cache headers", async () => {
    const response = await serve();
    assert.equal(response.status, 200);
    assert.equal(await response.text(), BODY);
    assert.equal(response.headers.get("etag"), '"abc"');
    assert.equal(response.headers.get("content-type"), "application/json");
    assert.equal(response.headers.get("cache-control"), "public, max-age=42");
    assert.equal(response.headers.get("access-control-allow-origin"), "*");
  });

  for (const header of ['"abc"', 'W/"abc"', '"other", W/"abc"', "*"]) {
    it(`answers 304 without a body to If-None-Match: ${header}`, async () => {
      const response = await serve({ headers: { "if-none-match": header } });
      assert.equal(response.status, 304);
      assert.equal(await response.text(), "");
      assert.equal(response.headers.get("etag"), '"abc"');
      assert.equal(response.headers.get("cache-control"), "public, max-age=42");
    });
  }

  it("answers 200 to an If-None-Match naming other tags", async () => {
    assert.equal((await serve({ headers: { "if-none-match": '"abcd", "ab"' } })).status, 200);
  });

  it("answers HEAD with the headers of GET and no body", async () => {
    const response = await serve({ method: "HEAD" });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("etag"), '"abc"');
    assert.equal(await response.text(), "");
  });

  it("answers 503 problem+json with Retry-After when no copy can be read, never 500", async () => {
    for (const [document, code, title] of [
      [JWKS_DOCUMENT, "ERR_JWKS_UNAVAILABLE", "JWKS unavailable"],
      [REVOCATIONS_DOCUMENT, "ERR_REVOCATION_UNAVAILABLE", "Revocation list unavailable"],
    ] as const) {
      const response = await servePublished(
        new Request("https://issuer.example/doc"),
        document,
        async () => undefined,
        {
          maxAgeSeconds: 42,
        },
      );
      assert.equal(response.status, 503);
      assert.equal(response.headers.get("retry-after"), "5");
      assert.equal(response.headers.get("content-type"), "application/problem+json");
      assert.equal(response.headers.get("cache-control"), "no-store");
      const problem = (await response.json()) as { code: string; title: string; status: number };
      assert.deepEqual([problem.code, problem.title, problem.status], [code, title, 503]);
    }
  });

  it("refuses other methods with 405 and Allow, without reading the document", async () => {
    let loads = 0;
    const response = await servePublished(
      new Request("https://issuer.example/doc", { method: "POST" }),
      JWKS_DOCUMENT,
      () => {
        loads++;
        return Promise.resolve(FOUND);
      },
      { maxAgeSeconds: 42 },
    );
    assert.equal(response.status, 405);
    assert.equal(response.headers.get("allow"), "GET, HEAD");
    assert.equal(loads, 0);
  });
});
