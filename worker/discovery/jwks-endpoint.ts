// GET /.well-known/jwks.json. Reads never touch the key store on the hot path:
// isolate mirror → edge cache (Cache API) → KV (published by the key store) → the key store
// itself, only when KV has nothing or cannot be read. Answers carry a strong ETag and honour
// If-None-Match.
//
// The mirror is this isolate's copy of the edge cache's entry, dropped when that entry expires
// (its put time travels in a header), so it adds no staleness to the publication bound; it
// exists because one edge cache lookup costs more than a whole static answer (bench/RESULTS.md).
// An admin change of the keys drops it in the isolate that made it (forgetJwksMirror).

import type { IssuerSettings } from "../config/types.js";
import { ifNoneMatchMatches } from "../http/conditional.js";
import { problemResponse } from "../http/problem.js";
import type { IssuerEnv } from "../issuer/env.js";
import { JWKS_KV_KEY, type JwksKvMetadata, jwksEtag } from "../keys/jwks.js";
import { keyStoreOf } from "../keys/key-store-stub.js";
import { EDGE_CACHE_MS, jwksMaxAgeSeconds } from "../keys/timeline.js";
import { JWKS_PATH } from "./openid-configuration.js";

const JSON_TYPE = "application/json";

interface JwksBody {
  readonly body: string;
  readonly etag: string;
}

/** When (platform ms) the edge cache entry was put: the mirror lives no longer than the entry. */
const CACHED_AT_HEADER = "x-jwks-cached-at";

let mirror: (JwksBody & { readonly until: number }) | undefined;

/** Drops this isolate's copy of the JWKS (after an admin change of the keys). */
export function forgetJwksMirror(): void {
  mirror = undefined;
}

function mirrored(found: JwksBody, cachedAt: number): JwksBody {
  mirror = { ...found, until: cachedAt + EDGE_CACHE_MS };
  return found;
}

export function jwksCacheKey(settings: IssuerSettings): Request {
  return new Request(`${settings.issuerUrl}${JWKS_PATH}`);
}

export async function serveJwks(
  request: Request,
  env: IssuerEnv,
  ctx: ExecutionContext,
  settings: IssuerSettings,
): Promise<Response> {
  const fresh = mirror !== undefined && Date.now() < mirror.until ? mirror : undefined;
  const found = fresh ?? (await fromEdgeCache(settings)) ?? (await fromOrigin(env, ctx, settings));
  if (!found) {
    return problemResponse(
      {
        status: 503,
        title: "JWKS unavailable",
        detail: "neither KV nor the key store could provide the JWKS; retry shortly",
        code: "ERR_JWKS_UNAVAILABLE",
      },
      { "retry-after": "5" },
    );
  }
  const headers = {
    "content-type": JSON_TYPE,
    "cache-control": `public, max-age=${jwksMaxAgeSeconds(settings.rotationPeriodDays)}`,
    etag: found.etag,
    "access-control-allow-origin": "*",
  };
  if (ifNoneMatchMatches(request.headers.get("if-none-match"), found.etag)) {
    return new Response(null, { status: 304, headers });
  }
  return new Response(request.method === "HEAD" ? null : found.body, { status: 200, headers });
}

async function fromEdgeCache(settings: IssuerSettings): Promise<JwksBody | undefined> {
  try {
    const cached = await caches.default.match(jwksCacheKey(settings));
    if (!cached) return undefined;
    const found = { body: await cached.text(), etag: cached.headers.get("etag") ?? "" };
    const cachedAt = Number(cached.headers.get(CACHED_AT_HEADER));
    return Number.isFinite(cachedAt) && cachedAt > 0 ? mirrored(found, cachedAt) : found;
  } catch {
    return undefined;
  }
}

async function fromOrigin(
  env: IssuerEnv,
  ctx: ExecutionContext,
  settings: IssuerSettings,
): Promise<JwksBody | undefined> {
  let found: JwksBody | undefined;
  try {
    const { value, metadata } = await env.JWKS.getWithMetadata<JwksKvMetadata>(JWKS_KV_KEY, "text");
    if (value) found = { body: value, etag: metadata?.etag ?? (await jwksEtag(value)) };
  } catch (error) {
    console.error(JSON.stringify({ event: "jwks.kv_unavailable", error: String(error) }));
  }
  if (!found) {
    try {
      const body = await keyStoreOf(env).jwks();
      found = { body, etag: await jwksEtag(body) };
    } catch (error) {
      console.error(JSON.stringify({ event: "jwks.key_store_unavailable", error: String(error) }));
      return undefined;
    }
  }
  const cachedAt = Date.now();
  const cached = new Response(found.body, {
    headers: {
      "content-type": JSON_TYPE,
      etag: found.etag,
      "cache-control": `public, max-age=${EDGE_CACHE_MS / 1_000}`,
      [CACHED_AT_HEADER]: String(cachedAt),
    },
  });
  ctx.waitUntil(caches.default.put(jwksCacheKey(settings), cached).catch(() => undefined));
  return mirrored(found, cachedAt);
}
