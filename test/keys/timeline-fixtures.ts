// Shared by the rotation timeline tests: issuer settings built by hand, keys in a chosen state,
// and the key store's loop (apply what is due, ask again) over plain-number clocks.

import type { IssuerSettings, SigningAlgorithm } from "../../worker/config/types.js";
import {
  applyStep,
  type KeyMeta,
  type KeyState,
  published,
  type RotationPolicy,
  type ScheduleOptions,
  type Step,
  scheduledSteps,
} from "../../worker/keys/timeline.js";
import { issuerSettings as sharedIssuerSettings } from "../support/issuer-settings.js";

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
/** An arbitrary origin for the injected clock (2025-01-01T00:00:00Z); no test reads the real time. */
export const T0 = 1_735_689_600_000;

/** The rotation tests' issuer: the shared fixture with its own URL. */
export function issuerSettings(overrides: Partial<IssuerSettings> = {}): IssuerSettings {
  return sharedIssuerSettings({ issuerUrl: "https://identity.example.com", ...overrides });
}

export interface KeyTimes {
  readonly createdAt: number;
  readonly activatedAt?: number;
  readonly retiredAt?: number;
}

/** A key as the store would hold it, its JWKS written to KV the instant it was created. */
export function keyMeta(kid: string, state: KeyState, alg: SigningAlgorithm, times: KeyTimes): KeyMeta {
  return {
    kid,
    alg,
    state,
    createdAt: times.createdAt,
    publishedAt: times.createdAt,
    activatedAt: times.activatedAt ?? null,
    retiredAt: times.retiredAt ?? null,
  };
}

/** Fresh kids for `create` steps, as the key store's generator would hand them out. */
export class KidSource {
  #n = 0;
  next(): string {
    this.#n += 1;
    return `k${this.#n}`;
  }
}

/** Applies steps in order, generating a key for each `create`. */
export function applyAll(keys: readonly KeyMeta[], steps: readonly Step[], now: number, kids: KidSource): KeyMeta[] {
  let current = [...keys];
  for (const step of steps) {
    current = applyStep(current, step, now, step.kind === "create" ? { kid: kids.next(), alg: step.alg } : undefined);
  }
  return current;
}

/** The key store's scheduled loop at one instant: apply what is due until nothing is. */
export function runDue(
  keys: readonly KeyMeta[],
  policy: RotationPolicy,
  now: number,
  kids: KidSource,
  options: ScheduleOptions = {},
): { keys: KeyMeta[]; steps: Step[] } {
  let current = [...keys];
  const applied: Step[] = [];
  for (let round = 0; round < 8; round++) {
    const steps = scheduledSteps(current, policy, now, options);
    // Then the store writes the JWKS to KV (successfully, here): new keys are published from now.
    if (steps.length === 0) return { keys: published(current, now), steps: applied };
    current = applyAll(current, steps, now, kids);
    applied.push(...steps);
  }
  throw new Error(
    `the timeline did not settle at ${now}: ${JSON.stringify(scheduledSteps(current, policy, now, options))}`,
  );
}

export function kidsOf(keys: readonly KeyMeta[]): string[] {
  return keys.map((k) => k.kid).sort();
}

export function stateOf(keys: readonly KeyMeta[], kid: string): KeyState | undefined {
  return keys.find((k) => k.kid === kid)?.state;
}

/** A small seeded PRNG (mulberry32): the same seed replays the same case. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
