// The rotation timeline, one decision at a time: each case starts from a happy-path state and
// changes one thing. Expected instants come from the settings below, never from the module.

import assert from "node:assert/strict";
import {
  activeKey,
  applyStep,
  EDGE_CACHE_MS,
  emergencySteps,
  jwksMaxAgeSeconds,
  type KeyMeta,
  KV_PROPAGATION_MS,
  MAX_ALARM_INTERVAL_MS,
  MAX_PUBLISHED_KEYS,
  MIN_ALARM_INTERVAL_MS,
  nextCheckAt,
  nextKey,
  revokeSteps,
  rotationPolicy,
  SIGNING_KEY_CACHE_MS,
  scheduledSteps,
  TimelineError,
} from "../../worker/keys/timeline.js";
import {
  applyAll,
  DAY_MS,
  HOUR_MS,
  issuerSettings,
  KidSource,
  keyMeta,
  kidsOf,
  mulberry32,
  runDue,
  stateOf,
  T0,
} from "./timeline-fixtures.js";

// 30-day period, RS256, tokens of at most 1 h, 60 s of skew.
const SETTINGS = issuerSettings();
const POLICY = rotationPolicy(SETTINGS);
const ES256_POLICY = rotationPolicy(issuerSettings({ signingAlgorithm: "ES256" }));
const PERIOD_MS = 30 * DAY_MS;
const HALF_PERIOD_MS = (30 * DAY_MS) / 2;
const SKEW_MS = 60_000;
/** min(1 h, 30 days / 48). */
const MAX_AGE_MS = 3_600_000;
/** KV propagation, then the edge cache, then the relying party's max-age, then its clock. */
const DELAY_MS = KV_PROPAGATION_MS + EDGE_CACHE_MS + MAX_AGE_MS + SKEW_MS;
/** The isolate's cached key, then the longest token, then the verifier's skew. */
const RETENTION_MS = SIGNING_KEY_CACHE_MS + 3_600_000 + SKEW_MS;

/** The steady state: key "a" became active at T0 (it was prepared 15 days earlier). */
const ACTIVE = keyMeta("a", "active", "RS256", { createdAt: T0 - 15 * DAY_MS, activatedAt: T0 });
/** Key "n", prepared at half the period. */
const NEXT = keyMeta("n", "next", "RS256", { createdAt: T0 + HALF_PERIOD_MS });
/** Key "r", retired when "a" took over. */
const RETIRED = keyMeta("r", "retired", "RS256", {
  createdAt: T0 - 45 * DAY_MS,
  activatedAt: T0 - 30 * DAY_MS,
  retiredAt: T0,
});

function retiredKeys(count: number, retiredAt: number): KeyMeta[] {
  return Array.from({ length: count }, (_, i) =>
    keyMeta(`r${i}`, "retired", "RS256", { createdAt: retiredAt - DAY_MS, activatedAt: retiredAt - DAY_MS, retiredAt }),
  );
}

function timelineError(code: TimelineError["code"]): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof TimelineError, String(error));
    assert.equal(error.code, code);
    return true;
  };
}

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

describe("emergencySteps", () => {
  const NOW = T0 + 20 * DAY_MS;

  it("activates a prepared next key at once; the old key stays published, retired", () => {
    const steps = emergencySteps([ACTIVE, NEXT], POLICY);
    assert.deepEqual(
      steps.map((s) => [s.kind, s.kind === "activate" ? s.kid : ""]),
      [["activate", "n"]],
    );
    const keys = applyAll([ACTIVE, NEXT], steps, NOW, new KidSource());
    assert.equal(stateOf(keys, "n"), "active");
    assert.deepEqual(
      keys.find((k) => k.kid === "a"),
      { ...ACTIVE, state: "retired", retiredAt: NOW },
    );
  });

  it("creates a fresh active key when none is prepared", () => {
    const steps = emergencySteps([ACTIVE], POLICY);
    assert.deepEqual(
      steps.map((s) => [s.kind, s.kind === "create" ? `${s.state}/${s.alg}` : ""]),
      [["create", "active/RS256"]],
    );
    const keys = applyAll([ACTIVE], steps, NOW, new KidSource());
    assert.equal(activeKey(keys)?.kid, "k1");
    assert.equal(activeKey(keys)?.activatedAt, NOW);
    assert.equal(stateOf(keys, "a"), "retired");
  });

  it("does not activate a prepared key of the old algorithm", () => {
    const steps = emergencySteps([ACTIVE, NEXT], ES256_POLICY);
    assert.deepEqual(
      steps.map((s) => [s.kind, s.kind === "create" ? `${s.state}/${s.alg}` : s.kid]),
      [
        ["unpublish", "n"],
        ["create", "active/ES256"],
      ],
    );
  });

  it(`refuses with ERR_TOO_MANY_KEYS past ${MAX_PUBLISHED_KEYS} published keys`, () => {
    const full = [ACTIVE, ...retiredKeys(MAX_PUBLISHED_KEYS - 1, NOW - HOUR_MS)];
    assert.throws(() => emergencySteps(full, POLICY), timelineError("ERR_TOO_MANY_KEYS"));
    const room = [ACTIVE, ...retiredKeys(MAX_PUBLISHED_KEYS - 2, NOW - HOUR_MS)];
    assert.equal(applyAll(room, emergencySteps(room, POLICY), NOW, new KidSource()).length, MAX_PUBLISHED_KEYS);
  });
});

