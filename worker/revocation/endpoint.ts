// GET /revocations.json: the revocation list as the key store published it to KV, for relying
// parties (the verifier's `revocationList` option). Like the JWKS, reads never touch the key
// store unless KV has nothing; answers carry a strong ETag, honour If-None-Match, and may be
// cached REVOCATIONS_MAX_AGE_SECONDS, the delay a revocation takes to reach a relying party
// (after KV propagation).

import { ifNoneMatchMatches } from "../http/conditional.js";
import { problemResponse } from "../http/problem.js";
import type { IssuerEnv } from "../issuer/env.js";
import { jwksEtag } from "../keys/jwks.js";
import { keyStoreOf } from "../keys/key-store-stub.js";
import type { RevocationsKvMetadata } from "./ledger.js";
import { REVOCATIONS_KV_KEY, REVOCATIONS_MAX_AGE_SECONDS } from "./list.js";

export async function serveRevocations(request: Request, env: IssuerEnv): Promise<Response> {
  if (request.method !== "GET" && request.method !== "HEAD") {
    return problemResponse(
      { status: 405, title: "Method not allowed", detail: "use GET", code: "ERR_METHOD_NOT_ALLOWED" },
      { allow: "GET, HEAD" },
    );
  }
  let body: string | null = null;
  let etag: string | undefined;
  try {
    const found = await env.JWKS.getWithMetadata<RevocationsKvMetadata>(REVOCATIONS_KV_KEY, "text");
    body = found.value;
    etag = found.metadata?.etag;
  } catch (error) {
    console.error(JSON.stringify({ event: "revocations.kv_unavailable", error: String(error) }));
  }
  if (body === null) {
    try {
      body = await keyStoreOf(env).revocationsBody();
    } catch (error) {
      console.error(JSON.stringify({ event: "revocations.key_store_unavailable", error: String(error) }));
      return problemResponse(
        {
          status: 503,
          title: "Revocation list unavailable",
          detail: "neither KV nor the key store could provide it; retry shortly",
          code: "ERR_REVOCATION_UNAVAILABLE",
        },
        { "retry-after": "5" },
      );
    }
  }
  etag ??= await jwksEtag(body);
  const headers = {
    "content-type": "application/json",
    "cache-control": `public, max-age=${REVOCATIONS_MAX_AGE_SECONDS}`,
    etag,
    "access-control-allow-origin": "*",
  };
  if (ifNoneMatchMatches(request.headers.get("if-none-match"), etag)) {
    return new Response(null, { status: 304, headers });
  }
  return new Response(request.method === "HEAD" ? null : body, { status: 200, headers });
}
