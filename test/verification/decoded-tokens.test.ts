// The per-isolate cache of decoded tokens: bounded by entries and characters, least recently used
// out, holding only tokens whose signature verified, and never letting a hit skip a check that
// depends on anything but the token's text.

import assert from "node:assert/strict";
import { createVerifier, type VerificationErrorCode } from "@worker-identity/verifier";
import { decodeCompactToken } from "../../worker/verification/compact-token.js";
import { DecodedTokenCache, decodedTokens } from "../../worker/verification/decoded-tokens.js";
import { AUDIENCE, LocalIssuer, T0, type TestKey, testKey } from "./local-issuer.js";
import { verificationError } from "./refusals.js";

function tokenOf(n: number, padding = 0): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part({ alg: "ES256", kid: "k" })}.${part({ n, p: "x".repeat(padding) })}.${Buffer.from([n]).toString("base64url")}`;
}

describe("decoded token cache", () => {
  it("keeps at most maxEntries tokens, evicting the least recently used", () => {
    const cache = new DecodedTokenCache(3, 1_000_000);
    const tokens = [0, 1, 2, 3].map((n) => tokenOf(n));
    for (const token of tokens.slice(0, 3)) cache.add(token, decodeCompactToken(token, 8_192));
    assert.ok(cache.get(tokens[0]!)); // 0 is now the most recently used
    cache.add(tokens[3]!, decodeCompactToken(tokens[3]!, 8_192));
    assert.equal(cache.size, 3);
    assert.equal(cache.get(tokens[1]!), undefined, "the least recently used token leaves first");
    for (const n of [0, 2, 3]) assert.ok(cache.get(tokens[n]!), `token ${n} stays`);
  });

  it("keeps the characters it holds under maxChars, and refuses a token larger than all of it", () => {
    const big = tokenOf(1, 600);
    const cache = new DecodedTokenCache(100, big.length * 2 + 10);
    for (let n = 0; n < 5; n++) cache.add(tokenOf(n, 600), decodeCompactToken(tokenOf(n, 600), 8_192));
    assert.ok(cache.chars <= cache.maxChars, `${cache.chars} > ${cache.maxChars}`);
    assert.equal(cache.size, 2);
    const huge = tokenOf(9, 5_000);
    cache.add(huge, decodeCompactToken(huge, 8_192));
    assert.equal(cache.get(huge), undefined);
  });

  it("deep-freezes what it keeps", () => {
    const cache = new DecodedTokenCache();
    const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
    const token = `${part({ alg: "ES256", kid: "k" })}.${part({ tags: { team: ["a"] } })}.AA`;
    cache.add(token, decodeCompactToken(token, 8_192));
    const payload = cache.get(token)!.payload as { tags: { team: string[] } };
    assert.throws(() => payload.tags.team.push("b"), TypeError);
    assert.throws(() => {
      (payload.tags as Record<string, unknown>).team = [];
    }, TypeError);
  });

  describe("inside the verifier", () => {
    let local: LocalIssuer;
    let key: TestKey;
    beforeEach(async () => {
      key = await testKey("ES256");
      local = await LocalIssuer.start([key]);
      decodedTokens.clear();
    });
    afterEach(() => local.stop());

    async function code(promise: Promise<unknown>): Promise<VerificationErrorCode> {
      return (await verificationError(promise)).code;
    }

    it("adds a token once its signature verified, and never one whose signature failed", async () => {
      const verifier = createVerifier({ issuer: local.issuer, audience: AUDIENCE, now: () => T0 });
      const token = await local.sign(local.claims(T0));
      const [header, payload] = token.split(".");
      const forged = `${header}.${payload}.${(await local.sign(local.claims(T0))).split(".")[2]}`;
      for (let i = 0; i < 3; i++) assert.equal(await code(verifier.verify(forged)), "ERR_TOKEN_SIGNATURE");
      assert.equal(decodedTokens.get(forged), undefined);
      await verifier.verify(token);
      assert.ok(decodedTokens.get(token));
    });

    it("checks time, audience and the key on every verification of a known token", async () => {
      const claims = local.claims(T0);
      const token = await local.sign(claims);
      await createVerifier({ issuer: local.issuer, audience: AUDIENCE, now: () => T0 }).verify(token);
      assert.ok(decodedTokens.get(token));
      const later = createVerifier({
        issuer: local.issuer,
        audience: AUDIENCE,
        now: () => (Number(claims.exp) + 120) * 1_000,
      });
      assert.equal(await code(later.verify(token)), "ERR_TOKEN_EXPIRED");
      const elsewhere = createVerifier({ issuer: local.issuer, audience: "https://other.example.test", now: () => T0 });
      assert.equal(await code(elsewhere.verify(token)), "ERR_TOKEN_AUDIENCE");
      const strictAlgorithms = createVerifier({
        issuer: local.issuer,
        audience: AUDIENCE,
        algorithms: ["RS256"],
        now: () => T0,
      });
      assert.equal(await code(strictAlgorithms.verify(token)), "ERR_TOKEN_ALGORITHM");
      const small = createVerifier({ issuer: local.issuer, audience: AUDIENCE, maxTokenBytes: 512, now: () => T0 });
      assert.ok(token.length > 512);
      assert.equal(await code(small.verify(token)), "ERR_TOKEN_TOO_LARGE");
    });

    it("hands out claims no caller can change for the next one", async () => {
      const verifier = createVerifier({ issuer: local.issuer, audience: AUDIENCE, now: () => T0 });
      const token = await local.sign({ ...local.claims(T0), groups: ["a"] });
      const first = await verifier.verify(token);
      assert.throws(() => (first.claims.groups as string[]).push("admin"), TypeError);
      const second = await verifier.verify(token);
      assert.deepEqual(second.claims.groups, ["a"]);
    });
  });
});
