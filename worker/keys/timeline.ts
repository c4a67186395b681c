// The signing-key rotation timeline: pure decisions of (keys, policy, now), in the manner of
// SPIRE's CA manager. The key store Durable Object does the I/O (key generation, SQLite, KV);
// everything that decides *when* a key changes state lives here and is tested with a fake clock.
//
// A key's life:  next ──(period elapsed, published long enough)──▶ active ──▶ retired ──▶ gone
//   - `next` signs nothing. It is created unpublished; once the key store has written a JWKS
//     holding it to KV (`published`), its publication delay starts, after which every relying
//     party's cached JWKS has it, and only then may it sign.
//   - `active` signs (exactly one at a time).
//   - `retired` signs nothing but stays published until every token it signed has expired.
// Revocation removes a key from the set at once, whatever its state.

import type { IssuerSettings, SigningAlgorithm } from "../config/types.js";
import { TooManyKeysError, UnknownKeyError } from "../errors.js";

// ---- thresholds -------------------------------------------------------------------------
/** How long an issuer isolate keeps using the signing key it fetched from the key store. */
export const SIGNING_KEY_CACHE_MS = 30_000;
/**
 * Of SIGNING_KEY_CACHE_MS, the last part in which an isolate may still sign with its copy while
 * one of its requests fetches a newer one (worker/isolate/shared-value.ts): the copy is due for a
 * refresh this much before SIGNING_KEY_CACHE_MS ends.
 */
export const SIGNING_KEY_REFRESH_GRACE_MS = 5_000;
/**
 * An isolate's signing-key fetch (signing-key-cache.ts) is abandoned after this long. The key
 * store answers it under its lock, where it may wait behind one JWKS write and then make its own
 * (each given up after KV_WRITE_DEADLINE_MS, 2.5 s) and generate a key on a scheduled step: about
 * 6 s at the very worst. Past 8 s the store is taken as unavailable (ERR_KEY_STORE_UNAVAILABLE),
 * and the workload's retry meets a store that may have recovered.
 */
export const SIGNING_KEY_FETCH_DEADLINE_MS = 8_000;
/** KV is eventually consistent: a write can take this long to be visible at every location. */
export const KV_PROPAGATION_MS = 60_000;
/** Lifetime of the JWKS in the issuer's edge cache (Cache API), on top of KV. */
export const EDGE_CACHE_MS = 60_000;
/** Upper bound for the JWKS `Cache-Control: max-age` handed to relying parties. */
export const MAX_JWKS_MAX_AGE_SECONDS = 3_600;
/** The max-age is this fraction of the rotation period at most (1 day → 30 minutes). */
export const JWKS_MAX_AGE_PERIOD_DIVISOR = 48;
/** The next key is prepared once the active key has lived this fraction of the period. */
export const PREPARE_NEXT_AT_FRACTION = 0.5;
/** Bound on published keys (next + active + retired); emergency rotation refuses to exceed it. */
export const MAX_PUBLISHED_KEYS = 6;
/** The key store re-checks the timeline at least this often, even with nothing due. */
export const MAX_ALARM_INTERVAL_MS = 6 * 60 * 60 * 1_000;
/** And never sooner than this after the previous check. */
export const MIN_ALARM_INTERVAL_MS = 1_000;

const DAY_MS = 86_400_000;

export type KeyState = "next" | "active" | "retired";

/** What the timeline knows of a key: its identity and the instants of its transitions (ms). */
export interface KeyMeta {
  readonly kid: string;
  readonly alg: SigningAlgorithm;
  readonly state: KeyState;
  readonly createdAt: number;
  /**
   * When a JWKS holding the key was first written to KV; null until then (a key is created
   * unpublished, and a failed KV write keeps it so). A next key is not activated on schedule
   * while it is null.
   */
  readonly publishedAt: number | null;
  readonly activatedAt: number | null;
  readonly retiredAt: number | null;
}

export interface RotationPolicy {
  readonly algorithm: SigningAlgorithm;
  readonly rotationPeriodMs: number;
  /** A next key must have been published this long before it may sign. */
  readonly publicationDelayMs: number;
  /** A retired key stays published this long after it stopped signing. */
  readonly retentionMs: number;
  readonly jwksMaxAgeSeconds: number;
}

/** The JWKS cache lifetime relying parties are told, derived from the rotation period. */
export function jwksMaxAgeSeconds(rotationPeriodDays: number): number {
  const fromPeriod = Math.floor((rotationPeriodDays * DAY_MS) / 1_000 / JWKS_MAX_AGE_PERIOD_DIVISOR);
  return Math.min(MAX_JWKS_MAX_AGE_SECONDS, fromPeriod);
}

