// GET /.well-known/jwks.json. Reads never touch the key store on the hot path:
// isolate mirror → edge cache (Cache API) → KV (published by the key store) → the key store
// itself, only when KV has nothing or cannot be read (worker/publishing/published-document.ts,
// which also answers: strong ETag, If-None-Match, HEAD, cache headers, 503 without a copy).
//
// The mirror is this isolate's copy of the edge cache's entry, dropped when that entry expires
// (its put time travels in a header), so it adds no staleness to the publication bound; it
// exists because one edge cache lookup costs more than a whole static answer (bench/RESULTS.md).
// An admin change of the keys drops it in the isolate that made it (forgetJwksMirror).

import type { IssuerEnv } from "../bindings/env.js";
import type { IssuerSettings } from "../config/types.js";
import { JWKS_PATH } from "../http/routes.js";
import { keyStoreOf } from "../keys/key-store-stub.js";
import { EDGE_CACHE_MS, jwksMaxAgeSeconds } from "../keys/timeline.js";
import { JWKS_DOCUMENT } from "../publishing/documents.js";
import { type PublishedBody, readPublished, servePublished } from "../publishing/published-document.js";

const JSON_TYPE = "application/json";

/** When (platform ms) the edge cache entry was put: the mirror lives no longer than the entry. */
const CACHED_AT_HEADER = "x-jwks-cached-at";

let mirror: (PublishedBody & { readonly until: number }) | undefined;

/** Drops this isolate's copy of the JWKS (after an admin change of the keys). */
export function forgetJwksMirror(): void {
  mirror = undefined;
}

function mirrored(found: PublishedBody, cachedAt: number): PublishedBody {
  mirror = { ...found, until: cachedAt + EDGE_CACHE_MS };
  return found;
}

export function jwksCacheKey(settings: IssuerSettings): Request {
  return new Request(`${settings.issuerUrl}${JWKS_PATH}`);
}

export function serveJwks(
  request: Request,
  env: IssuerEnv,
  ctx: ExecutionContext,
  settings: IssuerSettings,
): Promise<Response> {
  return servePublished(
    request,
    JWKS_DOCUMENT,
    async () => {
      const fresh = mirror !== undefined && Date.now() < mirror.until ? mirror : undefined;
      return fresh ?? (await fromEdgeCache(settings)) ?? (await fromOrigin(env, ctx, settings));
    },
    { maxAgeSeconds: jwksMaxAgeSeconds(settings.rotationPeriodDays) },
  );
}

async function fromEdgeCache(settings: IssuerSettings): Promise<PublishedBody | undefined> {
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
): Promise<PublishedBody | undefined> {
  const found = await readPublished(env.PUBLISHED, JWKS_DOCUMENT, {
    reader: "jwks endpoint",
    fallback: () => keyStoreOf(env).jwks(),
  });
  if (found === undefined) return undefined;
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
