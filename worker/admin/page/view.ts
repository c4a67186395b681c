// What the page renders, as plain shapes: the key store's AdminView (worker/keys/admin-view.ts)
// without the Workers types its modules carry (SQLite, KV), so the renderers and their tests run
// in Node as well. page-route.ts hands the key store's answer over as a PageView, so tsc checks
// (in the Worker's program) that AdminView still is one.

import type { ActivitySummary } from "../../activity/types.js";
import type { KeyState } from "../../keys/timeline.js";
import type { RevocationEntry } from "../../revocation/list.js";

export interface PageKeyInfo {
  readonly kid: string;
  readonly alg: string;
  readonly state: KeyState;
  readonly createdAt: number;
  readonly publishedAt: number | null;
  readonly activatedAt: number | null;
  readonly retiredAt: number | null;
  readonly unpublishAt: number | null;
}

export interface PageKeyEvent {
  readonly at: number;
  readonly kid: string;
  readonly event: "created" | "activated" | "retired" | "unpublished" | "revoked";
  readonly reason: string;
}

/** The key store's KeyListing (worker/keys/key-store-types.ts). */
export interface PageKeyListing {
  readonly now: number;
  readonly keys: readonly PageKeyInfo[];
  /** Most recent first. */
  readonly events: readonly PageKeyEvent[];
  readonly rotationPeriodDays: number;
  readonly jwksMaxAgeSeconds: number;
  readonly publicationDelaySeconds: number;
  readonly nextCheckAt: number;
  /** What the key store will do at nextCheckAt (worker/keys/key-store-types.ts PlannedStep). */
  readonly nextSteps: readonly {
    readonly kind: "create" | "activate" | "unpublish" | "revoke";
    readonly kid: string | null;
    readonly reason: string;
  }[];
}

/** The key store's RevocationListing (worker/revocation/store.ts): seconds, as in tokens. */
export interface PageRevocations {
  readonly now: number;
  readonly entries: readonly RevocationEntry[];
}

export interface PageView {
  readonly keys: PageKeyListing;
  readonly revocations: PageRevocations;
  readonly activity: ActivitySummary;
}
