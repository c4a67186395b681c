// The keys of the native issuers the runtime config trusts, per isolate: each issuer's JWKS from
// its configured `jwksUri`, else from the `jwks_uri` of its discovery document. Bounded like the
// verifier's cache (worker/verification/jwks-cache.ts): a JWKS is reused up to 10 minutes, fetched
// at most once per 30 s (an unknown kid, or retries while the issuer is down), each fetch given 5 s;
// a discovery document is reused an hour and read up to 64 KiB. Only configured issuers are ever
// fetched, so the cache holds at most one entry per distinct issuer of the config.

import { createRemoteJWKSet, type JWTVerifyGetKey } from "jose";
import { readBounded } from "../http/bounded-read.js";
import type { RuntimeNativeTrust } from "../runtime-config/types.js";

export const NATIVE_JWKS_MAX_AGE_MS = 600_000;
export const NATIVE_JWKS_COOLDOWN_MS = 30_000;
export const NATIVE_FETCH_TIMEOUT_MS = 5_000;
export const NATIVE_DISCOVERY_MAX_AGE_MS = 3_600_000;
const MAX_DISCOVERY_BYTES = 65_536;

/** The native issuer's discovery document or JWKS could not be had; the exchange answers 503. */
export class NativeKeysUnavailableError extends Error {
  constructor(readonly detail: string) {
    super(detail);
    this.name = "NativeKeysUnavailableError";
  }
}

interface Entry {
  readonly jwksUri: string;
  readonly keys: JWTVerifyGetKey;
  /** When the discovered jwks_uri is read again; Infinity when it is configured. */
  readonly discoveredUntilMs: number;
}

const entries = new Map<string, Entry>();
const failedDiscovery = new Map<string, number>();

/** The key getter of `trust`'s issuer (the same one for every workload naming that issuer and JWKS). */
export async function nativeKeys(trust: RuntimeNativeTrust, nowMs: number): Promise<JWTVerifyGetKey> {
  const cacheKey = `${trust.issuer}\n${trust.jwksUri ?? ""}`;
  const known = entries.get(cacheKey);
  if (known !== undefined && known.discoveredUntilMs > nowMs) return known.keys;
  const jwksUri = trust.jwksUri ?? (await discoveredJwksUri(trust.issuer, nowMs));
  if (known?.jwksUri === jwksUri) {
    entries.set(cacheKey, { ...known, discoveredUntilMs: nowMs + NATIVE_DISCOVERY_MAX_AGE_MS });
    return known.keys;
  }
  const keys = createRemoteJWKSet(new URL(jwksUri), {
    cacheMaxAge: NATIVE_JWKS_MAX_AGE_MS,
    cooldownDuration: NATIVE_JWKS_COOLDOWN_MS,
    timeoutDuration: NATIVE_FETCH_TIMEOUT_MS,
  });
  entries.set(cacheKey, {
    jwksUri,
    keys,
    discoveredUntilMs: trust.jwksUri === undefined ? nowMs + NATIVE_DISCOVERY_MAX_AGE_MS : Number.POSITIVE_INFINITY,
  });
  return keys;
}

async function discoveredJwksUri(issuer: string, nowMs: number): Promise<string> {
  const failedAt = failedDiscovery.get(issuer);
  if (failedAt !== undefined && nowMs - failedAt < NATIVE_JWKS_COOLDOWN_MS) {
    throw new NativeKeysUnavailableError(`the native issuer's discovery document failed within the last 30 s; retry`);
  }
  try {
    return await fetchJwksUri(issuer);
  } catch (error) {
    failedDiscovery.set(issuer, nowMs);
    throw error;
  }
}

async function fetchJwksUri(issuer: string): Promise<string> {
  const url = `${issuer}/.well-known/openid-configuration`;
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { accept: "application/json" },
      signal: AbortSignal.timeout(NATIVE_FETCH_TIMEOUT_MS),
    });
  } catch {
    throw new NativeKeysUnavailableError(`the native issuer's discovery document (${url}) could not be fetched; retry`);
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    throw new NativeKeysUnavailableError(`the native issuer's discovery document (${url}) answered ${response.status}`);
  }
  const read = await readBounded(response.body, response.headers.get("content-length"), MAX_DISCOVERY_BYTES);
  if (read.kind !== "read") {
    throw new NativeKeysUnavailableError(`the native issuer's discovery document (${url}) is too large or unreadable`);
  }
  let document: unknown;
  try {
    document = JSON.parse(new TextDecoder().decode(read.bytes));
  } catch {
    throw new NativeKeysUnavailableError(`the native issuer's discovery document (${url}) is not JSON`);
  }
  const { issuer: named, jwks_uri: jwksUri } = (document ?? {}) as { issuer?: unknown; jwks_uri?: unknown };
  // OpenID Connect Discovery 1.0 §4.3: the document's issuer is exactly the one it was fetched for.
  if (named !== issuer) {
    throw new NativeKeysUnavailableError(`the native issuer's discovery document (${url}) names another issuer`);
  }
  if (typeof jwksUri !== "string" || !parsesAsUrl(jwksUri)) {
    throw new NativeKeysUnavailableError(`the native issuer's discovery document (${url}) has no usable jwks_uri`);
  }
  const protocol = new URL(jwksUri).protocol;
  if (protocol !== "https:" && !(protocol === "http:" && new URL(issuer).protocol === "http:")) {
    throw new NativeKeysUnavailableError(`the native issuer's jwks_uri must be https`);
  }
  return jwksUri;
}

function parsesAsUrl(text: string): boolean {
  try {
    new URL(text);
    return true;
  } catch {
    return false;
  }
}
