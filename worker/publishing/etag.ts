// The ETag of a published document (the JWKS, the revocation list): the one the key store wrote
// beside it as KV metadata, else computed over the bytes served.

import { jwksEtag } from "../keys/jwks.js";

/** A strong entity tag: a quoted, non-empty string without quotes inside (RFC 9110 §8.8.3). */
const STRONG_ETAG = /^"[\x21\x23-\x7e\x80-\xff]+"$/;

/** The ETag of `body` as the key store recorded it in `metadata` ({etag}), or computed over `body`. */
export async function etagOf(body: string, metadata: unknown): Promise<string> {
  const recorded =
    typeof metadata === "object" && metadata !== null ? (metadata as { readonly etag?: unknown }).etag : undefined;
  return typeof recorded === "string" && STRONG_ETAG.test(recorded) ? recorded : await jwksEtag(body);
}
