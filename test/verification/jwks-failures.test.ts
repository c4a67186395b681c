// What a verifier does when discovery or the JWKS cannot be trusted and nothing is cached: an
// unreachable or failing issuer, a JWKS that is not {keys: [...]}, one with private or symmetric
// key material, a discovery document that names another issuer or an unsafe jwks_uri, a tampered
// key, a key too weak to vouch for anything.

import assert from "node:assert/strict";
import type { webcrypto } from "node:crypto";
import {
  createVerifier,
  type VerificationError,
  type VerificationErrorCode,
  type Verifier,
} from "@worker-identity/verifier";
import { exportJWK } from "jose";
import { AUDIENCE, b64url, LocalIssuer, T0, type TestKey, testKey } from "./local-issuer.js";
import { refusedWith } from "./refusals.js";

describe("verifier: unusable issuers", () => {
  let local: LocalIssuer;
  let key: TestKey;
  let verifier: Verifier;

  beforeEach(async () => {
    key = await testKey("ES256");
    local = await LocalIssuer.start([key]);
    verifier = createVerifier({ issuer: local.issuer, audience: AUDIENCE, now: () => T0 });
  });
  afterEach(() => local.stop());

  async function refused(code: VerificationErrorCode, pattern: RegExp, token?: string): Promise<VerificationError> {
    return refusedWith(verifier.verify(token ?? (await local.sign(local.claims(T0)))), code, pattern);
  }

  it("refuses with 503 ERR_JWKS_UNAVAILABLE when the issuer is unreachable", async () => {
    local.mode = "down";
    const error = await refused("ERR_JWKS_UNAVAILABLE", /discovery at .* is unreachable/);
    assert.equal(error.status, 503);
  });

  it("refuses when the issuer answers 500", async () => {
    local.mode = "error";
    await refused("ERR_JWKS_UNAVAILABLE", /answered HTTP 500/);
  });

  it("recovers once the issuer answers again", async () => {
    local.mode = "error";
    await refused("ERR_JWKS_UNAVAILABLE", /HTTP 500/);
    local.mode = "up";
    await verifier.verify(await local.sign(local.claims(T0)));
  });

  const documents: [string, () => string, RegExp][] = [
    ["a body that is not JSON", () => "<html>maintenance</html>", /document is not valid JSON/],
    ["an array", () => "[]", /document is not a JSON object/],
    ["keys that are not an array", () => '{"keys":{}}', /not \{"keys": \[\.\.\.\]\}/],
    ["a key that is not an object", () => '{"keys":[1]}', /keys\[0\] is not an object/],
    ["a key without kty", () => JSON.stringify({ keys: [{ kid: "a" }] }), /keys\[0\] has no kty/],
    [
      "a private RSA/EC member",
      () => JSON.stringify({ keys: [{ ...key.publicJwk, d: "c2VjcmV0" }] }),
      /private member "d"/,
    ],
    [
      "an RSA CRT member",
      () => JSON.stringify({ keys: [{ kty: "RSA", kid: "r", n: "AQAB", e: "AQAB", qi: "AQ" }] }),
      /private member "qi"/,
    ],
    [
      "a symmetric key",
      () => JSON.stringify({ keys: [{ kty: "oct", kid: "s", k: "c2VjcmV0" }] }),
      /private member "k"/,
    ],
    ["two keys with one kid", () => JSON.stringify({ keys: [key.publicJwk, key.publicJwk] }), /two keys share the kid/],
    ["duplicate member names", () => `{"keys":[],"keys":[${JSON.stringify(key.publicJwk)}]}`, /duplicate member names/],
    [
      "more than 32 keys",
      () => JSON.stringify({ keys: Array.from({ length: 33 }, (_, i) => ({ ...key.publicJwk, kid: `k${i}` })) }),
      /33 keys, more than the 32/,
    ],
    [
      "a body over 64 KiB",
      () => JSON.stringify({ keys: [key.publicJwk], padding: "x".repeat(70_000) }),
      /larger than 65536 bytes/,
    ],
  ];
  for (const [what, body, pattern] of documents) {
    it(`refuses a JWKS with ${what}`, async () => {
      local.jwksOverride = body();
      await refused("ERR_JWKS_UNAVAILABLE", pattern);
    });
  }

  it("ignores keys not meant for signatures or without kid", async () => {
    local.jwksOverride = JSON.stringify({
      keys: [
        { ...key.publicJwk, use: "enc" },
        { ...key.publicJwk, kid: undefined },
      ],
    });
    await refused("ERR_TOKEN_KEY_UNKNOWN", /no key with the token's kid/);
    local.jwksOverride = JSON.stringify({ keys: [{ ...key.publicJwk, key_ops: ["encrypt"] }] });
    verifier = createVerifier({ issuer: local.issuer, audience: AUDIENCE, now: () => T0 + 60_000 });
    await refused("ERR_TOKEN_KEY_UNKNOWN", /no key/, await local.sign(local.claims(T0 + 60_000)));
  });

  it("refuses a key that cannot be imported", async () => {
    local.jwksOverride = JSON.stringify({ keys: [{ ...key.publicJwk, x: "AAAA" }] });
    await refused("ERR_JWKS_UNAVAILABLE", /cannot be imported/);
  });

  it("refuses a token whose kid names a tampered key (another public key under that kid)", async () => {
    const attacker = await testKey("ES256", key.kid);
    local.jwksOverride = JSON.stringify({ keys: [attacker.publicJwk] });
    await refused("ERR_TOKEN_SIGNATURE", /does not verify/);
  });

  it("refuses a signature by an RSA key shorter than 2048 bits", async () => {
    const weak = (await crypto.subtle.generateKey(
      { name: "RSASSA-PKCS1-v1_5", modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
      true,
      ["sign", "verify"],
    )) as webcrypto.CryptoKeyPair;
    const kid = "weak";
    local.jwksOverride = JSON.stringify({ keys: [{ ...(await exportJWK(weak.publicKey)), kid, alg: "RS256" }] });
    const input = `${b64url(JSON.stringify({ alg: "RS256", kid }))}.${b64url(JSON.stringify(local.claims(T0)))}`;
    const signature = await crypto.subtle.sign("RSASSA-PKCS1-v1_5", weak.privateKey, new TextEncoder().encode(input));
    await refused(
      "ERR_TOKEN_SIGNATURE",
      /could not be verified/,
      `${input}.${Buffer.from(signature).toString("base64url")}`,
    );
  });

  describe("discovery", () => {
    it("refuses a document that names another issuer", async () => {
      local.discoveryOverride = { issuer: "https://impostor.example", jwks_uri: local.jwksUri };
      const error = await refused("ERR_DISCOVERY", /names issuer "https:\/\/impostor\.example", not/);
      assert.equal(error.status, 503);
      assert.equal(local.counts.jwks, 0, "the JWKS of a mismatched issuer is never fetched");
    });

    it("refuses an issuer that differs only by a trailing slash", async () => {
      local.discoveryOverride = { issuer: `${local.issuer}/`, jwks_uri: local.jwksUri };
      await refused("ERR_DISCOVERY", /names issuer/);
    });

    it("refuses a jwks_uri over plain http on another origin", async () => {
      local.discoveryOverride = { issuer: local.issuer, jwks_uri: "http://keys.example/jwks.json" };
      await refused("ERR_DISCOVERY", /jwks_uri that is not https/);
    });

    it("refuses a body that is not JSON, saying what was served instead", async () => {
      local.discoveryRaw = { contentType: "text/html; charset=utf-8", body: "<html>Sign in to continue</html>" };
      await refused(
        "ERR_DISCOVERY",
        /is not valid JSON \(HTTP 200, content-type text\/html; charset=utf-8, starting "<html>Sign in/,
      );
    });

    it("refuses a missing or unparsable jwks_uri", async () => {
      local.discoveryOverride = { issuer: local.issuer };
      await refused("ERR_DISCOVERY", /has no jwks_uri/);
      local.discoveryOverride = { issuer: local.issuer, jwks_uri: "not a url" };
      await refused("ERR_DISCOVERY", /not a URL/);
    });
  });
});
