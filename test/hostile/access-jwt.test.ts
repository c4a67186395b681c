// Hostile Access JWTs at the operator page's Access check (worker/admin/access.ts), in workerd: a
// stand-in Access team serves its keys at /cdn-cgi/access/certs in the shape Access documents
// (`keys` as JWKs, plus `public_cert`/`public_certs` in PEM), and every token is signed here, in
// the documented form (header alg RS256, kid, typ JWT; aud an array holding the AUD tag; iss the
// team domain). Each attack must end "invalid" (or "missing"), never "ok".

import assert from "node:assert/strict";
import { resolve } from "node:path";
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from "jose";
import { Headers, Miniflare, type Request as MiniflareRequest, Response as MiniflareResponse } from "miniflare";
import { COMPATIBILITY_DATE } from "../../worker/build/bundle.js";
import { bundledModules } from "../support/workerd-modules.js";

const TEAM = "https://example-team.cloudflareaccess.com";
const OTHER_TEAM = "https://other-team.cloudflareaccess.com";
const DOWN_TEAM = "https://down-team.cloudflareaccess.com";
const TAG = "32eafc7626e974616deaf0dc3ce63d7bcbed58a2731e84d06bc3cdf1b53c4228";
const OTHER_TAG = "9607121bab7ceeed691bc06782b5030c7e054a27e3f98467b79f97a5f3708112";
const NOW = Date.UTC(2026, 11, 4, 1, 0, 0);
const NOW_S = NOW / 1_000;
const HEADER = "cf-access-jwt-assertion";

interface SigningKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly jwk: JWK;
}

async function signingKey(kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" } };
}

/** A claim set as Access writes one for a person who signed in with an identity provider. */
function accessClaims(overrides: JWTPayload = {}): JWTPayload {
  return {
    aud: [TAG],
    email: "operator@example.dev",
    exp: NOW_S + 3_600,
    iat: NOW_S - 60,
    nbf: NOW_S - 60,
    iss: TEAM,
    type: "app",
    identity_nonce: "6ei69kawdKzMIAPF",
    sub: "7335d417-61da-459d-899c-0a01c76a2f94",
    country: "US",
    ...overrides,
  };
}

async function sign(key: SigningKey, claims: JWTPayload, header: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "RS256", kid: key.kid, typ: "JWT", ...header })
    .sign(key.privateKey);
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

