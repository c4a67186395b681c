// 200 days of the rotation timeline against a model of its surroundings (timeline-model.ts):
// the key store woken by its alarm and at random instants, relying parties holding stale JWKS
// copies, issuer isolates signing with a cached key. The clock jumps from event to event.
//
// For every token: (a) its kid is in the current JWKS from iat until exp + skew, and (b) for a
// scheduled rotation, every JWKS copy a relying party can still hold at iat already has the kid.

import assert from "node:assert/strict";
import type { SigningAlgorithm } from "../../worker/config/types.js";
import { TooManyKeysError, UnknownKeyError } from "../../worker/errors.js";
import {
  activeKey,
  EDGE_CACHE_MS,
  emergencySteps,
  jwksMaxAgeSeconds,
  KV_PROPAGATION_MS,
  MAX_PUBLISHED_KEYS,
  MIN_ALARM_INTERVAL_MS,
  nextKey,
  revokeSteps,
  rotationPolicy,
  SIGNING_KEY_CACHE_MS,
} from "../../worker/keys/timeline.js";
import { DAY_MS, HOUR_MS, issuerSettings, MINUTE_MS, mulberry32, T0 } from "./timeline-fixtures.js";
import { KeyStoreModel, publishedThroughout, removals, signWithCachedKey, type Token } from "./timeline-model.js";

const SIMULATED_DAYS = 200;
/** Isolates sign until END; the store runs one more day, past every token's verification window. */
const END = T0 + SIMULATED_DAYS * DAY_MS;
const STORE_END = END + DAY_MS;

const PERIODS = [1, 7, 30] as const;
const LIFETIMES = [300, 3_600, 43_200] as const;
const SKEWS = [0, 60, 300] as const;
const ALGORITHMS = ["RS256", "ES256"] as const;

interface Combo {
  readonly periodDays: number;
  readonly maxLifetimeSeconds: number;
  readonly skewSeconds: number;
  readonly alg: SigningAlgorithm;
}

type EventKind = "fetch" | "wake" | "emergency" | "revoke" | "safe-rotation" | "algorithm-change";

interface Outage {
  readonly from: number;
  readonly to: number;
}

interface Run {
  readonly store: KeyStoreModel;
  readonly tokens: Token[];
  readonly emergencies: { readonly at: number; readonly oldKid: string }[];
  readonly outages: readonly Outage[];
  revocations: number;
  refusals: number;
}

function describeCombo(c: Combo): string {
  return `${c.periodDays}-day period, ${c.maxLifetimeSeconds} s tokens, ${c.skewSeconds} s skew, ${c.alg}`;
}

