// What the operator page reads of the key store, in one RPC: the keys and their timeline, the
// revocations in force, and the issuance log.

import type { ActivitySummary } from "../activity/types.js";
import type { RevocationListing } from "../revocation/store.js";
import type { KeyListing } from "./key-store-types.js";

export interface AdminView {
  readonly keys: KeyListing;
  readonly revocations: RevocationListing;
  readonly activity: ActivitySummary;
}
