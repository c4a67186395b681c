// The rotation timeline, one decision at a time: each case starts from a happy-path state and
// changes one thing. Expected instants come from timeline-expectations.ts, never from the module.
// Here the policy and the scheduled rotation; emergency rotation and revocation in
// timeline-operator-steps.test.ts; alarms and the bound on published keys in timeline-bounds.test.ts.

import assert from "node:assert/strict";
import {
  activeKey,
  EDGE_CACHE_MS,
  jwksMaxAgeSeconds,
  KV_PROPAGATION_MS,
  MAX_PUBLISHED_KEYS,
  nextKey,
  revokeSteps,
  rotationPolicy,
  SIGNING_KEY_CACHE_MS,
  scheduledSteps,
} from "../../worker/keys/timeline.js";
import {
  ACTIVE,
  DELAY_MS,
  ES256_POLICY,
  HALF_PERIOD_MS,
  NEXT,
  PERIOD_MS,
  POLICY,
  RETENTION_MS,
  RETIRED,
} from "./timeline-expectations.js";
import {
  applyAll,
  DAY_MS,
  HOUR_MS,
  issuerSettings,
  KidSource,
  kidsOf,
  runDue,
  stateOf,
  T0,
} from "./timeline-fixtures.js";

describe("rotationPolicy", () => {
  it("caps the JWKS max-age at an hour, and at 1/48 of a short period", () => {
    assert.equal(jwksMaxAgeSeconds(1), 86_400 / 48);
    assert.equal(jwksMaxAgeSeconds(7), 3_600);
    assert.equal(jwksMaxAgeSeconds(30), 3_600);
    assert.equal(POLICY.jwksMaxAgeSeconds, 3_600);
  });

  it("publishes a key for the whole publication chain before it signs, and keeps it for its longest token", () => {
    assert.equal(POLICY.rotationPeriodMs, PERIOD_MS);
    assert.equal(POLICY.publicationDelayMs, DELAY_MS);
    assert.equal(POLICY.retentionMs, RETENTION_MS);
    const skewed = rotationPolicy(issuerSettings({ clockSkewSeconds: 300, maxTokenLifetimeSeconds: 43_200 }));
    assert.equal(skewed.publicationDelayMs, DELAY_MS + 240_000);
    assert.equal(skewed.retentionMs, SIGNING_KEY_CACHE_MS + 43_200_000 + 300_000);
  });

  it("has the README's numbers: 60 s KV, 60 s edge cache, 30 s key cache, a 63 min delay and 61.5 min retention by default, 6 keys", () => {
    // Literals, not the constants above: those come from the code under test and follow it.
    assert.equal(KV_PROPAGATION_MS, 60_000);
    assert.equal(EDGE_CACHE_MS, 60_000);
    assert.equal(SIGNING_KEY_CACHE_MS, 30_000);
    assert.equal(POLICY.publicationDelayMs, 63 * 60_000);
    assert.equal(POLICY.retentionMs, 3_690_000);
    assert.equal(MAX_PUBLISHED_KEYS, 6);
  });
});

