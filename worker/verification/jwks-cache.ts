// The issuer's keys, cached per isolate and keyed by the issuer (and the configured jwksUri, for a
// native issuer given one), so every verifier of one issuer in an isolate (even one built per
// request) shares one copy, and no issuer's entry ever holds another's keys.
//
// Only values are shared between callers, never a promise: in workerd a request must not await a
// promise created by another request (another I/O context). If that request is canceled (its
// client went away) the promise never settles, and the waiting request hangs or is canceled as hung.
// So a refresh under way is recorded as a plain value (`refreshingSince`), and each caller awaits
// only fetches it started itself. Node has no such limitation; the policy is the same in both.
//
// Policy, in the verifier's clock (`now`), with that verifier's jwks options:
// - fresh: a copy validated (200 or 304) less than max-age ago is used without any request;
//   max-age is jwks.cacheMaxAgeSeconds, else the JWKS response's Cache-Control max-age capped at
//   3600 s, else 600 s.
// - the JWKS is requested at most once per cooldown, whatever the reason (expired copy, unknown
//   kid, retry after a failure), and never while another caller's refresh is under way, except
//   when no usable copy exists at all. A caller that holds a usable copy while another refreshes
//   uses the copy (an unknown kid is then ERR_TOKEN_KEY_UNKNOWN) rather than wait. A caller with
//   no usable copy fetches for itself, so concurrent cold callers each fetch; the first answer
//   gives the others a copy. A refresh marked under way for longer than the fetch timeout was
//   abandoned (canceled with its request) and no longer holds refreshes back.
//   Requests are conditional (If-None-Match) once we hold a copy.
// - stale-if-error: past max-age, a copy stays usable for staleIfErrorSeconds more while fetching
//   fails (or is in cooldown after a failure). Past that, verification fails with the last error.
// - discovery is fetched with the first JWKS, again hourly, and again after a failed fetch; an
//   issuer configured with a jwksUri (nativeIssuers) is never discovered.
// Bounded: MAX_ISSUERS issuers (least recently used evicted), MAX_KEYS keys per JWKS.

import type { CryptoKey, JWK } from "jose";
import { discoverJwksUri } from "./discovery.js";
import { JwksUnavailableError, TokenKeyUnknownError, VerificationError } from "./errors.js";
import { FETCH_TIMEOUT_MS } from "./issuer-fetch.js";
import { fetchJwks } from "./jwks-fetch.js";
import { importVerificationKey } from "./key-import.js";
import type { ResolvedVerifierOptions, VerifierAlgorithm } from "./options.js";

export const MAX_ISSUERS = 16;
const DEFAULT_MAX_AGE_SECONDS = 600;
const MAX_SERVER_MAX_AGE_SECONDS = 3_600;
const DISCOVERY_REFRESH_MS = 3_600_000;
/** The fetch timeout: a refresh marked under way longer ago was abandoned. */
const REFRESH_ABANDONED_MS = FETCH_TIMEOUT_MS;

interface IssuerKeys {
  jwksUri: string | undefined;
  discoveredAt: number;
  keys: ReadonlyMap<string, JWK> | undefined;
  /** Imported keys by `${alg} ${kid}` (values, never promises); replaced whenever `keys` changes. */
  imported: Map<string, CryptoKey>;
  etag: string | undefined;
  validatedAt: number;
  /** Numbers the attempts; `answerAttempt` is the one whose answer `keys`/`validatedAt` hold. */
  attempts: number;
  answerAttempt: number;
  serverMaxAgeSeconds: number | undefined;
  lastAttemptAt: number;
  lastError: VerificationError | undefined;
  /** When a refresh still under way was started; -Infinity when none is. */
  refreshingSince: number;
}

type CacheOptions = Pick<ResolvedVerifierOptions, "issuer" | "jwks" | "fetch" | "now"> & {
  /** The JWKS URL, when configured instead of discovered. */
  readonly jwksUri?: string | undefined;
};

const issuers = new Map<string, IssuerKeys>();

/** The issuer's key named `kid`, imported for `alg`. */
export async function issuerKey(options: CacheOptions, kid: string, alg: VerifierAlgorithm): Promise<CryptoKey> {
  const entry = entryFor(options.jwksUri === undefined ? options.issuer : `${options.issuer}\n${options.jwksUri}`);
  const cooldownMs = options.jwks.cooldownSeconds * 1_000;
  const mayFetch = () => !refreshUnderWay(entry, options) && options.now() - entry.lastAttemptAt >= cooldownMs;

  let refreshed = false;
  let refreshError: VerificationError | undefined;
  if (!isFresh(entry, options)) {
    // With no usable copy there is nothing to fall back on: fetch, even beside another caller's refresh.
    if (!isUsable(entry, options) || mayFetch()) {
      refreshError = await refresh(entry, options);
      refreshed = true;
    }
    if (!isUsable(entry, options)) {
      throw (
        refreshError ??
        entry.lastError ??
        new JwksUnavailableError(`the JWKS of ${options.issuer} could not be obtained`)
      );
    }
  }
  let jwk = entry.keys?.get(kid);
  if (jwk === undefined && !refreshed && mayFetch()) {
    // The issuer may have published a key since we fetched: look once more, at most once per cooldown.
    refreshError = await refresh(entry, options);
    refreshed = true;
    jwk = entry.keys?.get(kid);
  }
  if (jwk === undefined) {
    // A refetch that failed says nothing about the kid: the issuer is unavailable, not the key unknown.
    if (refreshError !== undefined) throw refreshError;
    throw new TokenKeyUnknownError("the issuer's JWKS has no key with the token's kid");
  }
  return importedKey(entry, jwk, kid, alg);
}

