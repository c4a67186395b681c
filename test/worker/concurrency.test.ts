import assert from "node:assert/strict";
import { createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from "jose";
import { type IssuedToken, IssuerHarness } from "../support/issuer-harness.js";
import { AWS_AUDIENCE, GCP_AUDIENCE } from "../support/stack-fixture.js";

describe("issuer in workerd: many parallel token requests across a rotation", function () {
  this.timeout(120_000);
  let issuer: IssuerHarness;

  before(async () => {
    issuer = await IssuerHarness.start();
  });
  after(async () => {
    await issuer?.dispose();
  });

  async function jwks(): Promise<JSONWebKeySet> {
    return (await (await issuer.fetch("/.well-known/jwks.json")).json()) as JSONWebKeySet;
  }

  /** 100 requests at once, each for a distinct lifetime so none is served from the token cache. */
  function burst(offset: number): Promise<IssuedToken>[] {
    return Array.from({ length: 100 }, (_, i) =>
      issuer.token(i % 2 === 0 ? "billing" : "ledger-sync", AWS_AUDIENCE, { lifetimeSeconds: 60 + offset + i }),
    );
  }

  it("every token verifies against the JWKS served once it was issued", async () => {
    const before = await Promise.all(burst(0));
    const rotation = issuer.admin("/admin/keys/rotate", { method: "POST", body: JSON.stringify({ emergency: true }) });
    const during = await Promise.all([...burst(100), issuer.token("billing", GCP_AUDIENCE, { lifetimeSeconds: 999 })]);
    assert.equal((await rotation).status, 200);
    const afterward = await Promise.all(burst(200));

    const served = await jwks();
    const verifier = createLocalJWKSet(served);
    const all = [...before, ...during, ...afterward];
    assert.equal(new Set(all.map((t) => t.token)).size, all.length, "every request got its own token");
    for (const { token } of all) await jwtVerify(token, verifier);

    const kidsUsed = new Set(all.map((t) => decodeProtectedHeader(t.token).kid));
    assert.equal(kidsUsed.size, 2, "tokens were signed by the old and the new key");
    assert.equal(
      decodeProtectedHeader(afterward[99]!.token).kid,
      served.keys[0]?.kid,
      "the newest key signs after the rotation",
    );
  });
});