function simulate(combo: Combo, chaos: boolean, seed: number): Run {
  const random = mulberry32(seed);
  const uniform = (min: number, max: number): number => Math.floor(min + random() * (max - min));
  const settings = issuerSettings({
    signingAlgorithm: combo.alg,
    rotationPeriodDays: combo.periodDays,
    maxTokenLifetimeSeconds: combo.maxLifetimeSeconds,
    clockSkewSeconds: combo.skewSeconds,
  });
  const periodMs = combo.periodDays * DAY_MS;
  const delayMs =
    KV_PROPAGATION_MS + EDGE_CACHE_MS + jwksMaxAgeSeconds(combo.periodDays) * 1_000 + combo.skewSeconds * 1_000;

  const events: { at: number; kind: EventKind }[] = [];
  const every = (kind: EventKind, minGap: number, maxGap: number): void => {
    for (let at = T0 + uniform(minGap, maxGap); at < END; at += uniform(minGap, maxGap)) events.push({ at, kind });
  };
  every("fetch", 20 * MINUTE_MS, 240 * MINUTE_MS);
  every("wake", 1, 24 * HOUR_MS);
  const outages: Outage[] = [];
  if (chaos) {
    // Incidents: bursts of emergency rotations minutes apart, enough to hit the bound on keys,
    // often followed by a safe rotation while the retired keys are still published.
    for (let at = T0 + uniform(DAY_MS, 30 * DAY_MS); at < END; at += uniform(5 * DAY_MS, 40 * DAY_MS)) {
      let burst = at;
      for (let n = uniform(1, 8); n > 0; n--) {
        events.push({ at: burst, kind: "emergency" });
        burst += uniform(MINUTE_MS, 30 * MINUTE_MS);
      }
      if (random() < 0.5) events.push({ at: burst + uniform(MINUTE_MS, HOUR_MS), kind: "safe-rotation" });
    }
    every("revoke", 2 * DAY_MS, 20 * DAY_MS);
    every("safe-rotation", 10 * DAY_MS, 50 * DAY_MS);
    events.push({ at: T0 + uniform(40 * DAY_MS, 160 * DAY_MS), kind: "algorithm-change" });
    for (let from = T0 + uniform(15 * DAY_MS, 60 * DAY_MS); from < END; ) {
      const to = from + uniform(10 * MINUTE_MS, Math.min(1.5 * periodMs, 5 * DAY_MS));
      outages.push({ from, to });
      from = to + uniform(15 * DAY_MS, 60 * DAY_MS);
    }
  }
  events.sort((a, b) => a.at - b.at);
  const downUntil = (t: number): number | undefined => outages.find((o) => t >= o.from && t < o.to)?.to;
  const downtime = (from: number, to: number): number =>
    outages.reduce((sum, o) => sum + Math.max(0, Math.min(to, o.to) - Math.max(from, o.from)), 0);

  const store = new KeyStoreModel(rotationPolicy(settings));
  const run: Run = { store, tokens: [], emergencies: [], outages, revocations: 0, refusals: 0 };
  let last = T0;
  const fetch = (t: number): void => {
    if (t > END || downUntil(t) !== undefined) return;
    signWithCachedKey(run.tokens, store.signingKid(t), t, combo.maxLifetimeSeconds * 1_000, random);
  };
  /** An isolate that fetched the key just before the store changed anything signs its last token 1 ms before its copy expires. */
  const storeEvent = (t: number, change: () => void): void => {
    if (downUntil(t) !== undefined) return;
    if (t - 1 >= last) fetch(t - 1);
    change();
    fetch(t);
  };

  store.wake(T0);
  fetch(T0);
  for (let i = 0; ; ) {
    const event = events[i];
    const alarm = downUntil(store.alarmAt) ?? store.alarmAt;
    const t = Math.min(alarm, event?.at ?? Number.POSITIVE_INFINITY);
    if (t > STORE_END) break;
    if (!event || alarm <= event.at) {
      storeEvent(t, () => store.wake(t));
    } else {
      i += 1;
      if (event.kind === "fetch") fetch(t);
      else if (event.kind === "wake") storeEvent(t, () => store.wake(t));
      else if (event.kind === "emergency") storeEvent(t, () => emergency(run, t));
      else if (event.kind === "revoke") storeEvent(t, () => revoke(run, t, random));
      else if (event.kind === "safe-rotation") {
        storeEvent(t, () => {
          store.rotateEarly = true;
          store.wake(t);
        });
      } else {
        store.policy = rotationPolicy({ ...settings, signingAlgorithm: combo.alg === "RS256" ? "ES256" : "RS256" });
        storeEvent(t, () => store.wake(t));
      }
    }
    // Rotation happens: a key signs for one period, plus a publication delay for each next key
    // withdrawn under it, plus the time the store was down, plus the shortest alarm.
    const active = store.lives.get(activeKey(store.keys)?.kid ?? "");
    assert.ok(active?.activatedAt !== null && active !== undefined);
    const bound =
      periodMs + delayMs * (1 + active.nextKeysWithdrawn) + downtime(active.activatedAt, t) + MIN_ALARM_INTERVAL_MS;
    assert.ok(
      t - active.activatedAt <= bound,
      `${active.kid} still signs ${t - active.activatedAt} ms after activation (bound ${bound})`,
    );
    last = t;
  }
  return run;
}

