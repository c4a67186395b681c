// One path for the documents the key store publishes (documents.ts): read KV first, the key
// store only when KV has nothing (absent or empty) or cannot be read, and serve the result with a
// strong ETag, If-None-Match (304), HEAD and cache headers. The JWKS endpoint puts its isolate
// mirror and edge cache in front of `readPublished`; introspection and issuance read through it.

import { ifNoneMatchMatches } from "../http/conditional.js";
import { issuerProblem, methodNotAllowed } from "../http/issuer-problems.js";
import type { PublishedDocument } from "./documents.js";
import { etagOf } from "./etag.js";
import { withKvDeadline } from "./kv-deadline.js";

/** What of a KV namespace the reader needs (a KVNamespace is one; tests pass a stub). */
export interface PublishedKv {
  getWithMetadata(key: string, type: "text"): Promise<{ readonly value: string | null; readonly metadata: unknown }>;
}

export interface PublishedBody {
  readonly body: string;
  readonly etag: string;
}

export interface ReadOptions {
  /** Who reads, for the log events: "jwks endpoint", "introspection", "issuance", ... */
  readonly reader: string;
  /** The key store's copy, asked when KV has none; absent: KV only (undefined without a copy there). */
  readonly fallback?: () => Promise<string>;
}

/** KV's copy of `document`, undefined when absent or empty; throws when KV cannot be read in time. */
export async function readPublishedKv(
  kv: PublishedKv,
  document: PublishedDocument,
): Promise<PublishedBody | undefined> {
  const { value, metadata } = await withKvDeadline("read", document.kvKey, kv.getWithMetadata(document.kvKey, "text"));
  if (value === null || value === "") return undefined;
  return { body: value, etag: await etagOf(value, metadata) };
}

/** `document` from KV, else from the fallback; undefined when neither provides it (both logged). */
export async function readPublished(
  kv: PublishedKv,
  document: PublishedDocument,
  options: ReadOptions,
): Promise<PublishedBody | undefined> {
  const log = (event: string, error: unknown) =>
    console.error(JSON.stringify({ event, document: document.name, reader: options.reader, error: String(error) }));
  try {
    const found = await readPublishedKv(kv, document);
    if (found !== undefined || options.fallback === undefined) return found;
  } catch (error) {
    log("published.kv_unavailable", error);
    if (options.fallback === undefined) return undefined;
  }
  try {
    const body = await options.fallback();
    return { body, etag: await etagOf(body, undefined) };
  } catch (error) {
    log("published.key_store_unavailable", error);
    return undefined;
  }
}

export interface ServeOptions {
  /** Seconds a client or shared cache may reuse the answer. */
  readonly maxAgeSeconds: number;
}

/**
 * Answers a request for `document`: 405 unless GET or HEAD, 503 (Retry-After: 5) when `load`
 * finds no copy, 304 when If-None-Match matches, else 200 (without a body for HEAD).
 */
export async function servePublished(
  request: Request,
  document: PublishedDocument,
  load: () => Promise<PublishedBody | undefined>,
  options: ServeOptions,
): Promise<Response> {
  if (request.method !== "GET" && request.method !== "HEAD") {
    return methodNotAllowed(["GET", "HEAD"]);
  }
  const found = await load();
  if (found === undefined) return issuerProblem(document.unavailable.code, document.unavailable.detail);
  const headers = {
    "content-type": "application/json",
    "cache-control": `public, max-age=${options.maxAgeSeconds}`,
    etag: found.etag,
    "access-control-allow-origin": "*",
  };
  if (ifNoneMatchMatches(request.headers.get("if-none-match"), found.etag)) {
    return new Response(null, { status: 304, headers });
  }
  return new Response(request.method === "HEAD" ? null : found.body, { status: 200, headers });
}
