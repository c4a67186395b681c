// A model of the world around the rotation timeline, for the simulation tests: the key store
// (alarms, extra wakes, admin calls, outages), the JWKS it publishes as a function of time, and
// issuer isolates that cache the active key and sign tokens. It records; the tests judge.

import assert from "node:assert/strict";
import {
  activeKey,
  applyStep,
  type KeyMeta,
  MAX_ALARM_INTERVAL_MS,
  MAX_PUBLISHED_KEYS,
  MIN_ALARM_INTERVAL_MS,
  nextCheckAt,
  published,
  type RotationPolicy,
  SIGNING_KEY_CACHE_MS,
  type Step,
  scheduledSteps,
} from "../../worker/keys/timeline.js";
import { T0 } from "./timeline-fixtures.js";

/** One version of the published JWKS, in force from `at` until the next version. */
export interface JwksVersion {
  readonly at: number;
  readonly kids: ReadonlySet<string>;
}

export interface Token {
  readonly kid: string;
  readonly iat: number;
  readonly exp: number;
}

/** What the model saw happen to one key. */
export interface KeyLife {
  readonly kid: string;
  activatedAt: number | null;
  /** Activated by the scheduled timeline while another key was signing (not bootstrap, emergency or revocation). */
  scheduled: boolean;
  /** When it stopped being the store's active key. */
  stoppedSigningAt: number | null;
  revokedAt: number | null;
  /** Next keys withdrawn (revoked or dropped) while this key was active: each may delay its rotation. */
  nextKeysWithdrawn: number;
}

type AdminSteps = (keys: readonly KeyMeta[], policy: RotationPolicy) => Step[];

/** The key store Durable Object, reduced to its use of the timeline. */
export class KeyStoreModel {
  keys: KeyMeta[] = [];
  rotateEarly = false;
  alarmAt = Number.POSITIVE_INFINITY;
  readonly history: JwksVersion[] = [];
  readonly lives = new Map<string, KeyLife>();
  #kids = 0;

  constructor(public policy: RotationPolicy) {}

  /** True when a request would make the store run the timeline first (as `signingKey()` does). */
  isDue(now: number): boolean {
    return (
      !activeKey(this.keys) || scheduledSteps(this.keys, this.policy, now, { rotateEarly: this.rotateEarly }).length > 0
    );
  }

  /** One advance: the admin's steps, then the scheduled ones until none is due; publish; set the alarm. */
  wake(now: number, admin?: AdminSteps): void {
    if (admin) for (const step of admin(this.keys, this.policy)) this.#apply(step, now, false);
    let settled = false;
    for (let round = 0; round < 8 && !settled; round++) {
      const steps = scheduledSteps(this.keys, this.policy, now, { rotateEarly: this.rotateEarly });
      settled = steps.length === 0;
      const scheduled = activeKey(this.keys) !== undefined;
      for (const step of steps) this.#apply(step, now, scheduled);
    }
    assert.ok(settled, `the timeline did not settle at T0 + ${now - T0} ms`);
    this.#publish(now);
    this.#checkInvariants(now);
    this.alarmAt = nextCheckAt(this.keys, this.policy, now, { rotateEarly: this.rotateEarly });
    assert.ok(
      this.alarmAt >= now + MIN_ALARM_INTERVAL_MS,
      `alarm ${this.alarmAt - now} ms after T0 + ${now - T0} ms is too soon`,
    );
    assert.ok(
      this.alarmAt <= now + MAX_ALARM_INTERVAL_MS,
      `alarm ${this.alarmAt - now} ms after T0 + ${now - T0} ms is too late`,
    );
  }

  /** The kid an isolate receives when it fetches the signing key at `now`. */
  signingKid(now: number): string {
    if (this.isDue(now)) this.wake(now);
    const active = activeKey(this.keys);
    assert.ok(active, `no active key at T0 + ${now - T0} ms`);
    return active.kid;
  }

