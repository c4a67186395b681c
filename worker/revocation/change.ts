// What a revocation does to the list, as a pure decision: the entry asked for beside the one
// stored for the same target (the key store's store.ts does the I/O and the answer reports it).
//   added      a new entry (none was live for this target)
//   extended   the live entry now covers more: a kill switch up to this second, a jti for longer
//   unchanged  the live entry already covered it all (a repeat): nothing is written

import { isExpired, mergeEntries, type RevocationEntry } from "./list.js";

export type RevocationOutcome = "added" | "extended" | "unchanged";

export interface RevocationChange {
  readonly outcome: RevocationOutcome;
  /** The entry stored for the target after the change. */
  readonly entry: RevocationEntry;
}

/** What adding `entry` at `nowSeconds` does beside the `stored` one for its target (an expired one counts as none). */
export function revocationChange(
  stored: RevocationEntry | undefined,
  entry: RevocationEntry,
  nowSeconds: number,
): RevocationChange {
  if (stored === undefined || isExpired(stored, nowSeconds)) return { outcome: "added", entry };
  const merged = mergeEntries(stored, entry);
  return { outcome: sameEntry(stored, merged) ? "unchanged" : "extended", entry: merged };
}

function sameEntry(a: RevocationEntry, b: RevocationEntry): boolean {
  return (
    a.revokedAt === b.revokedAt &&
    a.expiresAt === b.expiresAt &&
    (a.kind !== "jti" || (b.kind === "jti" && a.exp === b.exp))
  );
}
