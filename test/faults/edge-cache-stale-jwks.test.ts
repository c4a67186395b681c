// Faults: the edge cache holds a JWKS older than the newest key, under load, in workerd. Miniflare
// has one location, so "a location whose cache predates the key" is this one's `caches.default`
// holding the old JWKS again and again (every 20 ms), whatever the issuer purges here: a relying
// party fetching the JWKS (and refetching it once on an unknown kid) meets the old copy, unless
// the isolate's own mirror was refreshed in between (an isolate about to sign with a key it just
// loaded drops a copy lacking it, worker/issuer/issuance.ts), which only this location does.
//
// A safe rotation keeps its promise: the next key signs only once it has been published for the
// publication delay (60 s KV propagation + 60 s edge cache + the JWKS max-age + clock skew; 63 min
// with this stack's 30-day period), by which time no edge cache entry can predate it, so every
// token verifies even against the old copy, and after the delay against the one a refetch finds.
// An emergency rotation cannot wait: its key signs at once, and a relying party meeting a cache
// that predates it refuses its tokens until that entry expires. The bound: an entry lives 60 s
// (EDGE_CACHE_MS) and can be put up to 60 s after the key reached KV (KV_PROPAGATION_MS), so 120 s
// after the rotation every location serves the key; a relying party refetching on an unknown kid
// at most once per cooldown (our verifier and jose: 30 s) verifies its tokens within 150 s.

import assert from "node:assert/strict";
import { decodeProtectedHeader, type JSONWebKeySet } from "jose";
import { Response as MiniflareResponse } from "miniflare";
import { IssuerHarness } from "../support/issuer-harness.js";
import { fetchServedJwks, type LoadReport, startLoad } from "../support/load.js";
import { AWS_AUDIENCE } from "../support/stack-fixture.js";
import {
  assertPromisesKept,
  assertRecovers,
  edgeCacheLifetimePasses,
  keyListing,
  sleep,
} from "./promises-after-fault.js";

/** Holds `jwks` in this location's edge cache, put again every 20 ms, until the returned stop is called. */
async function holdStaleJwks(issuer: IssuerHarness, jwks: JSONWebKeySet): Promise<() => Promise<void>> {
  const caches = await issuer.mf.getCaches();
  const body = JSON.stringify(jwks);
  const url = `${issuer.url}/.well-known/jwks.json`;
  const put = () =>
    caches.default.put(
      url,
      new MiniflareResponse(body, {
        headers: {
          "content-type": "application/json",
          etag: '"stale-jwks"',
          "cache-control": "public, max-age=60",
          "x-jwks-cached-at": String(Date.now()),
        },
      }),
    );
  await put();
  let holding = true;
  const loop = (async () => {
    while (holding) {
      await sleep(20);
      await put();
    }
  })();
  return async () => {
    holding = false;
    await loop;
  };
}

describe("faults: the edge cache holds a JWKS older than the newest key, under load", function () {
  this.timeout(90_000);
  let issuer: IssuerHarness | undefined;
  let release: (() => Promise<void>) | undefined;

  afterEach(async () => {
    await release?.();
    release = undefined;
    await issuer?.dispose();
    issuer = undefined;
  });

  it("a safe rotation: the next key signs nothing while a cache predates it, then signs once published long enough, and every token verifies", async () => {
    const harness = await IssuerHarness.start();
    issuer = harness;
    const first = await harness.token("billing", AWS_AUDIENCE);
    const old = String(decodeProtectedHeader(first.token).kid);
    const stale = await fetchServedJwks(harness);
    const before = await keyListing(harness);

    const rotation = await harness.admin("/admin/keys/rotate", { method: "POST" });
    assert.equal(rotation.status, 200, await rotation.clone().text());
    const next = (await keyListing(harness)).keys.find((k) => k.state === "next");
    assert.ok(next?.publishedAt != null, "the next key is published in KV");
    release = await holdStaleJwks(harness, stale);

    const during = startLoad(harness);
    await sleep(2_500);
    const inWindow = await during.stop();
    assert.ok(
      (await fetchServedJwks(harness)).keys.every((k) => k.kid !== next.kid),
      "the JWKS served here is the old copy",
    );
    assert.deepEqual(
      [...new Set(inWindow.issued.map((r) => r.kid))],
      [old],
      "only the old key signed while a cache predating the next key may be read",
    );
    await assertPromisesKept(harness, { report: inWindow, before, after: await keyListing(harness) });

    // The publication delay passes: every cache entry from before the next key reached KV expired.
    await release();
    release = undefined;
    const listing = await keyListing(harness);
    await harness.restart({ clockOffsetSeconds: listing.publicationDelaySeconds + 5 });
    // A relying party still holding the old copy: the next key's tokens make it refetch once.
    const afterDelay = startLoad(harness, { initialJwks: stale });
    await sleep(2_000);
    const report = await afterDelay.stop();
    const kids = new Set(report.issued.map((r) => r.kid));
    assert.ok(kids.has(next.kid), "the next key signs once published for the publication delay");
    assert.ok(report.jwksFetches >= 1, "the relying party refetched on the next key's kid");
    const merged: LoadReport = {
      ...report,
      issued: [...inWindow.issued, ...report.issued],
      verified: inWindow.verified + report.verified,
      unverifiable: [...inWindow.unverifiable, ...report.unverifiable],
    };
    await assertPromisesKept(harness, { report: merged, before, after: await keyListing(harness) });
    await assertRecovers(harness);
  });

  it("an emergency rotation: its key signs at once; a relying party meeting a cache that predates it refuses its tokens until the entry expires (the bound), then verifies them all", async () => {
    const harness = await IssuerHarness.start();
    issuer = harness;
    const first = await harness.token("billing", AWS_AUDIENCE);
    const old = String(decodeProtectedHeader(first.token).kid);
    const stale = await fetchServedJwks(harness);
    const before = await keyListing(harness);
    release = await holdStaleJwks(harness, stale);

    const load = startLoad(harness);
    await sleep(500);
    const rotation = await harness.admin("/admin/keys/rotate", { method: "POST", body: '{"emergency": true}' });
    assert.equal(rotation.status, 200, await rotation.clone().text());
    const fresh = (await keyListing(harness)).keys.find((k) => k.state === "active");
    assert.ok(fresh !== undefined && fresh.kid !== old, "a new key is active");
    await sleep(2_000);
    await release();
    release = undefined;
    const report = await load.stop();

    const signedByFresh = report.issued.filter((r) => r.kid === fresh.kid).length;
    assert.ok(signedByFresh > 0, "the emergency key signed at once");
    console.log(
      `      emergency key: ${signedByFresh} tokens, ${report.unverifiable.length} refused before a refetch found it ` +
        "(none when the first refetch met this location's own refreshed copy)",
    );
    for (const { kid, reason } of report.unverifiable) {
      assert.equal(kid, fresh.kid, "only the emergency key's tokens can go unverified");
      assert.match(reason, /ERR_JWKS_NO_MATCHING_KEY/, "refused for want of the key, nothing else");
    }
    // Once the stale entry expires (60 s) relying parties' refetch finds the key: every token verifies.
    await edgeCacheLifetimePasses(harness);
    await assertPromisesKept(harness, {
      report,
      before,
      after: await keyListing(harness),
      unverifiedAtIssuanceKid: fresh.kid,
    });
    await assertRecovers(harness);
  });
});
