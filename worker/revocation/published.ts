// The revocation list as an issuer isolate reads it for issuance: the document the key store
// published to KV, cached per isolate for a few seconds. Issuance uses it only to avoid handing
// out tokens that are already revoked (a cached token, or one signed in a kill switch's own
// second); enforcement is the relying parties' (introspection or the list), so a KV failure here
// degrades to "no revocations known" rather than refusing tokens: KV only, through the shared
// reader (worker/publishing/published-document.ts) but without its key store fallback, so a KV
// outage never puts the single key store on the issuance path.

import { SharedValue } from "../isolate/shared-value.js";
import { REVOCATIONS_DOCUMENT } from "../publishing/documents.js";
import { type PublishedKv, readPublished } from "../publishing/published-document.js";
import { type IssuanceRevocations, issuanceRevocations } from "./issuance.js";
import { parseRevocationDocument, type RevocationEntry } from "./list.js";

/** How long an isolate trusts its copy; the admin API drops the copy of the isolate it runs in. */
export const PUBLISHED_LIST_CACHE_MS = 10_000;

/**
 * Of PUBLISHED_LIST_CACHE_MS, the last part in which the copy may still be used while another
 * request re-reads it: the copy is due this much earlier, so none is used past the cache bound.
 */
const REFRESH_GRACE_MS = 2_000;

/** Shared between requests as a value, never a promise (worker/isolate/shared-value.ts). */
class PublishedRevocations {
  readonly #list = new SharedValue<readonly RevocationEntry[]>(REFRESH_GRACE_MS);

  get(kv: PublishedKv, nowMs: number): Promise<readonly RevocationEntry[]> {
    return this.#list.get(nowMs, async () => ({
      value: await load(kv),
      validUntil: nowMs + PUBLISHED_LIST_CACHE_MS - REFRESH_GRACE_MS,
    }));
  }

  /** This isolate changed the list: its copy is out of date. */
  invalidate(): void {
    this.#list.invalidate();
  }
}

async function load(kv: PublishedKv): Promise<readonly RevocationEntry[]> {
  // KV unreadable (logged by the reader) or no list published: no revocations known.
  const found = await readPublished(kv, REVOCATIONS_DOCUMENT, { reader: "issuance" });
  if (found === undefined) return [];
  try {
    const document = parseRevocationDocument(JSON.parse(found.body) as unknown);
    if (document !== undefined) return document.entries;
  } catch {
    // Not JSON: logged below like a document of the wrong shape.
  }
  console.error(
    JSON.stringify({ event: "published.malformed", document: REVOCATIONS_DOCUMENT.name, reader: "issuance" }),
  );
  return [];
}

export const publishedRevocations = new PublishedRevocations();

/** The issuance guard of this isolate, over the published list in `kv`. */
export function issuanceRevocationsFrom(kv: PublishedKv): IssuanceRevocations {
  return issuanceRevocations((nowMs) => publishedRevocations.get(kv, nowMs));
}