describe("revokeSteps", () => {
  const NOW = T0 + 20 * DAY_MS;
  const ALL = [RETIRED, ACTIVE, NEXT];

  it("withdraws a next key and nothing else", () => {
    const keys = applyAll(ALL, revokeSteps(ALL, "n", POLICY), NOW, new KidSource());
    assert.deepEqual(kidsOf(keys), ["a", "r"]);
    assert.equal(activeKey(keys)?.kid, "a");
  });

  it("withdraws a retired key and nothing else", () => {
    const keys = applyAll(ALL, revokeSteps(ALL, "r", POLICY), NOW, new KidSource());
    assert.deepEqual(kidsOf(keys), ["a", "n"]);
  });

  it("withdraws the active key and promotes the next one at once", () => {
    const keys = applyAll(ALL, revokeSteps(ALL, "a", POLICY), NOW, new KidSource());
    assert.deepEqual(kidsOf(keys), ["n", "r"]);
    assert.equal(activeKey(keys)?.kid, "n");
    assert.equal(activeKey(keys)?.activatedAt, NOW);
  });

  it("withdraws the active key and creates a new one when there is no next key", () => {
    const keys = applyAll([RETIRED, ACTIVE], revokeSteps([RETIRED, ACTIVE], "a", POLICY), NOW, new KidSource());
    assert.deepEqual(kidsOf(keys), ["k1", "r"]);
    assert.equal(activeKey(keys)?.kid, "k1");
  });

  it("creates a new active key rather than promote a next key of the old algorithm", () => {
    const keys = applyAll(ALL, revokeSteps(ALL, "a", ES256_POLICY), NOW, new KidSource());
    assert.equal(activeKey(keys)?.kid, "k1");
    assert.equal(activeKey(keys)?.alg, "ES256");
  });

  it("refuses an unknown kid with ERR_UNKNOWN_KEY", () => {
    assert.throws(() => revokeSteps(ALL, "nope", POLICY), timelineError("ERR_UNKNOWN_KEY"));
  });
});

describe("applyStep", () => {
  const create = { kind: "create", state: "next", alg: "RS256", reason: "test" } as const;

  it("refuses a create step without a generated key, or with one of another algorithm", () => {
    assert.throws(() => applyStep([ACTIVE], create, T0), timelineError("ERR_INVALID_STEP"));
    assert.throws(() => applyStep([ACTIVE], create, T0, { kid: "x", alg: "ES256" }), timelineError("ERR_INVALID_STEP"));
  });

  it("refuses to activate or unpublish a key it does not hold", () => {
    assert.throws(
      () => applyStep([ACTIVE], { kind: "activate", kid: "x", reason: "test" }, T0),
      timelineError("ERR_UNKNOWN_KEY"),
    );
    assert.throws(
      () => applyStep([ACTIVE], { kind: "unpublish", kid: "x", reason: "test" }, T0),
      timelineError("ERR_UNKNOWN_KEY"),
    );
  });
});

