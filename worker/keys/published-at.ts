// The reading of the signing_keys.published_at column (worker/keys/STORAGE.md), apart from
// key-rows.ts so it can be tested without a Durable Object's SqlStorage.

/**
 * `published_at` is NULL until a JWKS holding the key reached KV. A non-finite value (a REAL
 * infinity, the in-memory "never" of issuers before publishedAt became nullable, should one have
 * been written) reads as NULL too, so such a row loads and publishes as usual.
 */
export function publishedAtOf(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  const at = Number(value);
  return Number.isFinite(at) ? at : null;
}
