import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import type { JWK } from "jose";
import { jwksDocument } from "../../worker/keys/jwks.js";
import type { KeyMeta, KeyState } from "../../worker/keys/timeline.js";
import { publishedDocumentEtag } from "../../worker/publishing/etag.js";

type PublishedKey = KeyMeta & { readonly publicJwk: JWK };

const DAY = 86_400_000;
const T0 = Date.UTC(2025, 0, 1);

function key(kid: string, state: KeyState, createdAt: number): PublishedKey {
  return {
    kid,
    alg: "ES256",
    state,
    createdAt,
    publishedAt: createdAt,
    activatedAt: state === "next" ? null : createdAt + DAY,
    retiredAt: state === "retired" ? createdAt + 31 * DAY : null,
    publicJwk: { kty: "EC", crv: "P-256", x: `x-${kid}`, y: `y-${kid}`, kid, alg: "ES256", use: "sig" },
  };
}

const NEXT = key("k-next", "next", T0 + 60 * DAY);
const ACTIVE = key("k-active", "active", T0 + 30 * DAY);
const RETIRED_NEW = key("k-retired-new", "retired", T0 + 10 * DAY);
const RETIRED_MID = key("k-retired-mid", "retired", T0 + 5 * DAY);
const RETIRED_OLD = key("k-retired-old", "retired", T0);
const EXPECTED_ORDER = ["k-active", "k-next", "k-retired-new", "k-retired-mid", "k-retired-old"];

const kids = (keys: readonly JWK[]): (string | undefined)[] => keys.map((k) => k.kid);

/** Every permutation of a small list. */
function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

describe("jwksDocument", () => {
  it("orders active, next, then retired newest first", () => {
    const doc = jwksDocument([RETIRED_OLD, NEXT, RETIRED_NEW, ACTIVE, RETIRED_MID]);
    assert.deepEqual(kids(doc.keys), EXPECTED_ORDER);
  });

  it("gives the same order whatever the input order", () => {
    const all = [NEXT, ACTIVE, RETIRED_NEW, RETIRED_MID, RETIRED_OLD];
    const orders = permutations(all);
    assert.equal(orders.length, 120);
    for (const order of orders) {
      assert.deepEqual(kids(jwksDocument(order).keys), EXPECTED_ORDER, order.map((k) => k.kid).join(","));
    }
  });

  it("puts the active key first even when the next key is newer and a retired key is older", () => {
    const doc = jwksDocument([key("n", "next", T0 + 2), key("r", "retired", T0 + 3), key("a", "active", T0 + 1)]);
    assert.deepEqual(kids(doc.keys), ["a", "n", "r"]);
  });

  it("orders retired keys created in the same millisecond by kid, so the order is total", () => {
    const doc = jwksDocument([key("r-b", "retired", T0), key("r-c", "retired", T0), key("r-a", "retired", T0)]);
    assert.deepEqual(kids(doc.keys), ["r-a", "r-b", "r-c"]);
  });

  it("publishes only the public JWKs, nothing of the key store's bookkeeping", () => {
    const doc = jwksDocument([ACTIVE]);
    assert.deepEqual(doc, { keys: [ACTIVE.publicJwk] });
    assert.equal("state" in (doc.keys[0] ?? {}), false);
  });

  it("gives an empty key list for no keys", () => {
    assert.deepEqual(jwksDocument([]), { keys: [] });
  });

  it("does not reorder its input", () => {
    const input = [RETIRED_OLD, NEXT, ACTIVE];
    jwksDocument(input);
    assert.deepEqual(
      input.map((k) => k.kid),
      ["k-retired-old", "k-next", "k-active"],
    );
  });

  it("serializes an unchanged key set to the same bytes whatever the input order", () => {
    const a = JSON.stringify(jwksDocument([ACTIVE, NEXT, RETIRED_NEW]));
    const b = JSON.stringify(jwksDocument([RETIRED_NEW, NEXT, ACTIVE]));
    assert.equal(a, b);
  });
});

describe("publishedDocumentEtag", () => {
  it("is a quoted strong ETag of 32 lowercase hex characters", async () => {
    const etag = await publishedDocumentEtag('{"keys":[]}');
    assert.match(etag, /^"[0-9a-f]{32}"$/);
    assert.ok(!etag.startsWith("W/"));
  });

  it("is the first 128 bits of the body's SHA-256", async () => {
    const body = JSON.stringify(jwksDocument([ACTIVE, NEXT]));
    const expected = createHash("sha256").update(body, "utf8").digest("hex").slice(0, 32);
    assert.equal(await publishedDocumentEtag(body), `"${expected}"`);
  });

  it("is equal for equal bodies", async () => {
    const body = JSON.stringify(jwksDocument([ACTIVE, NEXT, RETIRED_OLD]));
    const rebuilt = JSON.stringify(jwksDocument([RETIRED_OLD, key("k-next", "next", NEXT.createdAt), ACTIVE]));
    assert.equal(rebuilt, body);
    assert.equal(await publishedDocumentEtag(rebuilt), await publishedDocumentEtag(body));
  });

  it("differs for different bodies, including a one-character difference", async () => {
    const one = JSON.stringify(jwksDocument([ACTIVE]));
    const two = JSON.stringify(jwksDocument([ACTIVE, NEXT]));
    const etags = new Set(
      await Promise.all([one, two, `${one} `, "", "{}"].map((body) => publishedDocumentEtag(body))),
    );
    assert.equal(etags.size, 5);
  });

  it("hashes the UTF-8 bytes of non-ASCII bodies", async () => {
    const body = '{"keys":[],"note":"clé ✓"}';
    const expected = createHash("sha256").update(Buffer.from(body, "utf8")).digest("hex").slice(0, 32);
    assert.equal(await publishedDocumentEtag(body), `"${expected}"`);
  });
});
