// identity(binding).token over a fake binding with a movable clock: caching, refresh before
// expiry, concurrent callers that share values but never a request, typed refusals; and the
// cache's pure decisions.

import assert from "node:assert/strict";
import {
  type IssuerBinding,
  IssuerRefusalError,
  IssuerUnavailableError,
  identity,
  MalformedResponseError,
} from "@worker-identity/sdk";
import {
  decide,
  type Expiring,
  MIN_REMAINING_ON_FAILURE_MS,
  RETRY_AFTER_FAILURE_MS,
  renewalTime,
} from "../../worker/sdk/renewing-cache.js";
import { within } from "../support/settling.js";
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
    assert.deepEqual(
      issuer.calls.map((c) => c.options),
      [{ lifetimeSeconds: 60 }, { lifetimeSeconds: 60 }],
    );
  });

  it("caches per audience and lifetime, per binding, across clients built per request", async () => {
    await identity(issuer, { now: clock.now }).token("a");
    await identity(issuer, { now: clock.now }).token("a");
    await identity(issuer, { now: clock.now }).token("b");
    await identity(issuer, { now: clock.now }).token("a", { lifetimeSeconds: 120 });
    assert.deepEqual(
      issuer.calls.map((c) => c.audience),
      ["a", "b", "a"],
    );
    const other = new FakeIssuer(clock);
    await identity(other, { now: clock.now }).token("a");
    assert.equal(other.calls.length, 1, "another binding (another identity) has its own cache");
  });

  it("concurrent cold callers each get their own token; during a renewal the others get the current one at once", async () => {
    const id = identity(issuer, { now: clock.now });
    let release!: () => void;
    issuer.gate = new Promise((resolve) => (release = resolve));
    const callers = Array.from({ length: 4 }, () => id.token("sts.amazonaws.com"));
    release();
    const tokens = await Promise.all(callers);
    assert.equal(issuer.calls.length, 4, "no promise is shared: each cold caller asks the issuer");
    assert.equal(new Set(tokens.map((t) => t.token)).size, 4);
    const cached = await id.token("sts.amazonaws.com");
    assert.ok(tokens.includes(cached));
    assert.equal(issuer.calls.length, 4);

    clock.advance(250);
    issuer.gate = new Promise((resolve) => (release = resolve));
    const renewing = id.token("sts.amazonaws.com");
    const others = await within(1_000, Promise.all(Array.from({ length: 7 }, () => id.token("sts.amazonaws.com"))));
    assert.ok(
      others.every((t) => t === cached),
      "the renewal is under way: the others get the current token without waiting for it",
    );
    assert.equal(issuer.calls.length, 5);
    release();
    const renewed = await renewing;
    assert.notEqual(renewed, cached);
    assert.equal(await id.token("sts.amazonaws.com"), renewed);
    assert.equal(issuer.calls.length, 5);
  });

  it("a renewal that never ends counts as abandoned after the timeout; an expired token is never handed out", async () => {
    const id = identity(issuer, { now: clock.now, timeoutSeconds: 10 });
    const first = await id.token("a");
    clock.advance(250);
    issuer.gate = new Promise(() => {});
    void id.token("a");
    clock.advance(9);
    assert.equal(await id.token("a"), first, "under way for 9 s: still the current token");
    assert.equal(issuer.calls.length, 2);
    clock.advance(1);
    issuer.gate = undefined;
    const renewed = await id.token("a");
    assert.notEqual(renewed, first, "under way for 10 s: abandoned, so this caller renews");
    assert.equal(issuer.calls.length, 3);

    clock.advance(renewed.expiresAt - clock.ms / 1_000 - 5);
    issuer.gate = new Promise(() => {});
    void id.token("a");
    assert.equal(await id.token("a"), renewed);
    clock.advance(5);
    issuer.gate = undefined;
    const own = await id.token("a");
    assert.notEqual(own, renewed, "a renewal is under way, but the token has expired: the caller gets its own");
    assert.equal(issuer.calls.length, 5);
  });

  it("a refusal becomes IssuerRefusalError with the issuer's code, and is not cached", async () => {
    issuer.refusal = "[ERR_AUDIENCE_NOT_ALLOWED] workload 'billing' may not request tokens for audience \"x\"";
    const id = identity(issuer, { now: clock.now });
    const error = await id.token("x").then(
      () => assert.fail("expected a refusal"),
      (e: unknown) => e,
    );
    assert.ok(error instanceof IssuerRefusalError, String(error));
    assert.deepEqual(
      [error.code, error.issuerCode, error.service, error.retryable],
      ["ERR_ISSUER_REFUSED", "ERR_AUDIENCE_NOT_ALLOWED", "issuer", false],
    );
    assert.match(error.message, /^the issuer refused a token for "x": workload 'billing' may not/);
    issuer.refusal = "Error: [ERR_KEY_STORE_UNAVAILABLE] the key store did not answer";
    await assert.rejects(
      id.token("x"),
      (e: unknown) => e instanceof IssuerRefusalError && e.issuerCode === "ERR_KEY_STORE_UNAVAILABLE" && e.retryable,
    );
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
    await assert.rejects(
      identity(broken).token("a"),
      (e: unknown) => e instanceof IssuerUnavailableError && e.retryable && /Network connection lost/.test(e.message),
    );
    const odd = { token: async () => ({ jwt: "a.b.c" }) } as unknown as IssuerBinding;
    await assert.rejects(
      identity(odd).token("a"),
      (e: unknown) => e instanceof MalformedResponseError && e.service === "issuer",
    );
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
    assert.throws(
      () => identity(issuer, { timeoutSeconds: 0, fetch: "no" as never }),
      /fetch must be a function[\s\S]*timeoutSeconds must be/,
    );
  });
});