function emergency(run: Run, t: number): void {
  const { store } = run;
  const before = store.keys;
  const oldKid = activeKey(before)?.kid as string;
  try {
    store.wake(t, emergencySteps);
    run.emergencies.push({ at: t, oldKid });
  } catch (error) {
    if (!(error instanceof TooManyKeysError)) throw error;
    const next = nextKey(before);
    assert.ok(!next || next.alg !== store.policy.algorithm, "refused although a prepared key could take over");
    assert.ok(
      before.length - (next ? 1 : 0) + 1 > MAX_PUBLISHED_KEYS,
      `refused with only ${before.length} keys published`,
    );
    assert.equal(store.keys, before, "a refused rotation changed the keys");
    run.refusals += 1;
  }
}

function revoke(run: Run, t: number, random: () => number): void {
  const { store } = run;
  if (random() < 0.1) {
    assert.throws(
      () => store.wake(t, (keys, policy) => revokeSteps(keys, "never-published", policy)),
      (e) => e instanceof UnknownKeyError,
    );
    return;
  }
  const target = store.keys[Math.floor(random() * store.keys.length)];
  assert.ok(target);
  store.wake(t, (keys, policy) => revokeSteps(keys, target.kid, policy));
  run.revocations += 1;
}

/** Every token against the recorded JWKS history; returns the violations (at most a few). */
function tokenViolations(combo: Combo, run: Run): string[] {
  const { history, lives } = run.store;
  const skewMs = combo.skewSeconds * 1_000;
  // A relying party's copy passed through KV, the edge cache, its own max-age and its clock skew.
  const staleMs = KV_PROPAGATION_MS + EDGE_CACHE_MS + jwksMaxAgeSeconds(combo.periodDays) * 1_000 + skewMs;
  const cacheMs = SIGNING_KEY_CACHE_MS;
  const violations: string[] = [];
  const fail = (message: string, token: Token): void => {
    if (violations.length < 5)
      violations.push(
        `${message}: ${JSON.stringify({ ...token, iat: token.iat - T0, exp: token.exp - T0 })} (T0-relative)`,
      );
  };
  for (const token of run.tokens) {
    const life = lives.get(token.kid);
    if (!life || life.activatedAt === null || token.iat < life.activatedAt) {
      fail("signed by a key that was not active", token);
      continue;
    }
    if (life.stoppedSigningAt !== null && token.iat >= life.stoppedSigningAt + cacheMs) {
      fail("signed after the isolate cache of a key that stopped signing", token);
    }
    if (life.revokedAt !== null && token.iat >= life.revokedAt) {
      if (token.iat >= life.revokedAt + cacheMs) fail("signed by a revoked key after the isolate cache", token);
      continue;
    }
    const verifiableUntil = Math.min(token.exp + skewMs, (life.revokedAt ?? Number.POSITIVE_INFINITY) - 1);
    if (!publishedThroughout(history, token.kid, token.iat, verifiableUntil)) {
      fail("(a) the kid left the JWKS before the token expired", token);
    }
    if (life.scheduled && !publishedThroughout(history, token.kid, token.iat - staleMs, token.iat)) {
      fail("(b) a relying party's JWKS copy lacked the kid at the first token of a scheduled rotation", token);
    }
  }
  const removedAt = removals(history);
  for (const life of lives.values()) {
    if (life.revokedAt !== null && removedAt.get(life.kid) !== life.revokedAt) {
      violations.push(
        `revoked ${life.kid} at ${life.revokedAt - T0} but it left the JWKS at ${(removedAt.get(life.kid) ?? NaN) - T0}`,
      );
    }
  }
  for (const { at, oldKid } of run.emergencies) {
    if (lives.get(oldKid)?.stoppedSigningAt !== at) violations.push(`emergency at ${at - T0}: ${oldKid} kept signing`);
    if (!publishedThroughout(history, oldKid, at, at) && lives.get(oldKid)?.revokedAt !== at) {
      violations.push(`emergency at ${at - T0}: ${oldKid} was unpublished at once`);
    }
  }
  return violations;
}

