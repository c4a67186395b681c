// Rotation timeline edge cases: a JWKS full of retired keys, a stale next key with no active
// key, and a next key that never reached KV. Expected instants come from the settings, never from the module.

import assert from "node:assert/strict";
import {
  applyStep,
  type KeyMeta,
  MAX_PUBLISHED_KEYS,
  nextCheckAt,
  published,
  rotationPolicy,
  scheduledSteps,
} from "../../worker/keys/timeline.js";
import { HOUR_MS, issuerSettings, T0 } from "./timeline-fixtures.js";

describe("the alarm while the JWKS is full", () => {
  it("sleeps until a retired key leaves instead of waking every second", () => {
    // 1-day period: the next key is due 12 h after activation. 12 h tokens: a retired key stays
    // 30 s + 43,200 s + 60 s = 43,290 s, longer than that.
    const policy = rotationPolicy(issuerSettings({ rotationPeriodDays: 1, maxTokenLifetimeSeconds: 43_200 }));
    const retiredAt = T0 + HOUR_MS;
    const keys: KeyMeta[] = Array.from({ length: MAX_PUBLISHED_KEYS }, (_, i) => {
      const active = i === MAX_PUBLISHED_KEYS - 1;
      return {
        kid: `k${i}`,
        alg: "RS256" as const,
        state: active ? ("active" as const) : ("retired" as const),
        createdAt: T0,
        publishedAt: T0,
        activatedAt: active ? retiredAt : T0,
        retiredAt: active ? null : retiredAt,
      };
    });
    const now = retiredAt + 12 * HOUR_MS + 60_000;
    assert.deepEqual(scheduledSteps(keys, policy, now), [], "no next key while the JWKS is full");
    assert.equal(nextCheckAt(keys, policy, now), retiredAt + 43_290_000);
  });
});

describe("no active key and a next key of the old algorithm", () => {
  it("drops the stale next key and creates an active key of the configured algorithm", () => {
    const policy = rotationPolicy(issuerSettings({ signingAlgorithm: "ES256" }));
    const staleNext: KeyMeta = {
      kid: "old-next",
      alg: "RS256",
      state: "next",
      createdAt: T0,
      publishedAt: T0,
      activatedAt: null,
      retiredAt: null,
    };
    const steps = scheduledSteps([staleNext], policy, T0 + HOUR_MS);
    assert.deepEqual(
      steps.map((s) => [s.kind, "kid" in s ? s.kid : s.kind === "create" ? `${s.state}:${s.alg}` : ""]),
      [
        ["unpublish", "old-next"],
        ["create", "active:ES256"],
      ],
    );
  });
});

describe("a next key whose JWKS never reached KV", () => {
  const policy = rotationPolicy(issuerSettings({ rotationPeriodDays: 30 }));
  const active: KeyMeta = {
    kid: "a",
    alg: "RS256",
    state: "active",
    createdAt: T0,
    publishedAt: T0,
    activatedAt: T0,
    retiredAt: null,
  };
  const created = T0 + 15 * 24 * HOUR_MS;
  const keys = applyStep([active], { kind: "create", state: "next", alg: "RS256", reason: "test" }, created, {
    kid: "n",
    alg: "RS256",
  });

  it("is created unpublished", () => {
    assert.equal(keys.find((k) => k.kid === "n")?.publishedAt, null);
  });

  it("is never activated on schedule, however late, until it is published", () => {
    const late = T0 + 365 * 24 * HOUR_MS;
    assert.deepEqual(scheduledSteps(keys, policy, late), []);
    const publishedAt = late - policy.publicationDelayMs;
    assert.deepEqual(
      scheduledSteps(published(keys, publishedAt), policy, late).map((s) => [s.kind, "kid" in s ? s.kid : ""]),
      [["activate", "n"]],
    );
  });

  it("sets no alarm for its activation until it is published, then one a publication delay later", () => {
    const now = T0 + 30 * 24 * HOUR_MS;
    assert.ok(nextCheckAt(keys, policy, now) > now + policy.publicationDelayMs, "woke for an unpublished key");
    assert.equal(nextCheckAt(published(keys, now), policy, now), now + policy.publicationDelayMs);
  });
});
