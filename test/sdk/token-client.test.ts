// identity(binding).token over a fake binding with a movable clock: caching, refresh before
// expiry, shared in-flight requests, typed refusals; and the cache's pure decisions.

import assert from "node:assert/strict";
import {
  identity,
  IssuerRefusalError,
  IssuerUnavailableError,
  MalformedResponseError,
  type IssuerBinding,
} from "../../worker/sdk/index.js";
import { decide, MIN_REMAINING_ON_FAILURE_MS, renewalTime, RETRY_AFTER_FAILURE_MS, type Expiring } from "../../worker/sdk/renewing-cache.js";
import { FakeIssuer, TestClock } from "./support/fixtures.js";

describe("identity(binding).token", () => {
  let clock: TestClock;
  let issuer: FakeIssuer;
  beforeEach(() => {
    clock = new TestClock();
    issuer = new FakeIssuer(clock);
  });

  it("hands out the cached token until a third of its life (at least 60 s) remains, then a new one", async () => {
    const id = identity(issuer, { now: clock.now });
    const first = await id.token("sts.amazonaws.com");
    clock.advance(199);
    assert.equal(await id.token("sts.amazonaws.com"), first);
    assert.equal(issuer.calls.length, 1);
    clock.advance(1);
    const second = await id.token("sts.amazonaws.com");
    assert.notEqual(second.token, first.token);
    assert.equal(second.expiresAt, first.expiresAt + 200);
    assert.equal(issuer.calls.length, 2);
  });

  it("keeps a short token for half its life (the 60 s minimum margin never exceeds half)", async () => {
    const id = identity(issuer, { now: clock.now });
    const first = await id.token("sts.amazonaws.com", { lifetimeSeconds: 60 });
    clock.advance(29);
    assert.equal(await id.token("sts.amazonaws.com", { lifetimeSeconds: 60 }), first);
    clock.advance(1);
    assert.notEqual(await id.token("sts.amazonaws.com", { lifetimeSeconds: 60 }), first);
    assert.deepEqual(issuer.calls.map((c) => c.options), [{ lifetimeSeconds: 60 }, { lifetimeSeconds: 60 }]);
  });

  it("caches per audience and lifetime, per binding, across clients built per request", async () => {
    await identity(issuer, { now: clock.now }).token("a");
    await identity(issuer, { now: clock.now }).token("a");
    await identity(issuer, { now: clock.now }).token("b");
    await identity(issuer, { now: clock.now }).token("a", { lifetimeSeconds: 120 });
    assert.deepEqual(issuer.calls.map((c) => c.audience), ["a", "b", "a"]);
    const other = new FakeIssuer(clock);
    await identity(other, { now: clock.now }).token("a");
    assert.equal(other.calls.length, 1, "another binding (another identity) has its own cache");
  });

  it("concurrent callers share one request, for the first token and for a renewal", async () => {
    const id = identity(issuer, { now: clock.now });
    let release!: () => void;
    issuer.gate = new Promise((resolve) => (release = resolve));
    const callers = Array.from({ length: 8 }, () => id.token("sts.amazonaws.com"));
    release();
    const tokens = await Promise.all(callers);
    assert.equal(issuer.calls.length, 1);
    assert.ok(tokens.every((t) => t === tokens[0]));
    clock.advance(250);
    issuer.gate = new Promise((resolve) => (release = resolve));
    const renewing = Array.from({ length: 8 }, () => id.token("sts.amazonaws.com"));
    release();
    const renewed = await Promise.all(renewing);
    assert.equal(issuer.calls.length, 2);
    assert.ok(renewed.every((t) => t === renewed[0] && t !== tokens[0]));
  });

  it("a refusal becomes IssuerRefusalError with the issuer's code, and is not cached", async () => {
    issuer.refusal = "[ERR_AUDIENCE_NOT_ALLOWED] workload 'billing' may not request tokens for audience \"x\"";
    const id = identity(issuer, { now: clock.now });
    const error = await id.token("x").then(() => assert.fail("expected a refusal"), (e: unknown) => e);
    assert.ok(error instanceof IssuerRefusalError, String(error));
    assert.deepEqual([error.code, error.issuerCode, error.service, error.retryable], ["ERR_ISSUER_REFUSED", "ERR_AUDIENCE_NOT_ALLOWED", "issuer", false]);
    assert.match(error.message, /^the issuer refused a token for "x": workload 'billing' may not/);
    issuer.refusal = "Error: [ERR_KEY_STORE_UNAVAILABLE] the key store did not answer";
    await assert.rejects(id.token("x"), (e: unknown) => e instanceof IssuerRefusalError && e.issuerCode === "ERR_KEY_STORE_UNAVAILABLE" && e.retryable);
    issuer.refusal = undefined;
    await id.token("x");
    assert.equal(issuer.calls.length, 3);
  });

  it("a failure without an issuer code, or an answer that is not a token, is typed too", async () => {
    const broken: IssuerBinding = {
      token: async () => {
        throw new Error("Network connection lost.");
      },
    };
    await assert.rejects(identity(broken).token("a"), (e: unknown) => e instanceof IssuerUnavailableError && e.retryable && /Network connection lost/.test(e.message));
    const odd = { token: async () => ({ jwt: "a.b.c" }) } as unknown as IssuerBinding;
    await assert.rejects(identity(odd).token("a"), (e: unknown) => e instanceof MalformedResponseError && e.service === "issuer");
  });

  it("a renewal that fails hands out the still-good token, pauses, then retries; near expiry it fails", async () => {
    const id = identity(issuer, { now: clock.now });
    const first = await id.token("a");
    clock.advance(250);
    issuer.refusal = "[ERR_KEY_STORE_UNAVAILABLE] the key store did not answer";
    assert.equal(await id.token("a"), first);
    clock.advance(RETRY_AFTER_FAILURE_MS / 1_000 - 1);
    assert.equal(await id.token("a"), first);
    assert.equal(issuer.calls.length, 2, "no new attempt during the pause");
    clock.advance(1);
    assert.equal(await id.token("a"), first);
    assert.equal(issuer.calls.length, 3);
    clock.advance(300 - 250 - RETRY_AFTER_FAILURE_MS / 1_000 - MIN_REMAINING_ON_FAILURE_MS / 1_000);
    await assert.rejects(id.token("a"), IssuerRefusalError);
    issuer.refusal = undefined;
    assert.notEqual(await id.token("a"), first);
  });

  it("refuses a missing binding or misused options with a TypeError, at once", () => {
    assert.throws(() => identity(undefined as unknown as IssuerBinding), /binding is missing|service binding/);
    assert.throws(() => identity(issuer, { timeout: 5 } as never), /timeout is not an option/);
    assert.throws(() => identity(issuer, { timeoutSeconds: 0, fetch: "no" as never }), /fetch must be a function[\s\S]*timeoutSeconds must be/);
  });
});

