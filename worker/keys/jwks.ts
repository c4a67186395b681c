// The public JWKS document: what the key store publishes to KV and the issuer serves.
// Order is stable (active, next, then retired newest first) so an unchanged key set always
// serializes to the same bytes and the same ETag.

import type { JWK } from "jose";
import type { KeyMeta } from "./timeline.js";

export interface JwksDocument {
  readonly keys: readonly JWK[];
}

/** Its KV metadata; `etag` is publishedDocumentEtag of the value (worker/publishing/etag.ts). */
export interface JwksKvMetadata {
  readonly etag: string;
  readonly publishedAt: number;
}

const STATE_ORDER: Record<KeyMeta["state"], number> = { active: 0, next: 1, retired: 2 };

export function jwksDocument(keys: readonly (KeyMeta & { readonly publicJwk: JWK })[]): JwksDocument {
  const ordered = [...keys].sort(
    (a, b) => STATE_ORDER[a.state] - STATE_ORDER[b.state] || b.createdAt - a.createdAt || a.kid.localeCompare(b.kid),
  );
  return { keys: ordered.map((k) => k.publicJwk) };
}
