// The public JWKS document: what the key store publishes to KV and the issuer serves.
// Order is stable (active, next, then retired newest first) so an unchanged key set always
// serializes to the same bytes and the same ETag.

import type { JWK } from "jose";
import type { KeyMeta } from "./timeline.js";

export interface JwksDocument {
  readonly keys: readonly JWK[];
}

/** The KV key the JWKS is published under (see STORAGE.md). */
export const JWKS_KV_KEY = "jwks/v1";

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

/** A strong ETag over the exact bytes served. */
export async function jwksEtag(body: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(body)));
  return `"${[...digest.slice(0, 16)].map((b) => b.toString(16).padStart(2, "0")).join("")}"`;
}