export function rotationPolicy(settings: IssuerSettings): RotationPolicy {
  const maxAge = jwksMaxAgeSeconds(settings.rotationPeriodDays);
  const skewMs = settings.clockSkewSeconds * 1_000;
  return {
    algorithm: settings.signingAlgorithm,
    rotationPeriodMs: settings.rotationPeriodDays * DAY_MS,
    // Worst case a relying party fetched the JWKS just before the key reached KV: KV propagation,
    // then the edge cache, then its own max-age, then its clock being behind ours.
    publicationDelayMs: KV_PROPAGATION_MS + EDGE_CACHE_MS + maxAge * 1_000 + skewMs,
    // An isolate may sign with the key until its cached copy expires, the token then lives its
    // longest possible lifetime, and verifiers accept it for one more clock skew.
    retentionMs: SIGNING_KEY_CACHE_MS + settings.maxTokenLifetimeSeconds * 1_000 + skewMs,
    jwksMaxAgeSeconds: maxAge,
  };
}

// ---- steps ------------------------------------------------------------------------------
export type Step =
  | {
      readonly kind: "create";
      readonly state: "active" | "next";
      readonly alg: SigningAlgorithm;
      readonly reason: string;
    }
  | { readonly kind: "activate"; readonly kid: string; readonly reason: string }
  | { readonly kind: "unpublish"; readonly kid: string; readonly reason: string }
  | { readonly kind: "revoke"; readonly kid: string; readonly reason: string };

/** A freshly generated key, as the key store hands it to `applyStep` for a `create` step. */
export interface NewKey {
  readonly kid: string;
  readonly alg: SigningAlgorithm;
}

export function activeKey(keys: readonly KeyMeta[]): KeyMeta | undefined {
  return keys.find((k) => k.state === "active");
}

export function nextKey(keys: readonly KeyMeta[]): KeyMeta | undefined {
  return keys.find((k) => k.state === "next");
}

function unpublishAt(key: KeyMeta, policy: RotationPolicy): number {
  return (key.retiredAt ?? key.createdAt) + policy.retentionMs;
}

function rotationDueAt(active: KeyMeta, policy: RotationPolicy): number {
  return (active.activatedAt ?? active.createdAt) + policy.rotationPeriodMs;
}

function prepareDueAt(active: KeyMeta, policy: RotationPolicy): number {
  return (active.activatedAt ?? active.createdAt) + policy.rotationPeriodMs * PREPARE_NEXT_AT_FRACTION;
}

export interface ScheduleOptions {
  /**
   * An administrator asked for a rotation ahead of schedule: prepare the next key now and
   * activate it as soon as it has been published long enough (never sooner).
   */
  readonly rotateEarly?: boolean;
}

/**
 * What the scheduled rotation must do now. Apply the steps in order; then ask again, since one
 * step (a created key) can make another due. An empty list means nothing is due before
 * `nextCheckAt`.
 */
export function scheduledSteps(
  keys: readonly KeyMeta[],
  policy: RotationPolicy,
  now: number,
  options: ScheduleOptions = {},
): Step[] {
  const steps: Step[] = [];
  for (const key of keys) {
    if (key.state === "retired" && now >= unpublishAt(key, policy)) {
      steps.push({ kind: "unpublish", kid: key.kid, reason: "every token it signed has expired" });
    }
  }
  const active = activeKey(keys);
  const next = nextKey(keys);
  if (!active) {
    // Only at bootstrap or after the active key was revoked: nothing can sign, so waiting for a
    // publication delay would be an outage. Relying parties refetch on an unknown `kid`.
    if (next && next.alg === policy.algorithm) {
      steps.push({ kind: "activate", kid: next.kid, reason: "no key is active" });
      return steps;
    }
    if (next)
      steps.push({ kind: "unpublish", kid: next.kid, reason: `the signing algorithm is now ${policy.algorithm}` });
    steps.push({ kind: "create", state: "active", alg: policy.algorithm, reason: "no key is active" });
    return steps;
  }
  if (next && next.alg !== policy.algorithm) {
    // The configured algorithm changed after this key was prepared; it never signed, drop it.
    steps.push({ kind: "unpublish", kid: next.kid, reason: `the signing algorithm is now ${policy.algorithm}` });
    return steps;
  }
  const algorithmChanged = active.alg !== policy.algorithm;
  const early = options.rotateEarly === true;
  const why = algorithmChanged
    ? `the signing algorithm is now ${policy.algorithm}`
    : early
      ? "an administrator asked for a rotation"
      : undefined;
  if (!next) {
    // After a burst of emergency rotations the JWKS can be full of retired keys: the next key
    // waits until one of them leaves (nextCheckAt wakes the store then) rather than exceed the bound.
    const published = keys.length - steps.length;
    if ((why !== undefined || now >= prepareDueAt(active, policy)) && published < MAX_PUBLISHED_KEYS) {
      steps.push({
        kind: "create",
        state: "next",
        alg: policy.algorithm,
        reason: why ?? "half the rotation period has passed",
      });
    }
    return steps;
  }
  const published = next.publishedAt !== null && now >= next.publishedAt + policy.publicationDelayMs;
  if (published && (why !== undefined || now >= rotationDueAt(active, policy))) {
    steps.push({ kind: "activate", kid: next.kid, reason: why ?? "the rotation period has passed" });
  }
  return steps;
}

