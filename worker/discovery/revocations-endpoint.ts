// GET /revocations.json: the revocation list as the key store published it to KV, for relying
// parties (the verifier's `revocationList` option). Like the JWKS, reads never touch the key
// store unless KV has nothing (worker/publishing/published-document.ts); answers carry a strong
// ETag, honour If-None-Match, and may be cached REVOCATIONS_MAX_AGE_SECONDS, the delay a
// revocation takes to reach a relying party (after KV propagation).

import type { IssuerEnv } from "../bindings/env.js";
import { keyStoreOf } from "../keys/key-store-stub.js";
import { REVOCATIONS_DOCUMENT } from "../publishing/documents.js";
import { readPublished, servePublished } from "../publishing/published-document.js";
import { REVOCATIONS_MAX_AGE_SECONDS } from "../revocation/list.js";

export function serveRevocations(request: Request, env: IssuerEnv): Promise<Response> {
  return servePublished(
    request,
    REVOCATIONS_DOCUMENT,
    () =>
      readPublished(env.PUBLISHED, REVOCATIONS_DOCUMENT, {
        reader: "revocations endpoint",
        fallback: () => keyStoreOf(env).revocationsBody(),
      }),
    { maxAgeSeconds: REVOCATIONS_MAX_AGE_SECONDS },
  );
}
