// What the page renders: the key store's AdminView (worker/keys/admin-view.ts) as shapes the
// renderers and their Node tests can name. The key listing is the key store's own type; the
// revocation listing is restated, because revocation/store.ts carries Workers types (SQLite).
// page-route.ts hands the key store's answer over as a PageView, so tsc checks (in the Worker's
// program) that AdminView still is one.

import type { ActivitySummary } from "../../activity/types.js";
import type { KeyEvent, KeyInfo, KeyListing } from "../../keys/key-store-types.js";
import type { RevocationEntry } from "../../revocation/list.js";

/** The key store's own shapes (key-store-types.ts holds no Workers type). */
export type PageKeyInfo = KeyInfo;
export type PageKeyEvent = KeyEvent;
export type PageKeyListing = KeyListing;

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
