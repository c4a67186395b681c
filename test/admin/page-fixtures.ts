// Inputs for the operator page's rendering tests: a key listing, an issuance log and a
// revocation listing as the key store answers them, at a fixed instant.

import type { ActivitySummary } from "../../worker/activity/types.js";
import type { PageKeyListing as KeyListing, PageRevocations, PageView } from "../../worker/admin/page/view.js";

export const NOW = Date.parse("2026-12-04T12:00:00Z");
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

export function keyListing(overrides: Partial<KeyListing> = {}): KeyListing {
  return {
    now: NOW,
    keys: [
      {
        kid: "retired-kid-0001",
        alg: "ES256",
        kekId: "00112233445566aa",
        state: "retired",
        createdAt: Date.parse("2026-11-01T00:00:00Z"),
        publishedAt: Date.parse("2026-11-01T00:00:05Z"),
        activatedAt: Date.parse("2026-11-01T00:00:05Z"),
        retiredAt: Date.parse("2026-12-01T00:00:00Z"),
        unpublishAt: Date.parse("2026-12-05T01:00:30Z"),
      },
      {
        kid: "active-kid-0002",
        alg: "ES256",
        kekId: "00112233445566aa",
        state: "active",
        createdAt: Date.parse("2026-11-15T00:00:00Z"),
        publishedAt: Date.parse("2026-11-15T00:00:01Z"),
        activatedAt: Date.parse("2026-12-01T00:00:00Z"),
        retiredAt: null,
        unpublishAt: null,
      },
    ],
    events: [
      {
        at: Date.parse("2026-11-20T08:00:00Z"),
        kid: "revoked-kid-0003",
        event: "revoked",
        reason: "revoked by an administrator",
      },
      {
        at: Date.parse("2026-11-10T00:00:00Z"),
        kid: "revoked-kid-0003",
        event: "created",
        reason: "emergency rotation",
      },
      {
        at: Date.parse("2026-12-01T00:00:00Z"),
        kid: "active-kid-0002",
        event: "activated",
        reason: "the rotation period has passed",
      },
    ],
    rotationPeriodDays: 30,
    jwksMaxAgeSeconds: 1_800,
    publicationDelaySeconds: 3_870,
    nextCheckAt: Date.parse("2026-12-04T18:00:00Z"),
    nextSteps: [],
    sealing: {
      currentKekId: "00112233445566aa",
      previousKekId: null,
      underCurrent: 2,
      underPrevious: 0,
      underNeither: 0,
    },
    ...overrides,
  };
}

export function activity(overrides: Partial<ActivitySummary> = {}): ActivitySummary {
  return {
    since: NOW - 2 * HOUR,
    counts: [
      {
        requester: "workload",
        name: "billing",
        audience: "sts.amazonaws.com",
        outcome: "issued",
        code: null,
        count: 12,
        firstAt: NOW - 2 * HOUR,
        lastAt: NOW - 60_000,
      },
      {
        requester: "workload",
        name: "billing",
        audience: "(other)",
        outcome: "refused",
        code: "ERR_AUDIENCE_NOT_ALLOWED",
        count: 3,
        firstAt: NOW - HOUR,
        lastAt: NOW - 30_000,
      },
    ],
    recent: [
      {
        at: NOW - 30_000,
        channel: "rpc",
        requester: "workload",
        name: "billing",
        audience: "(other)",
        outcome: "refused",
        code: "ERR_AUDIENCE_NOT_ALLOWED",
      },
    ],
    limits: { counts: 500, recent: 100 },
    uncounted: 0,
    ...overrides,
  };
}

export const REVOKED_JTI = "jti-4c1f0e9a-secret-looking";

export function revocations(): PageRevocations {
  const now = Math.floor(NOW / 1_000);
  return {
    now,
    entries: [
      { kind: "workload", name: "ledger-sync", revokedAt: now - 600, expiresAt: now + 3_000 },
      { kind: "jti", jti: REVOKED_JTI, exp: now + 200, revokedAt: now - 60, expiresAt: now + 260 },
    ],
  };
}

export function adminView(): PageView {
  return { keys: keyListing(), revocations: revocations(), activity: activity() };
}