describe("renewal decisions", () => {
  const entry: Expiring<string> = { value: "v", expiresAtMs: 100_000, renewAtMs: 70_000 };

  it("uses a value before its renewal time and loads from then on, or when there is none", () => {
    assert.equal(decide(undefined, undefined, 0), "load");
    assert.equal(decide(entry, undefined, 69_999), "use");
    assert.equal(decide(entry, undefined, 70_000), "load");
    assert.equal(decide(entry, undefined, 100_000), "load");
  });

  it("after a failed renewal, uses the value during the pause while it has enough life left", () => {
    assert.equal(decide(entry, 65_000, 65_000 + RETRY_AFTER_FAILURE_MS - 1), "use");
    assert.equal(decide(entry, 65_000, 65_000 + RETRY_AFTER_FAILURE_MS), "load");
    const late = 100_000 - MIN_REMAINING_ON_FAILURE_MS;
    assert.equal(decide(entry, late - 1, late), "load", "too close to expiry to stand in");
  });

  it("renews a margin before expiry, but never before half the remaining life", () => {
    assert.equal(renewalTime(0, 3_600_000, 300_000), 3_300_000);
    assert.equal(renewalTime(0, 60_000, 300_000), 30_000);
    assert.equal(renewalTime(50_000, 40_000, 300_000), 40_000, "an already expired value is due at once");
  });
});
