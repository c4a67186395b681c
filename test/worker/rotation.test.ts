// Rotation in the real runtime. Time travel is a restart of workerd with a shifted issuer clock
// (TEST_CLOCK_OFFSET_SECONDS) over persisted Durable Object and KV state, which also proves that
// a restart keeps keys and earlier tokens valid. Each test starts its own issuer from empty state
// and travels through the timeline it needs, so no test leans on another's keys or clock.

import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from "jose";
import { IssuerHarness } from "../support/issuer-harness.js";
import { AWS_AUDIENCE } from "../support/stack-fixture.js";

const DAY = 86_400;

interface Listing {
  now: number;
  keys: { kid: string; state: string; alg: string }[];
  events: { kid: string; event: string }[];
  nextCheckAt: number;
  nextSteps: { kind: string; kid: string | null; reason: string }[];
}

describe("issuer in workerd: scheduled rotation, emergency rotation and revocation", function () {
  this.timeout(120_000);
  let dir: string;
  let issuer: IssuerHarness;
  let offset = 0;

  beforeEach(async () => {
    offset = 0;
    dir = await mkdtemp(join(tmpdir(), "wid-rotation-"));
    issuer = await IssuerHarness.start({ persistDir: dir, clockOffsetSeconds: 0 });
  });
  afterEach(async () => {
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

  /** The kid that signs now. */
  async function signingKid(): Promise<string> {
    return decodeProtectedHeader((await issuer.token("billing", AWS_AUDIENCE)).token).kid as string;
  }

  /** From the start: the first key signs, then at half the period the next key is prepared. */
  async function publishNext(): Promise<{ first: string; second: string }> {
    const first = await signingKid();
    await travelTo(15 * DAY + 60);
    assert.equal(await signingKid(), first, "the next key must not sign yet");
    const next = (await listing()).keys.find((k) => k.state === "next");
    assert.ok(next, "a next key at half the period");
    return { first, second: next.kid };
  }

  /** From the start to just after the rotation: `beforeRotation` was signed by `first` a minute before it. */
  async function rotate(): Promise<{ first: string; second: string; beforeRotation: string }> {
    const { first, second } = await publishNext();
    await travelTo(30 * DAY - 60);
    const beforeRotation = (await issuer.token("billing", AWS_AUDIENCE, { lifetimeSeconds: 3600 })).token;
    assert.equal(decodeProtectedHeader(beforeRotation).kid, first);
    await travelTo(30 * DAY + 10 * 60);
    assert.equal(await signingKid(), second, "the next key signs once the period is over");
    return { first, second, beforeRotation };
  }

  /** A relying party finds no key of `kid` in the JWKS: the key is unpublished (not an expiry). */
  const unpublished = (error: unknown) => {
    assert.equal((error as { code?: unknown }).code, "ERR_JWKS_NO_MATCHING_KEY", String(error));
    return true;
  };

  it("starts with one active key that signs", async () => {
    const { token } = await issuer.token("billing", AWS_AUDIENCE);
    const set = await jwks();
    const first = decodeProtectedHeader(token).kid as string;
    assert.deepEqual(kids(set), [first]);
    await verify(token, set);
  });

  it("publishes the next key at half the rotation period, before it signs anything", async () => {
    const first = await signingKid();
    await travelTo(15 * DAY + 60);
    const { token } = await issuer.token("billing", AWS_AUDIENCE);
    assert.equal(decodeProtectedHeader(token).kid, first, "the next key must not sign yet");
    const state = await listing();
    const next = state.keys.find((k) => k.state === "next");
    assert.ok(next, JSON.stringify(state.keys));
    assert.deepEqual(kids(await jwks()).sort(), [first, next.kid].sort());
  });

  it("plans in its listing the steps it then takes at its next check (what the operator page shows)", async () => {
    const first = await signingKid();
    const fresh = await listing();
    // Nothing is due before the periodic look, six hours on.
    assert.deepEqual(fresh.nextSteps, []);
    assert.equal(fresh.nextCheckAt - fresh.now, 6 * 3_600_000);
    await travelTo(15 * DAY - 3_600);
    const beforeHalf = await listing();
    assert.deepEqual(
      beforeHalf.nextSteps.map((s) => [s.kind, s.kid]),
      [["create", null]],
    );
    // At the planned instant the key store does what it said: a next key, the first still signing.
    await travelTo(Math.ceil((beforeHalf.nextCheckAt - beforeHalf.now) / 1_000) + 15 * DAY - 3_600 + 60);
    // A token request runs what is due (as the alarm would); the first key still signs.
    assert.equal(await signingKid(), first);
    const afterHalf = await listing();
    const next = afterHalf.keys.find((k) => k.state === "next");
    assert.ok(next, JSON.stringify(afterHalf.keys));
    await travelTo(30 * DAY - 3_600);
    const beforeEnd = await listing();
    assert.deepEqual(
      beforeEnd.nextSteps.map((s) => [s.kind, s.kid]),
      [["activate", next.kid]],
    );
    await travelTo(Math.ceil((beforeEnd.nextCheckAt - beforeEnd.now) / 1_000) + 30 * DAY - 3_600 + 60);
    assert.equal(await signingKid(), next.kid, "the key it planned to activate signs");
  });

  it("keeps the keys and earlier tokens across a restart", async () => {
    const { first, second } = await publishNext();
    const { token } = await issuer.token("billing", AWS_AUDIENCE, { lifetimeSeconds: 3600 });
    await issuer.restart({ clockOffsetSeconds: offset });
    const set = await jwks();
    assert.deepEqual(kids(set).sort(), [first, second].sort());
    await verify(token, set);
  });

  it("a token signed just before the rotation still verifies after it, until it expires", async () => {
    const { first, second } = await publishNext();
    await travelTo(30 * DAY - 60);
    const beforeRotation = (await issuer.token("billing", AWS_AUDIENCE, { lifetimeSeconds: 3600 })).token;
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
    const { first, beforeRotation } = await rotate();
    // retired at 30d+10m; retention = 30 s key cache + 3600 s max lifetime + 60 s skew.
    await travelTo(30 * DAY + 10 * 60 + 30 + 3600 + 60 + 5);
    await issuer.token("billing", AWS_AUDIENCE);
    const set = await jwks();
    assert.ok(!kids(set).includes(first), `retired key still published: ${kids(set).join(", ")}`);
    await assert.rejects(() => verify(beforeRotation, set), unpublished);
  });

  it("emergency rotation stops signing with the active key at once but keeps it published", async () => {
    const active = await signingKid();
    const { token: old } = await issuer.token("billing", AWS_AUDIENCE, { lifetimeSeconds: 1800 });
    const response = await issuer.admin("/admin/keys/rotate", {
      method: "POST",
      body: JSON.stringify({ emergency: true }),
    });
    assert.equal(response.status, 200, await response.clone().text());
    const { token: fresh } = await issuer.token("billing", AWS_AUDIENCE, { lifetimeSeconds: 1800 });
    const freshKid = decodeProtectedHeader(fresh).kid as string;
    assert.notEqual(freshKid, active);
    const set = await jwks();
    assert.ok(kids(set).includes(active));
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
    await assert.rejects(() => verify(doomed, set), unpublished);
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
    const active = await signingKid();
    assert.equal((await listing()).keys.find((k) => k.state === "active")?.kid, active);
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
