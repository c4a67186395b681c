// The ETag of a published document (the JWKS, the revocation list): the one the key store wrote
// beside it as KV metadata, else computed over the bytes served.

/** A strong entity tag: a quoted, non-empty string without quotes inside (RFC 9110 §8.8.3). */
const STRONG_ETAG = /^"[\x21\x23-\x7e\x80-\xff]+"$/;

/** A strong ETag over the exact bytes of a published document (the key store records it in KV). */
export async function publishedDocumentEtag(body: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(body)));
  return `"${[...digest.slice(0, 16)].map((b) => b.toString(16).padStart(2, "0")).join("")}"`;
}

/** The ETag of `body` as the key store recorded it in `metadata` ({etag}), or computed over `body`. */
export async function etagOf(body: string, metadata: unknown): Promise<string> {
  const recorded =
    typeof metadata === "object" && metadata !== null ? (metadata as { readonly etag?: unknown }).etag : undefined;
  return typeof recorded === "string" && STRONG_ETAG.test(recorded) ? recorded : await publishedDocumentEtag(body);
}
