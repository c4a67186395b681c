// Rotation in the real runtime. Time travel is a restart of workerd with a shifted issuer clock
// (TEST_CLOCK_OFFSET_SECONDS) over persisted Durable Object and KV state, which also proves that
// a restart keeps keys and earlier tokens valid.

import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from "jose";
import { IssuerHarness } from "../support/issuer-harness.js";
import { AWS_AUDIENCE } from "../support/stack-fixture.js";

const DAY = 86_400;

interface Listing {
  keys: { kid: string; state: string; alg: string }[];
  events: { kid: string; event: string }[];
}

describe("issuer in workerd: scheduled rotation, emergency rotation and revocation", function () {
  this.timeout(120_000);
  let dir: string;
  let issuer: IssuerHarness;
  let offset = 0;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "wid-rotation-"));
    issuer = await IssuerHarness.start({ persistDir: dir, clockOffsetSeconds: 0 });
  });
  after(async () => {
    await issuer?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  async function travelTo(seconds: number): Promise<void> {
    offset = seconds;
    await issuer.restart({ clockOffsetSeconds: seconds });
  }

  async function jwks(): Promise<JSONWebKeySet> {
    return (await (await issuer.fetch("/.well-known/jwks.json")).json()) as JSONWebKeySet;
  }

  function kids(set: JSONWebKeySet): string[] {
    return set.keys.map((k) => k.kid as string);
  }

  async function listing(): Promise<Listing> {
    return (await (await issuer.admin("/admin/keys")).json()) as Listing;
  }

  /** Verifies as a relying party whose clock agrees with the issuer's shifted clock. */
  async function verify(token: string, set: JSONWebKeySet) {
    return jwtVerify(token, createLocalJWKSet(set), {
      issuer: issuer.url,
      audience: AWS_AUDIENCE,
      currentDate: new Date(Date.now() + offset * 1_000),
    });
  }

  let first: string;
  let second: string;
  let beforeRotation: string;

  it("starts with one active key that signs", async () => {
    const { token } = await issuer.token("billing", AWS_AUDIENCE);
    const set = await jwks();
    first = decodeProtectedHeader(token).kid as string;
    assert.deepEqual(kids(set), [first]);
    await verify(token, set);
  });

  it("publishes the next key at half the rotation period, before it signs anything", async () => {
    await travelTo(15 * DAY + 60);
    const { token } = await issuer.token("billing", AWS_AUDIENCE);
    assert.equal(decodeProtectedHeader(token).kid, first, "the next key must not sign yet");
    const state = await listing();
    const next = state.keys.find((k) => k.state === "next");
    assert.ok(next, JSON.stringify(state.keys));
    second = next.kid;
    assert.deepEqual(kids(await jwks()).sort(), [first, second].sort());
  });

  it("keeps the keys and earlier tokens across a restart", async () => {
    const { token } = await issuer.token("billing", AWS_AUDIENCE, { lifetimeSeconds: 3600 });
    await issuer.restart({ clockOffsetSeconds: offset });
    const set = await jwks();
    assert.deepEqual(kids(set).sort(), [first, second].sort());
    await verify(token, set);
  });

  it("a token signed just before the rotation still verifies after it, until it expires", async () => {
    await travelTo(30 * DAY - 60);
    beforeRotation = (await issuer.token("billing", AWS_AUDIENCE, { lifetimeSeconds: 3600 })).token;
    assert.equal(decodeProtectedHeader(beforeRotation).kid, first);

    await travelTo(30 * DAY + 10 * 60);
    const { token } = await issuer.token("billing", AWS_AUDIENCE, { lifetimeSeconds: 3600 });
    assert.equal(decodeProtectedHeader(token).kid, second, "the next key signs once the period is over");
    const set = await jwks();
    assert.equal(kids(set)[0], second, "the active key is listed first");
    assert.ok(kids(set).includes(first), "the retired key stays published");
    await verify(beforeRotation, set);
    const state = await listing();
    assert.equal(state.keys.find((k) => k.kid === first)?.state, "retired");
  });

  it("unpublishes the retired key once every token it signed has expired", async () => {
    // retired at 30d+10m; retention = 30 s key cache + 3600 s max lifetime + 60 s skew.
    await travelTo(30 * DAY + 10 * 60 + 30 + 3600 + 60 + 5);
    await issuer.token("billing", AWS_AUDIENCE);
    const set = await jwks();
    assert.ok(!kids(set).includes(first), `retired key still published: ${kids(set).join(", ")}`);
    await assert.rejects(() => verify(beforeRotation, set), /exp|expired|no applicable key/i);
  });

  it("emergency rotation stops signing with the active key at once but keeps it published", async () => {
    const { token: old } = await issuer.token("billing", AWS_AUDIENCE, { lifetimeSeconds: 1800 });
    const response = await issuer.admin("/admin/keys/rotate", {
      method: "POST",
      body: JSON.stringify({ emergency: true }),
    });
    assert.equal(response.status, 200, await response.clone().text());
    const { token: fresh } = await issuer.token("billing", AWS_AUDIENCE, { lifetimeSeconds: 1800 });
    const freshKid = decodeProtectedHeader(fresh).kid as string;
    assert.notEqual(freshKid, second);
    const set = await jwks();
    assert.ok(kids(set).includes(second));
    await verify(old, set);
    await verify(fresh, set);
  });

  it("revocation withdraws a key from the JWKS at once and its tokens stop verifying", async () => {
    const { token: doomed } = await issuer.token("ledger-sync", AWS_AUDIENCE);
    const doomedKid = decodeProtectedHeader(doomed).kid as string;
    const response = await issuer.admin(`/admin/keys/${doomedKid}/revoke`, { method: "POST" });
    assert.equal(response.status, 200, await response.clone().text());
    const set = await jwks();
    assert.ok(!kids(set).includes(doomedKid));
    await assert.rejects(() => verify(doomed, set), /no applicable key|JWKSNoMatchingKey/i);
    const { token: after } = await issuer.token("ledger-sync", AWS_AUDIENCE);
    assert.notEqual(decodeProtectedHeader(after).kid, doomedKid, "a cached token of a revoked key was handed out");
    await verify(after, set);
    const events = (await listing()).events.filter((e) => e.kid === doomedKid).map((e) => e.event);
    assert.ok(events.includes("revoked"), events.join(","));
  });

  it("refuses to revoke an unknown kid and to rotate with a malformed body", async () => {
    const unknown = await issuer.admin("/admin/keys/not-a-published-kid/revoke", { method: "POST" });
    assert.equal(unknown.status, 404);
    assert.equal(((await unknown.json()) as { code: string }).code, "ERR_UNKNOWN_KEY");
    const malformed = await issuer.admin("/admin/keys/rotate", { method: "POST", body: "{emergency" });
    assert.equal(malformed.status, 400);
  });

  it("a safe rotation on request publishes a next key and activates it only after the publication delay", async () => {
    const before = await listing();
    const active = before.keys.find((k) => k.state === "active")!.kid;
    const response = await issuer.admin("/admin/keys/rotate", { method: "POST" });
    assert.equal(response.status, 200);
    const requested = (await response.json()) as Listing;
    const next = requested.keys.find((k) => k.state === "next");
    assert.ok(next, "a next key is prepared");
    const { token } = await issuer.token("edge-api", "https://api.internal.example.dev");
    assert.equal(
      decodeProtectedHeader(token).kid,
      active,
      "the new key must not sign before it is published long enough",
    );
    // publication delay: 60 s KV + 60 s edge cache + 3600 s max-age + 60 s skew.
    await travelTo(offset + 60 + 60 + 3600 + 60 + 5);
    const { token: later } = await issuer.token("edge-api", "https://api.internal.example.dev", {
      lifetimeSeconds: 100,
    });
    assert.equal(decodeProtectedHeader(later).kid, next.kid);
  });

  it("refuses admin calls without the admin token", async () => {
    const anonymous = await issuer.fetch("/admin/keys");
    assert.equal(anonymous.status, 401);
    assert.match(anonymous.headers.get("www-authenticate") ?? "", /^Bearer/);
    const wrong = await issuer.fetch("/admin/keys/rotate", {
      method: "POST",
      headers: { authorization: "Bearer nope" },
    });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.headers.get("content-type"), "application/problem+json");
  });
});
