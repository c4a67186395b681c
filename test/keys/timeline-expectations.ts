// Shared by the rotation timeline tests (timeline, timeline-operator-steps, timeline-bounds): the
// default policy's instants worked out by hand from the settings, never taken from the module, and
// the happy-path key states each case starts from; with the fixtures they are built from
// (timeline-fixtures.ts), so that a test can take both from here.

import assert from "node:assert/strict";
import { IssuerError } from "../../worker/errors.js";
import {
  EDGE_CACHE_MS,
  type KeyMeta,
  KV_PROPAGATION_MS,
  rotationPolicy,
  SIGNING_KEY_CACHE_MS,
} from "../../worker/keys/timeline.js";
import { DAY_MS, issuerSettings, keyMeta, T0 } from "./timeline-fixtures.js";

export * from "./timeline-fixtures.js";

// 30-day period, RS256, tokens of at most 1 h, 60 s of skew.
export const SETTINGS = issuerSettings();
export const POLICY = rotationPolicy(SETTINGS);
export const ES256_POLICY = rotationPolicy(issuerSettings({ signingAlgorithm: "ES256" }));
export const PERIOD_MS = 30 * DAY_MS;
export const HALF_PERIOD_MS = (30 * DAY_MS) / 2;
export const SKEW_MS = 60_000;
/** min(1 h, 30 days / 48). */
export const MAX_AGE_MS = 3_600_000;
/** KV propagation, then the edge cache, then the relying party's max-age, then its clock. */
export const DELAY_MS = KV_PROPAGATION_MS + EDGE_CACHE_MS + MAX_AGE_MS + SKEW_MS;
/** The isolate's cached key, then the longest token, then the verifier's skew. */
export const RETENTION_MS = SIGNING_KEY_CACHE_MS + 3_600_000 + SKEW_MS;

/** The steady state: key "a" became active at T0 (it was prepared 15 days earlier). */
export const ACTIVE = keyMeta("a", "active", "RS256", { createdAt: T0 - 15 * DAY_MS, activatedAt: T0 });
/** Key "n", prepared at half the period. */
export const NEXT = keyMeta("n", "next", "RS256", { createdAt: T0 + HALF_PERIOD_MS });
/** Key "r", retired when "a" took over. */
export const RETIRED = keyMeta("r", "retired", "RS256", {
  createdAt: T0 - 45 * DAY_MS,
  activatedAt: T0 - 30 * DAY_MS,
  retiredAt: T0,
});

export function retiredKeys(count: number, retiredAt: number): KeyMeta[] {
  return Array.from({ length: count }, (_, i) =>
    keyMeta(`r${i}`, "retired", "RS256", { createdAt: retiredAt - DAY_MS, activatedAt: retiredAt - DAY_MS, retiredAt }),
  );
}

/** The refusal an administrator's key operation gets: an issuer error, answered by the admin route as it is. */
export function timelineError(code: "ERR_TOO_MANY_KEYS" | "ERR_UNKNOWN_KEY"): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof IssuerError, String(error));
    assert.equal(error.code, code);
    return true;
  };
}
