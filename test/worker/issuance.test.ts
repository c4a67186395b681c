import assert from "node:assert/strict";
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import * as oidc from "openid-client";
import { IssuerHarness } from "../support/issuer-harness.js";
import { ACCOUNT_ID, API_AUDIENCE, AWS_AUDIENCE, GCP_AUDIENCE } from "../support/stack-fixture.js";

describe("issuer in workerd: discovery, JWKS and token issuance", () => {
  let issuer: IssuerHarness;

  before(async () => {
    issuer = await IssuerHarness.start();
  });
  after(async () => {
    await issuer?.dispose();
  });

  it("serves discovery that openid-client accepts, naming the issuer exactly", async () => {
    const configuration = await oidc.discovery(new URL(issuer.url), "relying-party", undefined, undefined, {
      execute: [oidc.allowInsecureRequests],
    });
    const metadata = configuration.serverMetadata();
    assert.equal(metadata.issuer, issuer.url);
    assert.equal(metadata.jwks_uri, `${issuer.url}/.well-known/jwks.json`);
    assert.deepEqual(metadata.id_token_signing_alg_values_supported?.[0], "RS256");
    assert.ok(metadata.claims_supported?.includes("account_id"));
  });

  it("issues a token through a per-workload entrypoint that verifies with jose against the served JWKS", async () => {
    const { token, expiresAt } = await issuer.token("billing", AWS_AUDIENCE);
    const jwks = createRemoteJWKSet(new URL(`${issuer.url}/.well-known/jwks.json`));
    const { payload, protectedHeader } = await jwtVerify(token, jwks, {
      issuer: issuer.url,
      audience: AWS_AUDIENCE,
      algorithms: ["RS256"],
    });
    assert.equal(protectedHeader.typ, "JWT");
    assert.ok(protectedHeader.kid);
    assert.equal(payload.sub, `worker/${ACCOUNT_ID}/billing`);
    assert.equal(payload.worker, "billing");
    assert.equal(payload.account_id, ACCOUNT_ID);
    assert.equal(payload.environment, "test");
    assert.equal(payload.team, "payments");
    assert.equal(payload.tier, 1);
    assert.deepEqual(payload["https://aws.amazon.com/tags"], {
      principal_tags: { team: ["payments"], "cost-center": ["cc-1234"] },
      transitive_tag_keys: ["team"],
    });
    assert.equal(payload.exp, expiresAt);
    assert.equal((payload.exp ?? 0) - (payload.iat ?? 0), 300);
    assert.equal(payload.nbf, payload.iat);
    assert.match(String(payload.jti), /^[0-9a-f-]{36}$/);
  });

  it("gives the same identity through props and through the generated entrypoint", async () => {
    const viaProps = await issuer.call("PROPS_ledger-sync", "token", AWS_AUDIENCE);
    const viaEntry = await issuer.call("ENTRY_ledger-sync", "token", AWS_AUDIENCE, { lifetimeSeconds: 200 });
    assert.ok(viaProps.result && viaEntry.result, JSON.stringify([viaProps, viaEntry]));
    const jwks = createRemoteJWKSet(new URL(`${issuer.url}/.well-known/jwks.json`));
    for (const { token } of [viaProps.result, viaEntry.result]) {
      const { payload } = await jwtVerify(token, jwks, { issuer: issuer.url, audience: AWS_AUDIENCE });
      assert.equal(payload.sub, `worker/${ACCOUNT_ID}/ledger-sync`);
      assert.equal(payload.team, undefined, "another workload's static claims must not leak");
    }
  });

  it("honours a shorter requested lifetime and the workload's default lifetime", async () => {
    const short = await issuer.token("billing", GCP_AUDIENCE, { lifetimeSeconds: 60 });
    const { payload } = await jwtVerify(
      short.token,
      createRemoteJWKSet(new URL(`${issuer.url}/.well-known/jwks.json`)),
      {
        audience: GCP_AUDIENCE,
      },
    );
    assert.equal((payload.exp ?? 0) - (payload.iat ?? 0), 60);
    const edge = await issuer.token("edge-api", API_AUDIENCE);
    const edgeClaims = JSON.parse(Buffer.from(edge.token.split(".")[1]!, "base64url").toString());
    assert.equal(edgeClaims.exp - edgeClaims.iat, 120);
  });

  it("reuses a cached token for the same workload and audience, and not across audiences", async () => {
    const first = await issuer.token("billing", AWS_AUDIENCE, { lifetimeSeconds: 600 });
    const second = await issuer.token("billing", AWS_AUDIENCE, { lifetimeSeconds: 600 });
    const other = await issuer.token("billing", GCP_AUDIENCE, { lifetimeSeconds: 600 });
    assert.equal(second.token, first.token);
    assert.notEqual(other.token, first.token);
  });

  it("signs a fresh token on request, with its own jti, and neither reuses nor caches it", async () => {
    const jti = (token: string) => JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()).jti;
    const cached = await issuer.token("billing", AWS_AUDIENCE, { lifetimeSeconds: 540 });
    const fresh = await issuer.token("billing", AWS_AUDIENCE, { lifetimeSeconds: 540, fresh: true });
    const again = await issuer.token("billing", AWS_AUDIENCE, { lifetimeSeconds: 540, fresh: true });
    const afterwards = await issuer.token("billing", AWS_AUDIENCE, { lifetimeSeconds: 540 });
    assert.equal(new Set([jti(cached.token), jti(fresh.token), jti(again.token)]).size, 3);
    assert.equal(afterwards.token, cached.token, "a fresh token does not take the cached one's place");
  });

  it("serves the JWKS with a max-age from the rotation settings, an ETag, and 304 on If-None-Match", async () => {
    const response = await issuer.fetch("/.well-known/jwks.json");
    assert.equal(response.status, 200);
    const jwks = (await response.json()) as { keys: { kid: string; kty: string; d?: string; p?: string }[] };
    assert.ok(jwks.keys.length >= 1);
    for (const key of jwks.keys) {
      assert.equal(key.d, undefined, "a private parameter must never be published");
      assert.equal(key.p, undefined);
    }
    // 30-day rotation: min(1 hour, 30 days / 48) = 3600 s.
    assert.equal(response.headers.get("cache-control"), "public, max-age=3600");
    const etag = response.headers.get("etag");
    assert.match(etag ?? "", /^"[0-9a-f]{32}"$/);
    const again = await issuer.fetch("/.well-known/jwks.json", { headers: { "if-none-match": etag ?? "" } });
    assert.equal(again.status, 304);
    assert.equal(await again.text(), "");
    const changed = await issuer.fetch("/.well-known/jwks.json", { headers: { "if-none-match": '"something-else"' } });
    assert.equal(changed.status, 200);
  });

  it("signs with the kid the JWKS publishes as active (first key)", async () => {
    const { token } = await issuer.token("reports-exporter", GCP_AUDIENCE);
    const jwks = (await (await issuer.fetch("/.well-known/jwks.json")).json()) as { keys: { kid: string }[] };
    assert.equal(decodeProtectedHeader(token).kid, jwks.keys[0]?.kid);
  });

  it("answers unknown paths and wrong methods with problem+json", async () => {
    const missing = await issuer.fetch("/no-such-route");
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get("content-type"), "application/problem+json");
    const post = await issuer.fetch("/.well-known/jwks.json", { method: "POST" });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get("allow"), "GET, HEAD");
  });
});
