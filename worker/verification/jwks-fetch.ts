// One JWKS request: conditional on the ETag of the copy we hold, with the response's
// Cache-Control max-age reported so the cache can honour it.

import type { JWK } from "jose";
import { maxAgeOf } from "./cache-control.js";
import { JwksUnavailableError } from "./errors.js";
import { fetchFromIssuer } from "./issuer-fetch.js";
import { parseJwks } from "./jwks-document.js";
import type { VerifierFetch } from "./options.js";

export type JwksFetchResult =
  | {
      readonly modified: true;
      readonly keys: ReadonlyMap<string, JWK>;
      readonly etag: string | undefined;
      readonly maxAgeSeconds: number | undefined;
    }
  | { readonly modified: false; readonly maxAgeSeconds: number | undefined };

export async function fetchJwks(
  doFetch: VerifierFetch,
  url: string,
  etag: string | undefined,
): Promise<JwksFetchResult> {
  const response = await fetchFromIssuer(doFetch, url, etag === undefined ? {} : { "if-none-match": etag }, "JWKS");
  const maxAgeSeconds = maxAgeOf(response.headers.get("cache-control"));
  if (response.status === 304) {
    if (etag === undefined)
      throw new JwksUnavailableError(`the JWKS at ${url} answered 304 to an unconditional request`);
    return { modified: false, maxAgeSeconds };
  }
  return {
    modified: true,
    keys: parseJwks(response.body, url),
    etag: response.headers.get("etag") ?? undefined,
    maxAgeSeconds,
  };
}