/** Runs one combination; a failure inside the run names it. */
function simulateCombo(combo: Combo, chaos: boolean): Run {
  try {
    return simulate(combo, chaos, seedOf(combo, chaos));
  } catch (error) {
    throw new Error(`${describeCombo(combo)}: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
}

function combos(periodDays: number, alg: SigningAlgorithm): Combo[] {
  return LIFETIMES.flatMap((maxLifetimeSeconds) =>
    SKEWS.map((skewSeconds) => ({ periodDays, maxLifetimeSeconds, skewSeconds, alg })),
  );
}

function seedOf(combo: Combo, chaos: boolean): number {
  return (
    combo.periodDays * 1_000_003 +
    combo.maxLifetimeSeconds * 101 +
    combo.skewSeconds * 7 +
    (combo.alg === "ES256" ? 1 : 0) +
    (chaos ? 77_777 : 0)
  );
}

describe("rotation timeline simulation: 200 days of scheduled rotation", () => {
  for (const periodDays of PERIODS) {
    for (const alg of ALGORITHMS) {
      it(`${periodDays}-day period, ${alg}: every token verifies, no relying party sees an unknown kid, keys rotate on time`, () => {
        for (const combo of combos(periodDays, alg)) {
          const run = simulateCombo(combo, false);
          const where = describeCombo(combo);
          assert.deepEqual(tokenViolations(combo, run), [], where);
          const activations = [...run.store.lives.values()].filter(
            (l) => l.scheduled && (l.activatedAt as number) <= END,
          );
          assert.ok(
            Math.abs(activations.length - SIMULATED_DAYS / periodDays) <= 1,
            `${where}: ${activations.length} rotations in ${SIMULATED_DAYS} days`,
          );
          for (const life of run.store.lives.values()) {
            if (life.stoppedSigningAt === null || life.activatedAt === null) continue;
            const signed = life.stoppedSigningAt - life.activatedAt;
            const onTime = signed >= periodDays * DAY_MS && signed <= periodDays * DAY_MS + MIN_ALARM_INTERVAL_MS;
            assert.ok(onTime, `${where}: ${life.kid} signed for ${signed} ms`);
          }
          assert.ok(run.tokens.length > 5_000, `${where}: only ${run.tokens.length} tokens`);
        }
      });
    }
  }
});

describe("rotation timeline simulation: 200 days with emergency rotations, revocations, outages and an algorithm change", () => {
  for (const periodDays of PERIODS) {
    for (const alg of ALGORITHMS) {
      it(`${periodDays}-day period, ${alg}: tokens verify until they expire, revoked keys vanish, retired keys stop signing`, () => {
        let emergencies = 0;
        let revocations = 0;
        let refusals = 0;
        let signedAfterEmergency = 0;
        for (const combo of combos(periodDays, alg)) {
          const run = simulateCombo(combo, true);
          assert.deepEqual(tokenViolations(combo, run), [], describeCombo(combo));
          assert.ok(run.outages.length > 0);
          emergencies += run.emergencies.length;
          revocations += run.revocations;
          refusals += run.refusals;
          const lastSigned = new Map<string, number>();
          for (const token of run.tokens)
            lastSigned.set(token.kid, Math.max(token.iat, lastSigned.get(token.kid) ?? -Infinity));
          signedAfterEmergency += run.emergencies.filter(
            ({ at, oldKid }) => (lastSigned.get(oldKid) ?? -Infinity) >= at,
          ).length;
        }
        // The chaos must have happened for the assertions above to mean anything.
        assert.ok(
          emergencies > 10 && revocations > 10 && refusals > 0 && signedAfterEmergency > 0,
          JSON.stringify({ emergencies, revocations, refusals, signedAfterEmergency }),
        );
      });
    }
  }
});