describe("hostile Access JWTs at the operator page's Access check (workerd)", function () {
  this.timeout(60_000);
  let mf: Miniflare;
  let teamKey: SigningKey;
  let previousKey: SigningKey;
  let otherTeamKey: SigningKey;
  const certFetches: string[] = [];

  before(async () => {
    teamKey = await signingKey("1a1c3986a44ce6390be42ec772b031df8f433fdc71716db821dc0c39af3bce49");
    previousKey = await signingKey("6c3bffef71bb0a90c9cbef3b7c0d4a1c7b4b8b76b80292a623afd9dac45d1c65");
    otherTeamKey = await signingKey("9338abe1baf2fe492f646a736f25afbf7b025e35c627be4f60c414d4c73069b8");
    const certs = (keys: SigningKey[]) => ({
      keys: keys.map((k) => k.jwk),
      public_cert: { kid: keys[0]!.kid, cert: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n" },
      public_certs: keys.map((k) => ({
        kid: k.kid,
        cert: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
      })),
    });
    mf = new Miniflare({
      modules: await bundledModules(resolve(import.meta.dirname, "access-gate-worker.ts")),
      compatibilityDate: COMPATIBILITY_DATE,
      bindings: { ACCESS: JSON.stringify({ teamDomain: TEAM, audience: TAG }) },
      outboundService: async (request: MiniflareRequest) => {
        const url = new URL(request.url);
        certFetches.push(url.href);
        const json = (body: unknown, status = 200) =>
          new MiniflareResponse(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
        if (url.pathname !== "/cdn-cgi/access/certs") return json({ error: "not found" }, 404);
        if (url.origin === TEAM) return json(certs([teamKey, previousKey]));
        if (url.origin === OTHER_TEAM) return json(certs([otherTeamKey]));
        return json({ error: "unavailable" }, 503);
      },
    });
    await mf.ready;
  });
  after(async () => mf?.dispose());

  async function check(headers: Headers | Record<string, string>, nowMs = NOW): Promise<Record<string, unknown>> {
    const response = await mf.dispatchFetch(`http://gate.test/admin/?now=${nowMs}`, { headers });
    return (await response.json()) as Record<string, unknown>;
  }

  async function assertInvalid(headers: Headers | Record<string, string>, reason: RegExp, nowMs = NOW): Promise<void> {
    const result = await check(headers, nowMs);
    assert.equal(result.result, "invalid", JSON.stringify(result));
    assert.match(String(result.reason), reason);
  }

  it("admits the team's JWT for this application, naming the person; the certs are fetched once per isolate", async () => {
    const before = certFetches.length;
    const token = await sign(teamKey, accessClaims());
    assert.deepEqual(await check({ [HEADER]: token }), { result: "ok", identity: "operator@example.dev" });
    // The previous key, which Access keeps serving for 7 days after a rotation, still verifies.
    assert.equal((await check({ [HEADER]: await sign(previousKey, accessClaims()) })).result, "ok");
    assert.deepEqual(certFetches.slice(before), [`${TEAM}/cdn-cgi/access/certs`]);
  });

  it("names a JWT without email by its subject", async () => {
    const token = await sign(teamKey, accessClaims({ email: undefined }));
    assert.deepEqual(await check({ [HEADER]: token }), {
      result: "ok",
      identity: "7335d417-61da-459d-899c-0a01c76a2f94",
    });
  });

  it("refuses a forged signature: a changed payload, and a key the team does not publish under its kid", async () => {
    const token = await sign(teamKey, accessClaims());
    const [header, , signature] = token.split(".");
    const changed = `${header}.${b64url(accessClaims({ email: "attacker@example.dev" }))}.${signature}`;
    await assertInvalid({ [HEADER]: changed }, /signature/);
    const impostor = await signingKey(teamKey.kid);
    await assertInvalid({ [HEADER]: await sign(impostor, accessClaims()) }, /signature/);
  });

  it("refuses another team's JWT without fetching that team's keys, and one claiming our team signed with theirs", async () => {
    const before = certFetches.length;
    const theirs = await sign(otherTeamKey, accessClaims({ iss: OTHER_TEAM }));
    await assertInvalid({ [HEADER]: theirs }, /not issued by https:\/\/example-team\.cloudflareaccess\.com/);
    assert.ok(!certFetches.slice(before).some((url) => url.startsWith(OTHER_TEAM)), "another team's keys were fetched");
    const claimingOurs = await sign(otherTeamKey, accessClaims());
    await assertInvalid({ [HEADER]: claimingOurs }, /key|kid/i);
  });

  it("refuses a JWT for another Access application (wrong aud), or for none", async () => {
    await assertInvalid({ [HEADER]: await sign(teamKey, accessClaims({ aud: [OTHER_TAG] })) }, /audience/);
    await assertInvalid({ [HEADER]: await sign(teamKey, accessClaims({ aud: OTHER_TAG })) }, /audience/);
    await assertInvalid({ [HEADER]: await sign(teamKey, accessClaims({ aud: [] })) }, /audience/);
  });

  it("refuses an expired JWT beyond the verifier's 30 s leeway, and admits one within it", async () => {
    const expired = await sign(teamKey, accessClaims({ iat: NOW_S - 3_600, nbf: NOW_S - 3_600, exp: NOW_S - 31 }));
    await assertInvalid({ [HEADER]: expired }, /expired/);
    const justExpired = await sign(teamKey, accessClaims({ iat: NOW_S - 3_600, nbf: NOW_S - 3_600, exp: NOW_S - 10 }));
    assert.equal((await check({ [HEADER]: justExpired })).result, "ok");
  });

  it("refuses a JWT not yet valid (nbf, or iat, ahead of the leeway)", async () => {
    await assertInvalid(
      { [HEADER]: await sign(teamKey, accessClaims({ nbf: NOW_S + 120 })) },
      /"nbf" lies .* in the future/,
    );
    await assertInvalid(
      { [HEADER]: await sign(teamKey, accessClaims({ iat: NOW_S + 120, nbf: NOW_S + 120 })) },
      /in the future/,
    );
  });

  it("refuses a JWT that lives longer than a day (an application session over 24 h)", async () => {
    const week = await sign(teamKey, accessClaims({ exp: NOW_S - 60 + 7 * 86_400 }));
    await assertInvalid({ [HEADER]: week }, /lives longer than 86400 s/);
  });

  it("refuses alg none, and HS256 keyed with the team's public key (algorithm confusion)", async () => {
    const none = `${b64url({ alg: "none", typ: "JWT" })}.${b64url(accessClaims())}.`;
    await assertInvalid({ [HEADER]: none }, /alg "none" is not allowed|alg/);
    const { createHmac } = await import("node:crypto");
    for (const secret of [JSON.stringify(teamKey.jwk), String(teamKey.jwk.n)]) {
      const input = `${b64url({ alg: "HS256", kid: teamKey.kid, typ: "JWT" })}.${b64url(accessClaims())}`;
      const mac = createHmac("sha256", secret).update(input).digest("base64url");
      await assertInvalid({ [HEADER]: `${input}.${mac}` }, /alg .*HS256.* is not allowed/);
    }
  });

  it("refuses a JWT that brings its own key (jwk or jku in the header)", async () => {
    const attacker = await signingKey(teamKey.kid);
    await assertInvalid({ [HEADER]: await sign(attacker, accessClaims(), { jwk: attacker.jwk }) }, /jwk/);
    await assertInvalid(
      { [HEADER]: await sign(attacker, accessClaims(), { jku: "https://attacker.example/certs" }) },
      /jku/,
    );
  });

  it("reads the header only: a valid JWT in the CF_Authorization cookie alone is no Access JWT", async () => {
    const token = await sign(teamKey, accessClaims());
    assert.deepEqual(await check({ cookie: `CF_Authorization=${token}` }), { result: "missing" });
  });

  it("refuses a second Cf-Access-Jwt-Assertion value smuggled beside a valid one, in either order", async () => {
    const valid = await sign(teamKey, accessClaims());
    const forged = await sign(await signingKey(teamKey.kid), accessClaims({ email: "attacker@example.dev" }));
    for (const pair of [
      [valid, forged],
      [forged, valid],
      [valid, valid],
    ]) {
      const headers = new Headers();
      for (const value of pair) headers.append(HEADER, value);
      await assertInvalid(headers, /more than one cf-access-jwt-assertion value/);
    }
  });

  it("answers unavailable, not invalid, when the team's keys cannot be fetched", async () => {
    const headers = new Headers({ [HEADER]: await sign(teamKey, accessClaims({ iss: DOWN_TEAM })) });
    const down = new Miniflare({
      modules: await bundledModules(resolve(import.meta.dirname, "access-gate-worker.ts")),
      compatibilityDate: COMPATIBILITY_DATE,
      bindings: { ACCESS: JSON.stringify({ teamDomain: DOWN_TEAM, audience: TAG }) },
      outboundService: () => new MiniflareResponse("upstream unavailable", { status: 503 }),
    });
    try {
      const response = await down.dispatchFetch(`http://gate.test/admin/?now=${NOW}`, { headers });
      const result = (await response.json()) as Record<string, unknown>;
      assert.equal(result.result, "unavailable", JSON.stringify(result));
      assert.match(String(result.reason), /Access team's keys could not be fetched/);
    } finally {
      await down.dispose();
    }
  });

  it("never echoes the JWT in a refusal", async () => {
    const token = await sign(teamKey, accessClaims({ aud: [OTHER_TAG] }));
    const result = await check({ [HEADER]: token });
    const text = JSON.stringify(result);
    for (const segment of token.split(".")) assert.ok(!text.includes(segment));
  });
});
