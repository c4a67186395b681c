// The verifier against the real issuer running in workerd: discovery, JWKS with ETag, key rotation
// and revocation. The verifier's clock runs ahead of real time by `shift` (never backwards) so that
// cooldowns and cache lifetimes pass without waiting; tokens live an hour, far beyond the shifts.

import assert from "node:assert/strict";
import {
  createVerifier,
  VerificationError,
  type VerificationErrorCode,
  type VerifierFetch,
  type VerifierOptions,
} from "@worker-identity/verifier";
import { decodeProtectedHeader } from "jose";
import { IssuerHarness } from "../support/issuer-harness.js";
import { ACCOUNT_ID, AWS_AUDIENCE, GCP_AUDIENCE } from "../support/stack-fixture.js";

interface Request {
  readonly path: string;
  readonly status: number;
  readonly conditional: boolean;
}

describe("verifier against the issuer in workerd", function () {
  this.timeout(120_000);
  let issuer: IssuerHarness;
  let shiftMs = 0;
  const requests: Request[] = [];
  const countingFetch: VerifierFetch = async (input, init) => {
    const response = await fetch(input, init);
    const conditional = new Headers(init?.headers).has("if-none-match");
    requests.push({ path: new URL(input).pathname, status: response.status, conditional });
    return response;
  };
  const jwksRequests = () => requests.filter((r) => r.path === "/.well-known/jwks.json");
  const discoveryRequests = () => requests.filter((r) => r.path === "/.well-known/openid-configuration");

  before(async () => {
    issuer = await IssuerHarness.start();
  });
  after(() => issuer?.dispose());

  function verifier(changes: Partial<VerifierOptions> = {}) {
    return createVerifier({
      issuer: issuer.url,
      audience: AWS_AUDIENCE,
      fetch: countingFetch,
      now: () => Date.now() + shiftMs,
      ...changes,
    });
  }

  async function billingToken(): Promise<{ token: string; expiresAt: number; kid: string }> {
    const issued = await issuer.token("billing", AWS_AUDIENCE, { lifetimeSeconds: 3600 });
    return { ...issued, kid: decodeProtectedHeader(issued.token).kid as string };
  }

  async function refused(promise: Promise<unknown>, code: VerificationErrorCode): Promise<void> {
    await assert.rejects(promise, (error: unknown) => error instanceof VerificationError && error.code === code);
  }

  let first: { token: string; expiresAt: number; kid: string };

  it("verifies a billing token and yields its workload identity", async () => {
    first = await billingToken();
    const identity = await verifier().verify(first.token);
    assert.equal(identity.subject, `worker/${ACCOUNT_ID}/billing`);
    assert.equal(identity.workload, "billing");
    assert.equal(identity.accountId, ACCOUNT_ID);
    assert.equal(identity.expiresAt, first.expiresAt);
    assert.equal(identity.claims.team, "payments");
    assert.equal(identity.claims.environment, "test");
    assert.deepEqual([identity.header.alg, identity.header.typ, identity.header.kid], ["RS256", "JWT", first.kid]);
    assert.match(identity.jti, /.{16,}/);
    assert.equal(discoveryRequests().length, 1);
    assert.equal(jwksRequests().length, 1);
  });

  it("admits only the configured workloads and audience", async () => {
    const ledger = await issuer.token("ledger-sync", AWS_AUDIENCE);
    await refused(verifier({ workloads: ["billing"] }).verify(ledger.token), "ERR_TOKEN_SUBJECT");
    await verifier({ workloads: ["billing"], claims: { team: "payments", tier: 1 } }).verify(first.token);
    const gcp = await issuer.token("reports-exporter", GCP_AUDIENCE);
    await refused(verifier().verify(gcp.token), "ERR_TOKEN_AUDIENCE");
    await verifier({ audience: GCP_AUDIENCE, workloads: ["reports-exporter"] }).verify(gcp.token);
    assert.equal(jwksRequests().length, 1, "every verifier of the issuer shares the isolate's cached JWKS");
  });

  it("revalidates the JWKS with If-None-Match and keeps its copy on 304", async () => {
    shiftMs += 61_000;
    await verifier({ jwks: { cacheMaxAgeSeconds: 60 } }).verify(first.token);
    const [, revalidation, ...rest] = jwksRequests();
    assert.equal(rest.length, 0);
    assert.deepEqual(revalidation, { path: "/.well-known/jwks.json", status: 304, conditional: true });
  });

  let rotated: { token: string; expiresAt: number; kid: string };

  it("verifies a token of a new key after one refetch, once the cooldown allows it", async () => {
    const response = await issuer.admin("/admin/keys/rotate", { method: "POST", body: '{"emergency":true}' });
    assert.equal(response.status, 200, await response.clone().text());
    rotated = await billingToken();
    assert.notEqual(rotated.kid, first.kid);
    const before = jwksRequests().length;

    await refused(verifier().verify(rotated.token), "ERR_TOKEN_KEY_UNKNOWN");
    assert.equal(jwksRequests().length, before, "no refetch within the cooldown of the last fetch");

    shiftMs += 31_000;
    const identity = await verifier().verify(rotated.token);
    assert.equal(identity.header.kid, rotated.kid);
    assert.equal(jwksRequests().length, before + 1, "exactly one refetch");
    assert.equal(jwksRequests().at(-1)?.status, 200);
    await verifier().verify(first.token); // the previous key stays published after an emergency rotation
    assert.equal(jwksRequests().length, before + 1);
    assert.equal(discoveryRequests().length, 1);
  });

  it("refuses a token of a revoked key once the cached JWKS has expired", async () => {
    const response = await issuer.admin(`/admin/keys/${rotated.kid}/revoke`, { method: "POST" });
    assert.equal(response.status, 200, await response.clone().text());
    const replacement = await billingToken();
    assert.notEqual(replacement.kid, rotated.kid);

    // Within the cache lifetime the revoked key is still trusted: the documented revocation window.
    await verifier().verify(rotated.token);

    shiftMs += 61_000;
    const shortLived = verifier({ jwks: { cacheMaxAgeSeconds: 60 } });
    await refused(shortLived.verify(rotated.token), "ERR_TOKEN_KEY_UNKNOWN");
    assert.equal(jwksRequests().at(-1)?.status, 200, "the changed JWKS was fetched");
    await shortLived.verify(replacement.token);
  });
});