  #apply(step: Step, now: number, scheduled: boolean): void {
    const before = this.keys;
    const created = step.kind === "create" ? { kid: `k${++this.#kids}`, alg: step.alg } : undefined;
    this.keys = applyStep(before, step, now, created);
    if (created)
      this.lives.set(created.kid, {
        kid: created.kid,
        activatedAt: null,
        scheduled: false,
        stoppedSigningAt: null,
        revokedAt: null,
        nextKeysWithdrawn: 0,
      });
    const signerBefore = activeKey(before);
    for (const old of before) {
      const after = this.keys.find((k) => k.kid === old.kid);
      const life = this.lives.get(old.kid) as KeyLife;
      if (old.state === "active" && after?.state !== "active") life.stoppedSigningAt = now;
      if (!after && step.kind === "revoke") life.revokedAt = now;
      if (!after && old.state === "next" && signerBefore)
        (this.lives.get(signerBefore.kid) as KeyLife).nextKeysWithdrawn += 1;
    }
    for (const key of this.keys) {
      const was = before.find((k) => k.kid === key.kid);
      if (key.state !== "active" || was?.state === "active") continue;
      const life = this.lives.get(key.kid) as KeyLife;
      life.activatedAt = now;
      life.scheduled = scheduled && step.kind === "activate";
      if (step.kind === "activate") this.rotateEarly = false;
    }
  }

  /** The store's KV write after every advance; here it always succeeds. */
  #publish(now: number): void {
    this.keys = published(this.keys, now);
    const kids = new Set(this.keys.map((k) => k.kid));
    const last = this.history.at(-1);
    if (last && last.kids.size === kids.size && [...kids].every((kid) => last.kids.has(kid))) return;
    if (last?.at === now) this.history.pop();
    this.history.push({ at: now, kids });
  }

  #checkInvariants(now: number): void {
    const where = (): string => `at T0 + ${now - T0} ms: ${JSON.stringify(this.keys)}`;
    if (this.keys.length > MAX_PUBLISHED_KEYS) assert.fail(`${this.keys.length} keys published ${where()}`);
    if (this.keys.filter((k) => k.state === "active").length !== 1)
      assert.fail(`not exactly one active key ${where()}`);
    if (new Set(this.keys.map((k) => k.kid)).size !== this.keys.length) assert.fail(`a kid twice ${where()}`);
  }
}

/** True when every JWKS version in force at some instant of [from, to] has the kid (none is in force before the first). */
export function publishedThroughout(history: readonly JwksVersion[], kid: string, from: number, to: number): boolean {
  let lo = 0;
  let hi = history.length - 1;
  let first = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((history[mid] as JwksVersion).at <= from) {
      first = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  if (first < 0) return false;
  for (let i = first; i < history.length && (history[i] as JwksVersion).at <= to; i++) {
    if (!(history[i] as JwksVersion).kids.has(kid)) return false;
  }
  return true;
}

/** When each kid left the JWKS (Infinity if it never did); fails if a kid ever came back. */
export function removals(history: readonly JwksVersion[]): Map<string, number> {
  const removedAt = new Map<string, number>();
  let previous: ReadonlySet<string> = new Set();
  for (const version of history) {
    for (const kid of version.kids) {
      assert.ok(
        !removedAt.has(kid) || removedAt.get(kid) === Number.POSITIVE_INFINITY,
        `${kid} came back to the JWKS at ${version.at}`,
      );
      removedAt.set(kid, Number.POSITIVE_INFINITY);
    }
    for (const kid of previous) if (!version.kids.has(kid)) removedAt.set(kid, version.at);
    previous = version.kids;
  }
  return removedAt;
}

/**
 * An issuer isolate's fetch at `fetchedAt`: it signs at once, at a random instant, and last just
 * before its copy expires, each token living the longest allowed lifetime or a random shorter one.
 */
export function signWithCachedKey(
  into: Token[],
  kid: string,
  fetchedAt: number,
  maxLifetimeMs: number,
  random: () => number,
): void {
  const cacheMs = SIGNING_KEY_CACHE_MS;
  for (const iat of [fetchedAt, fetchedAt + Math.floor(random() * cacheMs), fetchedAt + cacheMs - 1]) {
    const lifetime = random() < 0.5 ? maxLifetimeMs : 60_000 + Math.floor(random() * (maxLifetimeMs - 60_000));
    into.push({ kid, iat, exp: iat + lifetime });
  }
}
