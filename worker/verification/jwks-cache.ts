// The issuer's keys, cached per isolate and keyed by the issuer, so every verifier of one issuer in
// an isolate (even one built per request) shares one copy and one in-flight fetch.
//
// Policy, in the verifier's clock (`now`), with that verifier's jwks options:
// - fresh: a copy validated (200 or 304) less than max-age ago is used without any request;
//   max-age is jwks.cacheMaxAgeSeconds, else the JWKS response's Cache-Control max-age capped at
//   3600 s, else 600 s.
// - the JWKS is requested at most once per cooldown, whatever the reason (expired copy, unknown
//   kid, retry after a failure), except when no usable copy exists at all; concurrent callers
//   share one in-flight request. Requests are conditional (If-None-Match) once we hold a copy.
// - stale-if-error: past max-age, a copy stays usable for staleIfErrorSeconds more while fetching
//   fails (or is in cooldown after a failure). Past that, verification fails with the last error.
// - discovery is fetched with the first JWKS, again hourly, and again after a failed fetch.
// Bounded: MAX_ISSUERS issuers (least recently used evicted), MAX_KEYS keys per JWKS.

import type { CryptoKey, JWK } from "jose";
import { discoverJwksUri } from "./discovery.js";
import { JwksUnavailableError, TokenKeyUnknownError, VerificationError } from "./errors.js";
import { fetchJwks } from "./jwks-fetch.js";
import { importVerificationKey } from "./key-import.js";
import type { ResolvedVerifierOptions, VerifierAlgorithm } from "./options.js";

export const MAX_ISSUERS = 16;
const DEFAULT_MAX_AGE_SECONDS = 600;
const MAX_SERVER_MAX_AGE_SECONDS = 3_600;
const DISCOVERY_REFRESH_MS = 3_600_000;

interface IssuerKeys {
  jwksUri: string | undefined;
  discoveredAt: number;
  keys: ReadonlyMap<string, JWK> | undefined;
  /** Imported keys by `${alg} ${kid}`; emptied whenever `keys` changes. */
  imported: Map<string, Promise<CryptoKey>>;
  etag: string | undefined;
  validatedAt: number;
  serverMaxAgeSeconds: number | undefined;
  lastAttemptAt: number;
  lastError: VerificationError | undefined;
  inflight: Promise<void> | undefined;
}

type CacheOptions = Pick<ResolvedVerifierOptions, "issuer" | "jwks" | "fetch" | "now">;

const issuers = new Map<string, IssuerKeys>();

/** The issuer's key named `kid`, imported for `alg`. */
export async function issuerKey(options: CacheOptions, kid: string, alg: VerifierAlgorithm): Promise<CryptoKey> {
  const entry = entryFor(options.issuer);
  const cooldownMs = options.jwks.cooldownSeconds * 1_000;
  const mayFetch = () => entry.inflight !== undefined || options.now() - entry.lastAttemptAt >= cooldownMs;

  let refreshed = false;
  if (!isFresh(entry, options)) {
    if (!isUsable(entry, options) || mayFetch()) {
      await refresh(entry, options);
      refreshed = true;
    }
    if (!isUsable(entry, options)) {
      throw entry.lastError ?? new JwksUnavailableError(`the JWKS of ${options.issuer} could not be obtained`);
    }
  }
  let jwk = entry.keys?.get(kid);
  if (jwk === undefined && !refreshed && mayFetch()) {
    // The issuer may have published a key since we fetched: look once more, at most once per cooldown.
    await refresh(entry, options);
    refreshed = true;
    jwk = entry.keys?.get(kid);
  }
  if (jwk === undefined) {
    // A refetch that failed says nothing about the kid: the issuer is unavailable, not the key unknown.
    if (refreshed && entry.lastError !== undefined) throw entry.lastError;
    throw new TokenKeyUnknownError("the issuer's JWKS has no key with the token's kid");
  }
  return importedKey(entry, jwk, kid, alg);
}

function entryFor(issuer: string): IssuerKeys {
  let entry = issuers.get(issuer);
  if (entry !== undefined) {
    issuers.delete(issuer); // re-inserted last: Map order is the LRU order
  } else {
    entry = {
      jwksUri: undefined,
      discoveredAt: -Infinity,
      keys: undefined,
      imported: new Map(),
      etag: undefined,
      validatedAt: -Infinity,
      serverMaxAgeSeconds: undefined,
      lastAttemptAt: -Infinity,
      lastError: undefined,
      inflight: undefined,
    };
  }
  issuers.set(issuer, entry);
  while (issuers.size > MAX_ISSUERS) issuers.delete(issuers.keys().next().value as string);
  return entry;
}

function maxAgeMs(entry: IssuerKeys, options: CacheOptions): number {
  const seconds =
    options.jwks.cacheMaxAgeSeconds ?? Math.min(entry.serverMaxAgeSeconds ?? DEFAULT_MAX_AGE_SECONDS, MAX_SERVER_MAX_AGE_SECONDS);
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

/** Fetches discovery (when due) and the JWKS; never rejects: a failure is kept in `lastError`. */
function refresh(entry: IssuerKeys, options: CacheOptions): Promise<void> {
  if (entry.inflight !== undefined) return entry.inflight;
  const run = async () => {
    entry.lastAttemptAt = options.now();
    try {
      if (entry.jwksUri === undefined || options.now() - entry.discoveredAt >= DISCOVERY_REFRESH_MS) {
        entry.jwksUri = await discoverJwksUri(options.issuer, options.fetch);
        entry.discoveredAt = options.now();
      }
      const result = await fetchJwks(options.fetch, entry.jwksUri, entry.keys === undefined ? undefined : entry.etag);
      if (result.modified) {
        entry.keys = result.keys;
        entry.etag = result.etag;
        entry.imported = new Map();
      }
      entry.serverMaxAgeSeconds = result.maxAgeSeconds;
      entry.validatedAt = options.now();
      entry.lastError = undefined;
    } catch (error) {
      entry.discoveredAt = -Infinity; // the jwks_uri may have moved: rediscover on the next attempt
      entry.lastError =
        error instanceof VerificationError
          ? error
          : new JwksUnavailableError(`the JWKS of ${options.issuer} could not be obtained`, { cause: error });
    }
  };
  const inflight = run().finally(() => {
    if (entry.inflight === inflight) entry.inflight = undefined;
  });
  entry.inflight = inflight;
  return inflight;
}

function importedKey(entry: IssuerKeys, jwk: JWK, kid: string, alg: VerifierAlgorithm): Promise<CryptoKey> {
  const id = `${alg} ${kid}`;
  let key = entry.imported.get(id);
  if (key === undefined) {
    const imported = entry.imported;
    key = importVerificationKey(jwk, alg);
    imported.set(id, key);
    key.catch(() => imported.delete(id)); // do not cache a refusal; it is cheap to repeat
  }
  return key;
}
