// A verifier that trusts the worker-identity issuer and a native (Cloudflare oidc_tokens) issuer:
// each token is checked against the issuer its iss names, with that issuer's keys alone, its own
// audiences and its own claim rules; a native token's workload comes only from the subject map.
// Native tokens here carry only iss, sub, aud and exp (plus what an attack adds).

import assert from "node:assert/strict";
import { createVerifier, OptionsError, type VerifierOptions } from "@worker-identity/verifier";
import type { JWTPayload } from "jose";
import { AUDIENCE, LocalIssuer, T0, type TestKey, testKey } from "./local-issuer.js";
import { refusedWith } from "./refusals.js";

const NATIVE_AUDIENCE = "https://native-api.example.test";
const NATIVE_SUBJECT = "billing-3f1c2a4e-0000-4000-8000-immutable";
const now = T0 + 1_000;

describe("verifier: several issuers (nativeIssuers)", () => {
  let ours: LocalIssuer;
  let native: LocalIssuer;
  let oursKey: TestKey;
  let nativeKey: TestKey;

  beforeEach(async () => {
    // New issuers (new URLs) per test: the isolate's JWKS cache carries nothing from one test to the next.
    oursKey = await testKey("ES256");
    nativeKey = await testKey("ES256");
    ours = await LocalIssuer.start([oursKey]);
    native = await LocalIssuer.start([nativeKey]);
  });
  afterEach(async () => {
    await ours.stop();
    await native.stop();
  });

  function verifierWith(
    changes: Partial<VerifierOptions> = {},
    subjects: Record<string, string> = { [NATIVE_SUBJECT]: "billing" },
  ) {
    return createVerifier({
      issuer: ours.issuer,
      audience: AUDIENCE,
      nativeIssuers: [{ issuer: native.issuer, audiences: [NATIVE_AUDIENCE], subjects }],
      now: () => now,
      ...changes,
    });
  }

  function nativeClaims(changes: Record<string, unknown> = {}): JWTPayload {
    const claims: Record<string, unknown> = {
      iss: native.issuer,
      sub: NATIVE_SUBJECT,
      aud: NATIVE_AUDIENCE,
      exp: Math.floor(now / 1_000) + 300,
      ...changes,
    };
    for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name];
    return claims as JWTPayload;
  }

  it("verifies tokens of both issuers, each with its own keys, and reads one workload name from either", async () => {
    const verifier = verifierWith();
    const mine = await verifier.verify(await ours.sign(ours.claims(now)));
    const theirs = await verifier.verify(await native.sign(nativeClaims()));
    assert.deepEqual([mine.issuer, mine.workload], [ours.issuer, "billing"]);
    assert.deepEqual(
      { issuer: theirs.issuer, subject: theirs.subject, workload: theirs.workload, jti: theirs.jti },
      { issuer: native.issuer, subject: NATIVE_SUBJECT, workload: "billing", jti: "" },
    );
    assert.equal(theirs.accountId, undefined);
    assert.deepEqual([ours.counts.jwks, native.counts.jwks], [1, 1]);
  });

  it("gives a native token whose subject is not mapped no workload, and a workloads matcher refuses it", async () => {
    const token = await native.sign(nativeClaims({ sub: "someone-else-1234" }));
    assert.equal((await verifierWith().verify(token)).workload, undefined);
    await refusedWith(verifierWith({ workloads: ["billing"] }).verify(token), "ERR_TOKEN_SUBJECT", /nativeIssuers/);
  });

  it("never believes a native token's worker claim: the workload comes only from the subject map", async () => {
    const mapped = await native.sign(nativeClaims({ worker: "admin" }));
    assert.equal((await verifierWith().verify(mapped)).workload, "billing");
    const unmapped = await native.sign(nativeClaims({ sub: "attacker-5678", worker: "billing" }));
    assert.equal((await verifierWith().verify(unmapped)).workload, undefined);
    await refusedWith(verifierWith({ workloads: ["billing"] }).verify(unmapped), "ERR_TOKEN_SUBJECT");
    await refusedWith(verifierWith({ workloads: ["admin"] }).verify(mapped), "ERR_TOKEN_SUBJECT");
  });

  describe("issuer and key confusion", () => {
    it("refuses a native-iss token signed with the worker-identity issuer's key", async () => {
      await refusedWith(verifierWith().verify(await native.sign(nativeClaims(), oursKey)), "ERR_TOKEN_KEY_UNKNOWN");
    });

    it("refuses a worker-identity-iss token signed with the native issuer's key", async () => {
      await refusedWith(verifierWith().verify(await ours.sign(ours.claims(now), nativeKey)), "ERR_TOKEN_KEY_UNKNOWN");
    });

    it("checks a token whose iss is one issuer and whose kid is the other's against its iss's keys only", async () => {
      // The kid names the worker-identity key, the signature is the native key's, the iss native.
      const token = await native.sign(nativeClaims(), nativeKey, { kid: oursKey.kid });
      await refusedWith(verifierWith().verify(token), "ERR_TOKEN_KEY_UNKNOWN");
      const reversed = await ours.sign(ours.claims(now), oursKey, { kid: nativeKey.kid });
      await refusedWith(verifierWith().verify(reversed), "ERR_TOKEN_KEY_UNKNOWN");
    });

    it("with one kid published by both issuers, verifies against the key of the issuer the iss names", async () => {
      const shared = "shared-kid";
      const oursShared = await testKey("ES256", shared);
      const nativeShared = await testKey("ES256", shared);
      ours.published = [oursShared];
      native.published = [nativeShared];
      const verifier = verifierWith();
      await refusedWith(verifier.verify(await native.sign(nativeClaims(), oursShared)), "ERR_TOKEN_SIGNATURE");
      await refusedWith(verifier.verify(await ours.sign(ours.claims(now), nativeShared)), "ERR_TOKEN_SIGNATURE");
      assert.equal((await verifier.verify(await native.sign(nativeClaims(), nativeShared))).workload, "billing");
    });

    it("refuses an iss naming neither issuer with ERR_TOKEN_ISSUER, before fetching any key", async () => {
      const token = await native.sign(nativeClaims({ iss: "https://native.attacker.example" }));
      await refusedWith(verifierWith().verify(token), "ERR_TOKEN_ISSUER");
      const slash = await native.sign(nativeClaims({ iss: `${native.issuer}/` }));
      await refusedWith(verifierWith().verify(slash), "ERR_TOKEN_ISSUER");
      assert.deepEqual([ours.counts.jwks, native.counts.jwks, native.counts.discovery], [0, 0, 0]);
    });
  });

  it("holds each issuer to its own audiences", async () => {
    const verifier = verifierWith();
    await refusedWith(verifier.verify(await native.sign(nativeClaims({ aud: AUDIENCE }))), "ERR_TOKEN_AUDIENCE");
    await refusedWith(
      verifier.verify(await ours.sign(ours.claims(now, { aud: NATIVE_AUDIENCE }))),
      "ERR_TOKEN_AUDIENCE",
    );
  });

  it("applies worker-identity's claim requirements to its own tokens only", async () => {
    const verifier = verifierWith();
    await refusedWith(
      verifier.verify(await ours.sign(ours.claims(now, { jti: undefined }))),
      "ERR_TOKEN_CLAIMS",
      /"jti"/,
    );
    await refusedWith(
      verifier.verify(await ours.sign(ours.claims(now, { iat: undefined }))),
      "ERR_TOKEN_CLAIMS",
      /"iat"/,
    );
    // No iat, no jti, no worker claims: a native token with the standard claims alone verifies.
    assert.equal((await verifier.verify(await native.sign(nativeClaims()))).expiresAt, Math.floor(now / 1_000) + 300);
  });

  it("checks a native token's standard claims", async () => {
    const verifier = verifierWith();
    const nowS = Math.floor(now / 1_000);
    await refusedWith(
      verifier.verify(await native.sign(nativeClaims({ exp: undefined }))),
      "ERR_TOKEN_CLAIMS",
      /"exp"/,
    );
    await refusedWith(
      verifier.verify(await native.sign(nativeClaims({ sub: undefined }))),
      "ERR_TOKEN_CLAIMS",
      /"sub"/,
    );
    await refusedWith(verifier.verify(await native.sign(nativeClaims({ exp: nowS - 60 }))), "ERR_TOKEN_EXPIRED");
    await refusedWith(verifier.verify(await native.sign(nativeClaims({ nbf: nowS + 120 }))), "ERR_TOKEN_NOT_YET_VALID");
    await refusedWith(verifier.verify(await native.sign(nativeClaims({ jti: 7 }))), "ERR_TOKEN_CLAIMS", /"jti"/);
    await refusedWith(
      verifier.verify(await native.sign(nativeClaims({ exp: nowS + 50_000 }))),
      "ERR_TOKEN_CLAIMS",
      /maxTokenLifetimeSeconds/,
    );
    assert.equal((await verifier.verify(await native.sign(nativeClaims({ jti: "n-1" })))).jti, "n-1");
  });

  it("admits a native token to no claims matcher: its claim set is not ours to read", async () => {
    const token = await native.sign(nativeClaims({ environment: "test" }));
    await refusedWith(verifierWith({ claims: { environment: "test" } }).verify(token), "ERR_TOKEN_SUBJECT", /native/);
  });

  it("fetches a native issuer's keys from its jwksUri without discovery when one is given", async () => {
    const verifier = createVerifier({
      issuer: ours.issuer,
      audience: AUDIENCE,
      nativeIssuers: [{ issuer: native.issuer, audiences: [NATIVE_AUDIENCE], jwksUri: native.jwksUri }],
      now: () => now,
    });
    assert.equal((await verifier.verify(await native.sign(nativeClaims()))).workload, undefined);
    assert.deepEqual([native.counts.discovery, native.counts.jwks], [0, 1]);
  });

  it("refuses misconfigured nativeIssuers at once, naming each", () => {
    assert.throws(
      () =>
        createVerifier({
          issuer: ours.issuer,
          audience: AUDIENCE,
          nativeIssuers: [
            { issuer: ours.issuer, audiences: [AUDIENCE] },
            { issuer: native.issuer, audiences: [] },
            { issuer: "http://native.example.com", audiences: ["a"], subjects: { s: "" }, jwksUri: "ftp://x" },
            { issuer: native.issuer, audiences: ["a"], subjects: [] as never, extra: 1 } as never,
          ],
        }),
      (error: unknown) => {
        assert.ok(error instanceof OptionsError);
        const paths = error.issues.map((issue) => issue.path);
        for (const path of [
          "nativeIssuers[0].issuer",
          "nativeIssuers[1].audiences",
          "nativeIssuers[2].issuer",
          'nativeIssuers[2].subjects["s"]',
          "nativeIssuers[2].jwksUri",
          "nativeIssuers[3].subjects",
          "nativeIssuers[3].extra",
        ])
          assert.ok(paths.includes(path), `${path} not in ${paths.join(", ")}`);
        return true;
      },
    );
    assert.throws(
      () => createVerifier({ issuer: ours.issuer, audience: AUDIENCE, nativeIssuers: [] }),
      /nativeIssuers must be a non-empty array/,
    );
  });
});
