// The admin API: key listing, rotation (safe or emergency) and key revocation; token
// revocations (revocations.ts); the operator page at /admin/ (page-route.ts).
//   GET  /admin/keys
//   POST /admin/keys/rotate          body: {"emergency": true} to stop signing with the active key now
//   POST /admin/keys/<kid>/revoke
//   POST /admin/keys/rewrap          re-seals every key under KEY_ENCRYPTION_KEY (a KEK rotation)
// Every answer is JSON; failures are problem+json.

import type { IssuerEnv } from "../bindings/env.js";
import { clockFromOffset } from "../clock.js";
import type { IssuerSettings } from "../config/types.js";
import { jwksCacheKey } from "../discovery/jwks-endpoint.js";
import { InvalidRequestError } from "../errors.js";
import { issuerProblem, methodNotAllowed } from "../http/issuer-problems.js";
import { decodePathSegment } from "../http/path-segment.js";
import { readRequestText } from "../http/request-body.js";
import { forgetIsolateKeys } from "../isolate-caches.js";
import { keyStoreOf } from "../keys/key-store-stub.js";
import type { KeyListing } from "../keys/key-store-types.js";
import { parseJsonObject } from "../options/json-value.js";
import type { RuntimeSettings } from "../runtime-config/types.js";
import { authenticateAdmin, MIN_ADMIN_TOKEN_LENGTH } from "./auth.js";
import { handlePage, PAGE_ROUTES } from "./page-route.js";
import { ADMIN_REVOCATIONS_PATH, handleRevocationAdmin } from "./revocations.js";

const KID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;
const MAX_BODY_BYTES = 1_024;

export async function handleAdmin(
  request: Request,
  env: IssuerEnv,
  config: RuntimeSettings,
  path: string,
): Promise<Response> {
  // The operator page takes a browser's credentials too (page-route.ts); the API only the Bearer token.
  if (PAGE_ROUTES.has(path)) {
    const nowMs = clockFromOffset(env.TEST_CLOCK_OFFSET_SECONDS).now();
    return handlePage(request, { adminToken: env.ADMIN_TOKEN, nowMs, keyStore: keyStoreOf(env) }, config, path);
  }
  const auth = await authenticateAdmin(request, env.ADMIN_TOKEN);
  if (auth === "disabled") {
    return issuerProblem(
      "ERR_ADMIN_DISABLED",
      `set the ADMIN_TOKEN secret (at least ${MIN_ADMIN_TOKEN_LENGTH} characters) to enable the admin API`,
    );
  }
  if (auth !== "ok") {
    return issuerProblem("ERR_ADMIN_UNAUTHORIZED", "send Authorization: Bearer <ADMIN_TOKEN>", {
      "www-authenticate": `Bearer realm="worker-identity-admin"${auth === "invalid" ? ', error="invalid_token"' : ""}`,
    });
  }
  if (path === ADMIN_REVOCATIONS_PATH) return handleRevocationAdmin(request, env, config);
  const store = keyStoreOf(env);
  if (path === "/admin/keys") {
    if (request.method !== "GET") return methodNotAllowed(["GET"]);
    return Response.json(await store.listKeys());
  }
  if (path === "/admin/keys/rotate") {
    if (request.method !== "POST") return methodNotAllowed(["POST"]);
    const emergency = await readEmergencyFlag(request);
    return keysChanged(() => store.rotate(emergency), config.issuer);
  }
  if (path === "/admin/keys/rewrap") {
    if (request.method !== "POST") return methodNotAllowed(["POST"]);
    // No cache to forget: the keys are the same, only sealed anew; isolates open either sealing.
    return Response.json(await store.rewrap());
  }
  const revoke = /^\/admin\/keys\/([^/]+)\/revoke$/.exec(path);
  if (revoke?.[1] !== undefined) {
    if (request.method !== "POST") return methodNotAllowed(["POST"]);
    const kid = decodePathSegment(revoke[1]);
    if (kid === undefined) {
      throw new InvalidRequestError(
        "the kid in /admin/keys/<kid>/revoke has a malformed percent-escape; a kid is 1 to 128 base64url characters, copy it from GET /admin/keys",
      );
    }
    if (!KID_PATTERN.test(kid))
      throw new InvalidRequestError("a kid is 1 to 128 base64url characters; copy it from GET /admin/keys");
    return keysChanged(() => store.revoke(kid), config.issuer);
  }
  return issuerProblem(
    "ERR_NOT_FOUND",
    "no such admin route; the admin routes are GET /admin/ (the operator page), GET /admin/keys, POST /admin/keys/rotate, POST /admin/keys/rewrap, POST /admin/keys/<kid>/revoke, GET and POST /admin/revocations",
  );
}

async function readEmergencyFlag(request: Request): Promise<boolean> {
  const text = await readRequestText(request, MAX_BODY_BYTES, 'the rotate body is at most 1 KiB: {"emergency": true}');
  if (text.trim() === "") return false;
  const body = parseJsonObject(
    text,
    (expected) =>
      new InvalidRequestError(
        expected === "json"
          ? 'the rotate body must be JSON such as {"emergency": true}'
          : 'the rotate body must be a JSON object such as {"emergency": true}',
      ),
  );
  const unknown = Object.keys(body).filter((k) => k !== "emergency");
  const emergency = body.emergency;
  if (unknown.length > 0 || (emergency !== undefined && typeof emergency !== "boolean")) {
    throw new InvalidRequestError("the rotate body takes one field, emergency: boolean");
  }
  return emergency === true;
}

/**
 * The keys changed: drop this isolate's signing key and this location's cached JWKS (other
 * locations' copies expire within EDGE_CACHE_MS), then answer the listing. Also when the call
 * fails: a key store reset after the change committed loses the answer, not the change.
 */
async function keysChanged(change: () => Promise<KeyListing>, settings: IssuerSettings): Promise<Response> {
  try {
    return Response.json(await change());
  } finally {
    forgetIsolateKeys();
    try {
      await caches.default.delete(jwksCacheKey(settings));
    } catch {
      // Best effort: the cached copy expires on its own.
    }
  }
}