describe("nextCheckAt", () => {
  it("wakes at the next due instant when it is within the bounds", () => {
    assert.equal(nextCheckAt([ACTIVE], POLICY, T0 + HALF_PERIOD_MS - HOUR_MS), T0 + HALF_PERIOD_MS);
    assert.equal(nextCheckAt([ACTIVE, NEXT], POLICY, T0 + PERIOD_MS - HOUR_MS), T0 + PERIOD_MS);
    assert.equal(nextCheckAt([RETIRED, ACTIVE], POLICY, T0 + HOUR_MS), T0 + RETENTION_MS);
    const late = keyMeta("late", "next", "RS256", { createdAt: T0 + PERIOD_MS - HOUR_MS });
    assert.equal(nextCheckAt([ACTIVE, late], POLICY, T0 + PERIOD_MS), T0 + PERIOD_MS - HOUR_MS + DELAY_MS);
  });

  it(`never sleeps longer than ${MAX_ALARM_INTERVAL_MS} ms`, () => {
    assert.equal(nextCheckAt([ACTIVE], POLICY, T0 + 1), T0 + 1 + MAX_ALARM_INTERVAL_MS);
  });

  it(`never wakes sooner than ${MIN_ALARM_INTERVAL_MS} ms`, () => {
    const now = T0 + RETENTION_MS - 10;
    assert.deepEqual(scheduledSteps([RETIRED, ACTIVE], POLICY, now), []);
    assert.equal(nextCheckAt([RETIRED, ACTIVE], POLICY, now), now + MIN_ALARM_INTERVAL_MS);
  });

  it("over random settled states: stays within the bounds, and nothing falls due before it", () => {
    const random = mulberry32(0x5eed);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    for (let i = 0; i < 2_000; i++) {
      const policy = rotationPolicy(
        issuerSettings({
          signingAlgorithm: pick(["RS256", "ES256"] as const),
          rotationPeriodDays: pick([1, 7, 30]),
          maxTokenLifetimeSeconds: pick([300, 3_600, 43_200]),
          clockSkewSeconds: pick([0, 60, 300]),
        }),
      );
      const now = T0 + Math.floor(random() * 60 * DAY_MS);
      const span = policy.rotationPeriodMs * 2;
      const keys: KeyMeta[] = [
        keyMeta("a", "active", pick(["RS256", "ES256"] as const), {
          createdAt: now - span,
          activatedAt: now - Math.floor(random() * span),
        }),
      ];
      if (random() < 0.5)
        keys.push(
          keyMeta("n", "next", pick(["RS256", "ES256"] as const), { createdAt: now - Math.floor(random() * span) }),
        );
      for (let r = Math.floor(random() * 3); r > 0; r--) {
        const retiredAt = now - Math.floor(random() * 2 * policy.retentionMs);
        keys.push(
          keyMeta(`r${r}`, "retired", "RS256", {
            createdAt: retiredAt - span,
            activatedAt: retiredAt - span,
            retiredAt,
          }),
        );
      }
      const options = { rotateEarly: random() < 0.2 };
      const settled = runDue(keys, policy, now, new KidSource(), options).keys;
      const at = nextCheckAt(settled, policy, now, options);
      const where = `case ${i}: ${JSON.stringify({ settled, now, options })}`;
      assert.ok(at >= now + MIN_ALARM_INTERVAL_MS && at <= now + MAX_ALARM_INTERVAL_MS, where);
      if (at > now + MIN_ALARM_INTERVAL_MS) {
        assert.deepEqual(
          scheduledSteps(settled, policy, at - 1, options),
          [],
          `a step fell due before the alarm; ${where}`,
        );
      }
      if (at > now + MIN_ALARM_INTERVAL_MS && at < now + MAX_ALARM_INTERVAL_MS) {
        assert.notDeepEqual(scheduledSteps(settled, policy, at, options), [], `the alarm woke for nothing; ${where}`);
      }
    }
  });
});

describe("the bound on published keys", () => {
  /** Bootstraps at T0, then five emergency rotations an hour later: six keys, all allowed. */
  function afterBurst(policy: ReturnType<typeof rotationPolicy>, kids: KidSource): KeyMeta[] {
    let keys = runDue([], policy, T0, kids).keys;
    for (let i = 0; i < MAX_PUBLISHED_KEYS - 1; i++) {
      keys = applyAll(keys, emergencySteps(keys, policy), T0 + HOUR_MS, kids);
      keys = runDue(keys, policy, T0 + HOUR_MS, kids).keys;
    }
    assert.equal(keys.length, MAX_PUBLISHED_KEYS);
    return keys;
  }

  it("holds through the scheduled timeline after a burst of emergency rotations", () => {
    // A 1-day period with 12 h tokens: the retired keys outlive half the period by 30 s.
    const policy = rotationPolicy(
      issuerSettings({ rotationPeriodDays: 1, maxTokenLifetimeSeconds: 43_200, clockSkewSeconds: 0 }),
    );
    const kids = new KidSource();
    let keys = afterBurst(policy, kids);
    let now = T0 + HOUR_MS;
    while (now < T0 + 3 * DAY_MS) {
      now = nextCheckAt(keys, policy, now);
      keys = runDue(keys, policy, now, kids).keys;
      assert.ok(
        keys.length <= MAX_PUBLISHED_KEYS,
        `${keys.length} keys published at T0 + ${now - T0} ms: ${JSON.stringify(keys)}`,
      );
    }
  });

  it("holds when a safe rotation or an algorithm change follows a burst of emergency rotations", () => {
    const overflows: string[] = [];
    for (const [label, policy, options] of [
      ["safe rotation", POLICY, { rotateEarly: true }],
      ["algorithm change", ES256_POLICY, {}],
    ] as const) {
      const kids = new KidSource();
      const keys = runDue(afterBurst(POLICY, kids), policy, T0 + 2 * HOUR_MS, kids, options).keys;
      if (keys.length > MAX_PUBLISHED_KEYS)
        overflows.push(`${label}: ${keys.length} keys published: ${JSON.stringify(keys)}`);
    }
    assert.deepEqual(overflows, []);
  });
});