describe("scheduledSteps: the scheduled rotation", () => {
  it("bootstraps an active key of the configured algorithm when there is none", () => {
    const steps = scheduledSteps([], ES256_POLICY, T0);
    assert.deepEqual(
      steps.map((s) => [s.kind, s.kind === "create" ? s.state : "", s.kind === "create" ? s.alg : ""]),
      [["create", "active", "ES256"]],
    );
    const { keys } = runDue([], ES256_POLICY, T0, new KidSource());
    assert.equal(keys.length, 1);
    assert.deepEqual(keys[0], {
      kid: "k1",
      alg: "ES256",
      state: "active",
      createdAt: T0,
      publishedAt: T0,
      activatedAt: T0,
      retiredAt: null,
    });
  });

  it("does nothing before half the period, counted from the activation rather than the creation", () => {
    for (const now of [T0, T0 + 1, T0 + HALF_PERIOD_MS - 1]) {
      assert.deepEqual(scheduledSteps([ACTIVE], POLICY, now), [], `at T0 + ${now - T0} ms`);
    }
  });

  it("prepares the next key at exactly half the period", () => {
    const steps = scheduledSteps([ACTIVE], POLICY, T0 + HALF_PERIOD_MS);
    assert.equal(steps.length, 1);
    assert.deepEqual(
      [steps[0]?.kind, steps[0]?.kind === "create" && steps[0].state, steps[0]?.kind === "create" && steps[0].alg],
      ["create", "next", "RS256"],
    );
    const { keys } = runDue([ACTIVE], POLICY, T0 + HALF_PERIOD_MS, new KidSource());
    assert.equal(stateOf(keys, "a"), "active", "preparing must not retire the active key");
    assert.equal(nextKey(keys)?.publishedAt, T0 + HALF_PERIOD_MS);
  });

  it("activates the prepared key at exactly the end of the period, and retires the old one", () => {
    assert.deepEqual(scheduledSteps([ACTIVE, NEXT], POLICY, T0 + PERIOD_MS - 1), []);
    const steps = scheduledSteps([ACTIVE, NEXT], POLICY, T0 + PERIOD_MS);
    assert.deepEqual(
      steps.map((s) => [s.kind, s.kind === "activate" ? s.kid : ""]),
      [["activate", "n"]],
    );
    const keys = applyAll([ACTIVE, NEXT], steps, T0 + PERIOD_MS, new KidSource());
    assert.deepEqual(
      keys.find((k) => k.kid === "n"),
      { ...NEXT, state: "active", activatedAt: T0 + PERIOD_MS },
    );
    assert.deepEqual(
      keys.find((k) => k.kid === "a"),
      { ...ACTIVE, state: "retired", retiredAt: T0 + PERIOD_MS },
    );
  });

  it("waits for the publication delay when the next key was published late by a revocation", () => {
    const revokedAt = T0 + PERIOD_MS - HOUR_MS;
    const kids = new KidSource();
    const afterRevoke = applyAll([ACTIVE, NEXT], revokeSteps([ACTIVE, NEXT], "n", POLICY), revokedAt, kids);
    const { keys } = runDue(afterRevoke, POLICY, revokedAt, kids);
    const fresh = nextKey(keys);
    assert.ok(fresh && fresh.kid !== "n", "a fresh next key is prepared at once");
    assert.ok(revokedAt + DELAY_MS > T0 + PERIOD_MS, "the case needs the delay to outlast the period");
    assert.deepEqual(scheduledSteps(keys, POLICY, T0 + PERIOD_MS), [], "the period is over but the key is too new");
    assert.deepEqual(scheduledSteps(keys, POLICY, revokedAt + DELAY_MS - 1), []);
    assert.deepEqual(
      scheduledSteps(keys, POLICY, revokedAt + DELAY_MS).map((s) => [s.kind, s.kind === "activate" ? s.kid : ""]),
      [["activate", fresh.kid]],
    );
  });

  it("waits for the publication delay when the store was down through the whole period", () => {
    const wake = T0 + PERIOD_MS + 2 * DAY_MS;
    const { keys, steps } = runDue([ACTIVE], POLICY, wake, new KidSource());
    assert.deepEqual(
      steps.map((s) => s.kind),
      ["create"],
      "only the next key, nothing activated yet",
    );
    assert.equal(activeKey(keys)?.kid, "a");
    const fresh = nextKey(keys);
    assert.ok(fresh);
    assert.deepEqual(scheduledSteps(keys, POLICY, wake + DELAY_MS - 1), []);
    assert.deepEqual(
      scheduledSteps(keys, POLICY, wake + DELAY_MS).map((s) => [s.kind, s.kind === "activate" ? s.kid : ""]),
      [["activate", fresh.kid]],
    );
  });

  it("unpublishes a retired key at exactly retirement plus retention", () => {
    const keys = [RETIRED, ACTIVE];
    assert.deepEqual(scheduledSteps(keys, POLICY, T0 + RETENTION_MS - 1), []);
    const steps = scheduledSteps(keys, POLICY, T0 + RETENTION_MS);
    assert.deepEqual(
      steps.map((s) => [s.kind, s.kind === "unpublish" ? s.kid : ""]),
      [["unpublish", "r"]],
    );
    assert.deepEqual(kidsOf(applyAll(keys, steps, T0 + RETENTION_MS, new KidSource())), ["a"]);
  });

  it("prepares a key of a newly configured algorithm at once and activates it after the publication delay", () => {
    const changedAt = T0 + DAY_MS;
    const { keys, steps } = runDue([ACTIVE], ES256_POLICY, changedAt, new KidSource());
    assert.deepEqual(
      steps.map((s) => [s.kind, s.kind === "create" ? `${s.state}/${s.alg}` : ""]),
      [["create", "next/ES256"]],
    );
    const fresh = nextKey(keys);
    assert.ok(fresh);
    assert.deepEqual(scheduledSteps(keys, ES256_POLICY, changedAt + DELAY_MS - 1), []);
    const activation = scheduledSteps(keys, ES256_POLICY, changedAt + DELAY_MS);
    assert.deepEqual(
      activation.map((s) => [s.kind, s.kind === "activate" ? s.kid : ""]),
      [["activate", fresh.kid]],
    );
    assert.ok(changedAt + DELAY_MS < T0 + PERIOD_MS, "without waiting for the period");
  });

  it("drops a prepared key of the old algorithm and prepares one of the new", () => {
    const now = T0 + HALF_PERIOD_MS + HOUR_MS;
    const steps = scheduledSteps([ACTIVE, NEXT], ES256_POLICY, now);
    assert.deepEqual(
      steps.map((s) => [s.kind, s.kind === "unpublish" ? s.kid : ""]),
      [["unpublish", "n"]],
    );
    const { keys } = runDue([ACTIVE, NEXT], ES256_POLICY, now, new KidSource());
    assert.equal(stateOf(keys, "n"), undefined);
    assert.equal(nextKey(keys)?.alg, "ES256");
    assert.equal(activeKey(keys)?.kid, "a");
  });

  it("on a safe rotation request prepares a key at once and activates it only after the publication delay", () => {
    const askedAt = T0 + DAY_MS;
    const early = { rotateEarly: true };
    const { keys } = runDue([ACTIVE], POLICY, askedAt, new KidSource(), early);
    const fresh = nextKey(keys);
    assert.ok(fresh);
    assert.deepEqual(scheduledSteps(keys, POLICY, askedAt + DELAY_MS - 1, early), []);
    assert.deepEqual(
      scheduledSteps(keys, POLICY, askedAt + DELAY_MS, early).map((s) => s.kind),
      ["activate"],
    );
  });
});