/** When the scheduled rotation should look again (an alarm time), given nothing is due now. */
export function nextCheckAt(
  keys: readonly KeyMeta[],
  policy: RotationPolicy,
  now: number,
  options: ScheduleOptions = {},
): number {
  const candidates: number[] = [now + MAX_ALARM_INTERVAL_MS];
  for (const key of keys) {
    if (key.state === "retired") candidates.push(unpublishAt(key, policy));
  }
  const active = activeKey(keys);
  const next = nextKey(keys);
  // With the JWKS full, preparing waits for a retired key to leave (already a candidate above).
  if (active && !next && keys.length < MAX_PUBLISHED_KEYS) candidates.push(prepareDueAt(active, policy));
  // An unpublished next key has no activation time yet: the store looks again when it publishes.
  if (active && next && next.publishedAt !== null) {
    const due = active.alg !== policy.algorithm || options.rotateEarly === true ? now : rotationDueAt(active, policy);
    candidates.push(Math.max(due, next.publishedAt + policy.publicationDelayMs));
  }
  return Math.max(now + MIN_ALARM_INTERVAL_MS, Math.min(...candidates));
}

/**
 * Emergency rotation: stop signing with the active key now. The key stays published (its
 * tokens keep verifying); use revocation to withdraw trust in it instead.
 */
export function emergencySteps(keys: readonly KeyMeta[], policy: RotationPolicy): Step[] {
  const next = nextKey(keys);
  if (next && next.alg === policy.algorithm) {
    return [{ kind: "activate", kid: next.kid, reason: "emergency rotation" }];
  }
  const steps: Step[] = [];
  if (next)
    steps.push({ kind: "unpublish", kid: next.kid, reason: `the signing algorithm is now ${policy.algorithm}` });
  const publishedAfter = keys.length - steps.length + 1;
  if (publishedAfter > MAX_PUBLISHED_KEYS) {
    throw new TooManyKeysError(
      `emergency rotation would publish ${publishedAfter} keys (at most ${MAX_PUBLISHED_KEYS}); ` +
        "revoke the compromised key instead, which withdraws it and activates a fresh key at once",
    );
  }
  steps.push({ kind: "create", state: "active", alg: policy.algorithm, reason: "emergency rotation" });
  return steps;
}

/** Revocation: withdraw a key from the JWKS now; if it was signing, another key takes over. */
export function revokeSteps(keys: readonly KeyMeta[], kid: string, policy: RotationPolicy): Step[] {
  const key = keys.find((k) => k.kid === kid);
  if (!key) {
    throw new UnknownKeyError(`no published key has kid '${kid}'; list keys to see the published ones`);
  }
  const steps: Step[] = [{ kind: "revoke", kid, reason: "revoked by an administrator" }];
  if (key.state === "active") {
    const next = nextKey(keys);
    steps.push(
      next && next.alg === policy.algorithm
        ? { kind: "activate", kid: next.kid, reason: "the active key was revoked" }
        : { kind: "create", state: "active", alg: policy.algorithm, reason: "the active key was revoked" },
    );
  }
  return steps;
}

/** Applies one step; a `create` step needs the key the store generated for it. */
export function applyStep(keys: readonly KeyMeta[], step: Step, now: number, created?: NewKey): KeyMeta[] {
  switch (step.kind) {
    case "create": {
      if (!created || created.alg !== step.alg) {
        // The key store's own invariant, not a caller's mistake: it answers 500 ERR_INTERNAL.
        throw new Error(`a create step needs a new ${step.alg} key (the key store's bug)`);
      }
      const base = keys.map((k) => (step.state === "active" && k.state === "active" ? retire(k, now) : k));
      const fresh: KeyMeta = {
        kid: created.kid,
        alg: created.alg,
        state: step.state,
        createdAt: now,
        publishedAt: null,
        activatedAt: step.state === "active" ? now : null,
        retiredAt: null,
      };
      return [...base, fresh];
    }
    case "activate":
      requireKey(keys, step.kid);
      return keys.map((k) => {
        if (k.kid === step.kid) return { ...k, state: "active", activatedAt: now };
        return k.state === "active" ? retire(k, now) : k;
      });
    case "unpublish":
    case "revoke":
      requireKey(keys, step.kid);
      return keys.filter((k) => k.kid !== step.kid);
  }
}

/** A JWKS holding every key was written to KV at `now`: the keys not yet published are, from now. */
export function published(keys: readonly KeyMeta[], now: number): KeyMeta[] {
  return keys.map((k) => (k.publishedAt === null ? { ...k, publishedAt: now } : k));
}

function retire(key: KeyMeta, now: number): KeyMeta {
  return { ...key, state: "retired", retiredAt: now };
}

function requireKey(keys: readonly KeyMeta[], kid: string): void {
  if (!keys.some((k) => k.kid === kid)) {
    throw new UnknownKeyError(`no published key has kid '${kid}'`);
  }
}

/** The instant a published key will leave the JWKS on schedule, for listings; null if never planned. */
export function plannedUnpublishAt(key: KeyMeta, policy: RotationPolicy): number | null {
  return key.state === "retired" ? unpublishAt(key, policy) : null;
}