describe("renewal decisions", () => {
  const current: Expiring<string> = { value: "v", expiresAtMs: 100_000, renewAtMs: 70_000 };
  const idle = { current, failedAtMs: undefined, renewing: undefined };

  it("uses a value before its renewal time and loads from then on, or when there is none", () => {
    assert.equal(decide({ ...idle, current: undefined }, 0), "load");
    assert.equal(decide(idle, 69_999), "use");
    assert.equal(decide(idle, 70_000), "load");
    assert.equal(decide(idle, 100_000), "load");
  });

  it("after a failed renewal, uses the value during the pause while it has enough life left", () => {
    assert.equal(decide({ ...idle, failedAtMs: 65_000 }, 65_000 + RETRY_AFTER_FAILURE_MS - 1), "use");
    assert.equal(decide({ ...idle, failedAtMs: 65_000 }, 65_000 + RETRY_AFTER_FAILURE_MS), "load");
    const late = 100_000 - MIN_REMAINING_ON_FAILURE_MS;
    assert.equal(decide({ ...idle, failedAtMs: late - 1 }, late), "load", "too close to expiry to stand in");
  });

  it("while another caller renews, uses the value until it expires or the renewal times out", () => {
    const renewing = { ...idle, renewing: { sinceMs: 80_000, timeoutMs: 10_000 } };
    assert.equal(decide(renewing, 89_999), "use");
    assert.equal(decide(renewing, 90_000), "load", "the renewal is presumed abandoned");
    const late = { ...idle, renewing: { sinceMs: 95_000, timeoutMs: 10_000 } };
    assert.equal(decide(late, 99_999), "use", "unexpired, even with less than 30 s left");
    assert.equal(decide(late, 100_000), "load", "expired: never handed out");
    assert.equal(decide({ ...late, current: undefined }, 96_000), "load", "no value: each caller loads its own");
    assert.equal(decide(late, 94_000), "load", "a mark dated after now (the clock stepped back) is not trusted");
  });

  it("renews a margin before expiry, but never before half the remaining life", () => {
    assert.equal(renewalTime(0, 3_600_000, 300_000), 3_300_000);
    assert.equal(renewalTime(0, 60_000, 300_000), 30_000);
    assert.equal(renewalTime(50_000, 40_000, 300_000), 40_000, "an already expired value is due at once");
  });
});
