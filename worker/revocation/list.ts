// The revocation list, as pure functions: what an entry covers, when it expires, and the
// document the key store publishes to KV (`revocations/v1`) and the issuer serves at
// /revocations.json (REVOCATIONS_PATH, worker/http/routes.ts). Times are seconds since the epoch, as in tokens.
//
//   jti       one token; kept until its exp + clock skew (after that it verifies nowhere)
//   workload  every token of a workload issued up to `revokedAt` (iat ≤ revokedAt): a kill
//   workflow  switch; kept until revokedAt + the issuer's max token lifetime + clock skew
//
// A kill switch revokes what exists; it does not stop issuance. A token issued after it carries
// a later iat and is valid (the issuer waits out the revocation's second before signing one).
// To stop new tokens, remove the workload or workflow from the stack config.

import type { IssuerSettings } from "../config/types.js";

/** Relying parties may use a fetched list this long; revocations reach them within it. */
export const REVOCATIONS_MAX_AGE_SECONDS = 10;
/** Bound on live entries; kill switches cover any number of tokens with one entry. */
export const MAX_REVOCATIONS = 5_000;

export type RevocationKind = "jti" | "workload" | "workflow";

export type RevocationEntry =
  | {
      readonly kind: "jti";
      readonly jti: string;
      readonly exp: number;
      readonly revokedAt: number;
      readonly expiresAt: number;
    }
  | {
      readonly kind: "workload" | "workflow";
      readonly name: string;
      readonly revokedAt: number;
      readonly expiresAt: number;
    };

export interface RevocationDocument {
  readonly entries: readonly RevocationEntry[];
}

/** What a revocation is asked for, checked (see request.ts). */
export type RevocationTarget =
  | { readonly kind: "jti"; readonly jti: string; readonly exp: number }
  | { readonly kind: "workload" | "workflow"; readonly name: string };

/** The claims matching reads; the token's signature has been verified before. */
export interface RevocableClaims {
  readonly jti?: unknown;
  readonly iat?: unknown;
  readonly worker?: unknown;
  readonly workflow?: unknown;
}

/** The entry a revocation at `nowMs` creates, with its expiry. */
export function revocationEntry(
  target: RevocationTarget,
  settings: Pick<IssuerSettings, "maxTokenLifetimeSeconds" | "clockSkewSeconds">,
  nowMs: number,
): RevocationEntry {
  const revokedAt = Math.floor(nowMs / 1_000);
  if (target.kind === "jti") {
    return {
      kind: "jti",
      jti: target.jti,
      exp: target.exp,
      revokedAt,
      expiresAt: target.exp + settings.clockSkewSeconds,
    };
  }
  return {
    kind: target.kind,
    name: target.name,
    revokedAt,
    expiresAt: revokedAt + settings.maxTokenLifetimeSeconds + settings.clockSkewSeconds,
  };
}

/** Two entries for the same target merge: the one covering more, for longer. */
export function mergeEntries(existing: RevocationEntry, added: RevocationEntry): RevocationEntry {
  if (existing.kind === "jti" && added.kind === "jti") {
    return {
      ...added,
      revokedAt: Math.min(existing.revokedAt, added.revokedAt),
      exp: Math.max(existing.exp, added.exp),
      expiresAt: Math.max(existing.expiresAt, added.expiresAt),
    };
  }
  return {
    ...added,
    revokedAt: Math.max(existing.revokedAt, added.revokedAt),
    expiresAt: Math.max(existing.expiresAt, added.expiresAt),
  };
}

export function isExpired(entry: RevocationEntry, nowSeconds: number): boolean {
  return entry.expiresAt <= nowSeconds;
}

/** The live entry that revokes a token with these claims, if any. */
export function revocationCovering(
  entries: readonly RevocationEntry[],
  claims: RevocableClaims,
  nowSeconds: number,
): RevocationEntry | undefined {
  const iat = typeof claims.iat === "number" ? claims.iat : Number.NEGATIVE_INFINITY;
  return entries.find((entry) => {
    if (isExpired(entry, nowSeconds)) return false;
    if (entry.kind === "jti") return claims.jti === entry.jti;
    const name = entry.kind === "workload" ? claims.worker : claims.workflow;
    return name === entry.name && iat <= entry.revokedAt;
  });
}

/**
 * The second before which a new token of this identity would be covered by a kill switch: a
 * token issued in the revocation's own second carries iat = revokedAt, so the issuer waits.
 */
export function killSwitchSecond(
  entries: readonly RevocationEntry[],
  kind: "workload" | "workflow",
  name: string,
  nowSeconds: number,
): number | undefined {
  let latest: number | undefined;
  for (const entry of entries) {
    if (entry.kind !== kind || entry.name !== name || isExpired(entry, nowSeconds)) continue;
    latest = Math.max(latest ?? entry.revokedAt, entry.revokedAt);
  }
  return latest;
}

/** Stable order, so that an unchanged list serializes to the same bytes (and ETag). */
export function revocationDocument(entries: readonly RevocationEntry[]): RevocationDocument {
  const key = (e: RevocationEntry) => `${e.kind}\u0000${e.kind === "jti" ? e.jti : e.name}`;
  return { entries: [...entries].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0)) };
}

const JTI_PATTERN = /^[A-Za-z0-9._-]{1,128}$/;
const NAME_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_-]{0,63}$/;

/** Parses a published document strictly; undefined when it is not one (a relying party then fails closed). */
export function parseRevocationDocument(value: unknown): RevocationDocument | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const entries = (value as { entries?: unknown }).entries;
  if (!Array.isArray(entries)) return undefined;
  const parsed: RevocationEntry[] = [];
  for (const raw of entries) {
    const entry = parseEntry(raw);
    if (entry === undefined) return undefined;
    parsed.push(entry);
  }
  return { entries: parsed };
}

function parseEntry(raw: unknown): RevocationEntry | undefined {
  if (typeof raw !== "object" || raw === null) return undefined;
  const e = raw as Record<string, unknown>;
  if (!isSeconds(e.revokedAt) || !isSeconds(e.expiresAt)) return undefined;
  if (e.kind === "jti") {
    if (typeof e.jti !== "string" || !JTI_PATTERN.test(e.jti) || !isSeconds(e.exp)) return undefined;
    return { kind: "jti", jti: e.jti, exp: e.exp, revokedAt: e.revokedAt, expiresAt: e.expiresAt };
  }
  if ((e.kind === "workload" || e.kind === "workflow") && typeof e.name === "string" && NAME_PATTERN.test(e.name)) {
    return { kind: e.kind, name: e.name, revokedAt: e.revokedAt, expiresAt: e.expiresAt };
  }
  return undefined;
}

function isSeconds(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

export { JTI_PATTERN, NAME_PATTERN };
