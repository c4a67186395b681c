// The per-isolate JWKS cache, observed from the issuer's side: requests are counted at a local
// issuer and time is the verifier's injected clock, so no assertion depends on real time (only
// "settles within 1 s" tells a caller that answers at once from one waiting for another's request).

import assert from "node:assert/strict";
import {
  createVerifier,
  type VerificationErrorCode,
  type Verifier,
  type VerifierOptions,
} from "@worker-identity/verifier";
import { MAX_ISSUERS } from "../../worker/verification/jwks-cache.js";
import { until, within } from "../support/settling.js";
import { AUDIENCE, deferred, heldRefresh, LocalIssuer, T0, type TestKey, testKey } from "./local-issuer.js";
import { refusedWith } from "./refusals.js";

interface Setup {
  readonly local: LocalIssuer;
  readonly key: TestKey;
  readonly verifier: Verifier;
  /** Moves the verifier's clock to T0 + seconds. */
  at(seconds: number): void;
  /** A token signed now (by the verifier's clock) with `key`. */
  token(key?: TestKey): Promise<string>;
}

describe("verifier: JWKS cache", () => {
  const started: LocalIssuer[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((local) => local.stop()));
  });

  async function setup(options: Partial<VerifierOptions> = {}): Promise<Setup> {
    const key = await testKey("ES256");
    const local = await LocalIssuer.start([key]);
    started.push(local);
    let clock = T0;
    const verifier = createVerifier({ issuer: local.issuer, audience: AUDIENCE, now: () => clock, ...options });
    return {
      local,
      key,
      verifier,
      at: (seconds) => void (clock = T0 + seconds * 1_000),
      token: (signer = key) => local.sign(local.claims(clock), signer),
    };
  }

  /** Past the keys' max-age (601 s), a verification whose refresh the issuer holds until `held` resolves. */
  const refreshHeld = (s: Setup) => heldRefresh(s, 601, "gate", () => s.local.counts.jwks);

  async function refused(
    verifier: Verifier,
    token: string,
    code: VerificationErrorCode,
    pattern?: RegExp,
  ): Promise<void> {
    await refusedWith(verifier.verify(token), code, pattern);
  }

  it("fetches discovery and the JWKS once, then serves keys from memory", async () => {
    const s = await setup();
    await s.verifier.verify(await s.token());
    s.at(10);
    await s.verifier.verify(await s.token());
    s.at(599);
    await s.verifier.verify(await s.token());
    assert.deepEqual(s.local.counts, { discovery: 1, jwks: 1, conditional: 0, notModified: 0 });
  });

  it("with no copy, each verification fetches for itself and none waits for another's request", async () => {
    const s = await setup();
    const held = deferred();
    s.local.gate = held.promise;
    const first = s.verifier.verify(await s.token());
    await until(() => s.local.counts.jwks === 1); // the first verification's JWKS request is held
    s.local.gate = undefined;
    // Another caller's request may never answer (in workerd: canceled with its request); waiting
    // for it is not an option, so the next verification fetches on its own.
    await within(1_000, s.verifier.verify(await s.token()));
    assert.deepEqual([s.local.counts.discovery, s.local.counts.jwks], [1, 2], "discovery had answered the first");
    held.resolve();
    await first;
  });

  it("concurrent verifications of a cold cache each fetch: the cost of never sharing a request", async () => {
    const s = await setup();
    const tokens = await Promise.all(Array.from({ length: 5 }, () => s.token()));
    await Promise.all(tokens.map((token) => s.verifier.verify(token)));
    assert.deepEqual([s.local.counts.discovery, s.local.counts.jwks], [5, 5]);
    await s.verifier.verify(await s.token());
    assert.equal(s.local.counts.jwks, 5, "then the copy serves");
  });

  it("while another verification refreshes an expired copy, others use the copy: no wait, no request", async () => {
    const s = await setup();
    const { held, pending: refreshing } = await refreshHeld(s);
    for (let i = 0; i < 3; i++) await within(1_000, s.verifier.verify(await s.token()));
    assert.equal(s.local.counts.jwks, 2);
    held.resolve();
    await refreshing;
    assert.deepEqual(s.local.counts, { discovery: 1, jwks: 2, conditional: 1, notModified: 1 });
  });

  it("a refresh marked under way longer than the fetch timeout counts as abandoned", async () => {
    const s = await setup({ jwks: { cooldownSeconds: 0 } });
    const { held, pending: stuck } = await refreshHeld(s); // stands in for a request canceled mid-fetch
    s.local.gate = undefined;
    s.at(605);
    await within(1_000, s.verifier.verify(await s.token()));
    assert.equal(s.local.counts.jwks, 2, "4 s after it started, the refresh is still under way");
    s.at(606);
    await within(1_000, s.verifier.verify(await s.token()));
    assert.equal(s.local.counts.jwks, 3, "5 s after, another verification refreshes");
    held.resolve();
    await stuck;
  });

  it("an answer to an earlier request never replaces the answer to a later one", async () => {
    const s = await setup({ jwks: { cooldownSeconds: 0 } });
    const next = await testKey("ES256");
    const { held, pending: stuck } = await refreshHeld(s);
    s.local.gate = undefined;
    s.local.published.push(next);
    s.at(607); // the held refresh is past the fetch timeout: this verification refreshes, and finds `next`
    await s.verifier.verify(await s.token(next));
    s.local.published = [s.key, await testKey("ES256")]; // the held request will answer 200, without `next`
    held.resolve();
    await stuck;
    s.at(608);
    await s.verifier.verify(await s.token(next));
    assert.equal(s.local.counts.jwks, 3, "the later answer was kept, and is fresh");
  });

  it("refetches for an unknown kid at most once per cooldown, and finds a key published since", async () => {
    const s = await setup();
    const next = await testKey("ES256");
    await s.verifier.verify(await s.token());
    s.at(1);
    for (let i = 0; i < 3; i++) await refused(s.verifier, await s.token(next), "ERR_TOKEN_KEY_UNKNOWN");
    assert.equal(s.local.counts.jwks, 1, "no refetch within the cooldown of the first fetch");
    s.at(31);
    await refused(s.verifier, await s.token(next), "ERR_TOKEN_KEY_UNKNOWN");
    assert.equal(s.local.counts.jwks, 2, "one refetch once the cooldown has passed");
    s.at(32);
    await refused(s.verifier, await s.token(next), "ERR_TOKEN_KEY_UNKNOWN");
    s.local.published.push(next);
    s.at(40);
    await refused(s.verifier, await s.token(next), "ERR_TOKEN_KEY_UNKNOWN");
    assert.equal(s.local.counts.jwks, 2, "still within the cooldown of the refetch");
    s.at(62);
    await s.verifier.verify(await s.token(next));
    assert.equal(s.local.counts.jwks, 3);
  });

  it("does not wait for another verification's refetch of an unknown kid, nor fetch again beside it", async () => {
    const s = await setup();
    await s.verifier.verify(await s.token());
    const next = await testKey("ES256");
    s.local.published.push(next);
    s.at(31);
    const held = deferred();
    s.local.gate = held.promise;
    const refetching = s.verifier.verify(await s.token(next));
    await until(() => s.local.counts.jwks === 2);
    // The copy it holds has no such key; the answer is not waited for.
    await within(1_000, refused(s.verifier, await s.token(next), "ERR_TOKEN_KEY_UNKNOWN"));
    assert.equal(s.local.counts.jwks, 2);
    held.resolve();
    await refetching;
    await s.verifier.verify(await s.token(next));
    assert.equal(s.local.counts.jwks, 2, "the refetch's answer serves the others");
  });

  it("honours the JWKS max-age and revalidates with If-None-Match, keeping its copy on 304", async () => {
    const s = await setup();
    s.local.cacheControl = "public, max-age=120";
    await s.verifier.verify(await s.token());
    s.at(119);
    await s.verifier.verify(await s.token());
    assert.equal(s.local.counts.jwks, 1);
    s.at(121);
    await s.verifier.verify(await s.token());
    assert.deepEqual(s.local.counts, { discovery: 1, jwks: 2, conditional: 1, notModified: 1 });

    const next = await testKey("ES256");
    s.local.published.push(next); // the body, and so the ETag, changes
    s.at(121 + 121);
    await s.verifier.verify(await s.token(next));
    assert.deepEqual(s.local.counts, { discovery: 1, jwks: 3, conditional: 2, notModified: 1 });
  });

  it("caps the JWKS max-age at one hour", async () => {
    const s = await setup();
    s.local.cacheControl = "max-age=86400";
    await s.verifier.verify(await s.token());
    s.at(3599);
    await s.verifier.verify(await s.token());
    assert.equal(s.local.counts.jwks, 1);
    s.at(3601);
    await s.verifier.verify(await s.token());
    assert.equal(s.local.counts.jwks, 2);
  });

  it("uses 600 s when the JWKS has no Cache-Control, and jwks.cacheMaxAgeSeconds over either", async () => {
    const plain = await setup();
    plain.local.cacheControl = undefined;
    await plain.verifier.verify(await plain.token());
    plain.at(599);
    await plain.verifier.verify(await plain.token());
    assert.equal(plain.local.counts.jwks, 1);
    plain.at(601);
    await plain.verifier.verify(await plain.token());
    assert.equal(plain.local.counts.jwks, 2);

    const configured = await setup({ jwks: { cacheMaxAgeSeconds: 60 } });
    await configured.verifier.verify(await configured.token());
    configured.at(61);
    await configured.verifier.verify(await configured.token());
    assert.equal(configured.local.counts.jwks, 2);
  });

  it("serves the stale JWKS while the issuer is down, for staleIfErrorSeconds past its max-age", async () => {
    const s = await setup();
    await s.verifier.verify(await s.token());
    s.local.mode = "down";
    s.at(601);
    await s.verifier.verify(await s.token());
    assert.equal(s.local.counts.jwks + s.local.counts.discovery, 3, "one attempt was made");
    s.at(620);
    await s.verifier.verify(await s.token());
    assert.equal(s.local.counts.jwks + s.local.counts.discovery, 3, "no retry within the cooldown");
    s.at(600 + 3600 - 1);
    await s.verifier.verify(await s.token());
    s.at(600 + 3600 + 1);
    await refused(s.verifier, await s.token(), "ERR_JWKS_UNAVAILABLE", /unreachable/);
    s.local.mode = "up";
    s.at(600 + 3600 + 2);
    await s.verifier.verify(await s.token());
  });

  it("refuses as soon as the copy is stale when staleIfErrorSeconds is 0", async () => {
    const s = await setup({ jwks: { staleIfErrorSeconds: 0 } });
    await s.verifier.verify(await s.token());
    s.local.mode = "error";
    s.at(601);
    await refused(s.verifier, await s.token(), "ERR_JWKS_UNAVAILABLE", /HTTP 500/);
  });

  it("keeps a stale good copy when the issuer starts publishing a refused JWKS", async () => {
    const s = await setup();
    await s.verifier.verify(await s.token());
    s.local.jwksOverride = JSON.stringify({ keys: [{ ...s.key.publicJwk, d: "c2VjcmV0" }] });
    s.at(601);
    await s.verifier.verify(await s.token());
    assert.equal(s.local.counts.jwks, 2);
  });

  it("answers an unknown kid with ERR_JWKS_UNAVAILABLE when the refetch fails", async () => {
    const s = await setup();
    await s.verifier.verify(await s.token());
    s.local.mode = "down";
    s.at(31);
    await refused(s.verifier, await s.token(await testKey("ES256")), "ERR_JWKS_UNAVAILABLE");
    await s.verifier.verify(await s.token()); // the cached key still serves
  });

  it(`keeps at most ${MAX_ISSUERS} issuers, evicting the least recently used`, async () => {
    const all: Setup[] = [];
    for (let i = 0; i < MAX_ISSUERS; i++) {
      const s = await setup();
      await s.verifier.verify(await s.token());
      all.push(s);
    }
    const [first, second] = all as [Setup, Setup];
    // The first issuer is used again, so the second is now the least recently used.
    await first.verifier.verify(await first.token());
    const newcomer = await setup();
    await newcomer.verifier.verify(await newcomer.token());
    await first.verifier.verify(await first.token());
    assert.equal(first.local.counts.discovery, 1, "the first issuer, oldest but recently used, is still cached");
    await second.verifier.verify(await second.token());
    assert.equal(second.local.counts.discovery, 2, "the second issuer was evicted and fetched again");
  });
});
