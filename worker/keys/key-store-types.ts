// What the key store Durable Object hands out over RPC: the sealed active key, and the listing
// of keys the admin API returns. Kept apart from key-store.ts so that file holds the I/O only.

import type { KeyMeta } from "./timeline.js";

/** One entry of the key store's event log (key-rows.ts keeps them). */
export interface KeyEvent {
  readonly at: number;
  readonly kid: string;
  readonly event: "created" | "activated" | "retired" | "unpublished" | "revoked";
  readonly reason: string;
}

/** The active key as the issuer Worker receives it: still sealed. */
export interface SealedSigningKey {
  readonly kid: string;
  readonly alg: KeyMeta["alg"];
  readonly kekId: string;
  readonly iv: Uint8Array;
  readonly ciphertext: Uint8Array;
  /** Issuer time until which the isolate may keep signing with this key. */
  readonly cacheUntil: number;
}

/** What a KEK rewrap did (KeyStore.rewrap, POST /admin/keys/rewrap). */
export interface RewrapReport {
  /** Fingerprint of KEY_ENCRYPTION_KEY, which now seals every row. */
  readonly currentKekId: string;
  /** Rows re-sealed by this call (those that were under the previous KEK). */
  readonly rewrapped: number;
  /** Rows still sealed under the previous KEK after the call: always 0 when it succeeds. */
  readonly underPrevious: number;
  /** Fingerprint of KEY_ENCRYPTION_KEY_PREVIOUS, or null when it is not set. */
  readonly previousKekId: string | null;
  /** Whether KEY_ENCRYPTION_KEY_PREVIOUS can be unset: no row depends on it. */
  readonly removable: boolean;
}

export interface KeyInfo {
  readonly kid: string;
  /** Fingerprint of the KEK its private key is sealed under (a RewrapReport's ids). */
  readonly kekId: string;
  readonly alg: KeyMeta["alg"];
  readonly state: KeyMeta["state"];
  readonly createdAt: number;
  readonly publishedAt: number | null;
  readonly activatedAt: number | null;
  readonly retiredAt: number | null;
  readonly unpublishAt: number | null;
}

/** One step the key store will take at `nextCheckAt`, as timeline.ts's scheduledSteps plans it. */
export interface PlannedStep {
  readonly kind: "create" | "activate" | "unpublish" | "revoke";
  /** The key it acts on; null for a key it will create. */
  readonly kid: string | null;
  readonly reason: string;
}

export interface KeyListing {
  readonly now: number;
  readonly keys: readonly KeyInfo[];
  readonly events: readonly KeyEvent[];
  readonly rotationPeriodDays: number;
  readonly jwksMaxAgeSeconds: number;
  readonly publicationDelaySeconds: number;
  readonly nextCheckAt: number;
  /**
   * What the key store will do at `nextCheckAt` (scheduledSteps at that instant, on today's
   * keys); empty: nothing is due, the alarm only looks again.
   */
  readonly nextSteps: readonly PlannedStep[];
  /** Which KEK seals how many keys; null when KEY_ENCRYPTION_KEY is missing or malformed. */
  readonly sealing: KeySealing | null;
}

/**
 * How the keys are sealed, for a KEK rotation: KEY_ENCRYPTION_KEY_PREVIOUS can be removed once
 * `underPrevious` is 0 (`wid keys rewrap` makes it so). `underNeither` counts rows no KEK the
 * issuer holds can open: they fail closed with ERR_KEY_ENCRYPTION_KEY until their KEK is set again.
 */
export interface KeySealing {
  readonly currentKekId: string;
  readonly previousKekId: string | null;
  readonly underCurrent: number;
  readonly underPrevious: number;
  readonly underNeither: number;
}