function entryFor(key: string): IssuerKeys {
  let entry = issuers.get(key);
  if (entry !== undefined) {
    issuers.delete(key); // re-inserted last: Map order is the LRU order
  } else {
    entry = {
      jwksUri: undefined,
      discoveredAt: -Infinity,
      keys: undefined,
      imported: new Map(),
      etag: undefined,
      validatedAt: -Infinity,
      attempts: 0,
      answerAttempt: 0,
      serverMaxAgeSeconds: undefined,
      lastAttemptAt: -Infinity,
      lastError: undefined,
      refreshingSince: -Infinity,
    };
  }
  issuers.set(key, entry);
  while (issuers.size > MAX_ISSUERS) issuers.delete(issuers.keys().next().value as string);
  return entry;
}

function maxAgeMs(entry: IssuerKeys, options: CacheOptions): number {
  const seconds =
    options.jwks.cacheMaxAgeSeconds ??
    Math.min(entry.serverMaxAgeSeconds ?? DEFAULT_MAX_AGE_SECONDS, MAX_SERVER_MAX_AGE_SECONDS);
  return seconds * 1_000;
}

function isFresh(entry: IssuerKeys, options: CacheOptions): boolean {
  return entry.keys !== undefined && options.now() < entry.validatedAt + maxAgeMs(entry, options);
}

/** Fresh, or stale but within stale-if-error. */
function isUsable(entry: IssuerKeys, options: CacheOptions): boolean {
  const staleMs = options.jwks.staleIfErrorSeconds * 1_000;
  return entry.keys !== undefined && options.now() < entry.validatedAt + maxAgeMs(entry, options) + staleMs;
}

/** Another caller's refresh, started less than the fetch timeout ago (either way: verifiers' clocks may differ). */
function refreshUnderWay(entry: IssuerKeys, options: CacheOptions): boolean {
  return Math.abs(options.now() - entry.refreshingSince) < REFRESH_ABANDONED_MS;
}

/**
 * Fetches discovery (when due) and the JWKS, for this caller only (no other caller ever awaits it),
 * and stores what it learned in the entry. Never rejects: resolves to this attempt's error, if any,
 * which is also kept in `lastError`.
 */
async function refresh(entry: IssuerKeys, options: CacheOptions): Promise<VerificationError | undefined> {
  const attempt = ++entry.attempts;
  const startedAt = options.now();
  entry.lastAttemptAt = startedAt;
  entry.refreshingSince = startedAt;
  const sentEtag = entry.keys === undefined ? undefined : entry.etag;
  try {
    let jwksUri = options.jwksUri ?? entry.jwksUri;
    if (
      options.jwksUri === undefined &&
      (jwksUri === undefined || options.now() - entry.discoveredAt >= DISCOVERY_REFRESH_MS)
    ) {
      jwksUri = await discoverJwksUri(options.issuer, options.fetch);
      entry.jwksUri = jwksUri;
      entry.discoveredAt = options.now();
    }
    const result = await fetchJwks(options.fetch, jwksUri!, sentEtag);
    // Concurrent attempts may finish in any order: keep the answer of the latest one started.
    // A 304 confirms only the copy it was asked about.
    if (attempt > entry.answerAttempt && (result.modified || entry.etag === sentEtag)) {
      if (result.modified) {
        entry.keys = result.keys;
        entry.etag = result.etag;
        entry.imported = new Map();
      }
      entry.serverMaxAgeSeconds = result.maxAgeSeconds;
      entry.validatedAt = options.now();
      entry.answerAttempt = attempt;
      entry.lastError = undefined;
    }
    return undefined;
  } catch (error) {
    const failure =
      error instanceof VerificationError
        ? error
        : new JwksUnavailableError(`the JWKS of ${options.issuer} could not be obtained`, { cause: error });
    entry.discoveredAt = -Infinity; // the jwks_uri may have moved: rediscover on the next attempt
    entry.lastError = failure;
    return failure;
  } finally {
    // Not reached if the request is canceled mid-fetch (workerd): the mark then ages out.
    if (entry.refreshingSince === startedAt) entry.refreshingSince = -Infinity;
  }
}

async function importedKey(entry: IssuerKeys, jwk: JWK, kid: string, alg: VerifierAlgorithm): Promise<CryptoKey> {
  const id = `${alg} ${kid}`;
  const imported = entry.imported;
  let key = imported.get(id);
  if (key === undefined) {
    // Concurrent first uses each import (cheap); a refusal is not cached, it is cheap to repeat.
    key = await importVerificationKey(jwk, alg);
    imported.set(id, key);
  }
  return key;
}
