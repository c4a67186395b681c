// The rotation timeline's bounds: when the alarm wakes (never later than a step falls due, within
// MIN/MAX_ALARM_INTERVAL_MS), and the bound on published keys through bursts of emergency rotations.

import assert from "node:assert/strict";
import {
  emergencySteps,
  type KeyMeta,
  MAX_ALARM_INTERVAL_MS,
  MAX_PUBLISHED_KEYS,
  MIN_ALARM_INTERVAL_MS,
  nextCheckAt,
  rotationPolicy,
  scheduledSteps,
} from "../../worker/keys/timeline.js";
import {
  ACTIVE,
  applyAll,
  DAY_MS,
  DELAY_MS,
  ES256_POLICY,
  HALF_PERIOD_MS,
  HOUR_MS,
  issuerSettings,
  KidSource,
  keyMeta,
  mulberry32,
  NEXT,
  PERIOD_MS,
  POLICY,
  RETENTION_MS,
  RETIRED,
  runDue,
  T0,
} from "./timeline-expectations.js";

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
