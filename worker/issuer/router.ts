// The issuer's HTTP surface: discovery, JWKS, admin, introspection (RFC 7662), the revocation
// list and the token exchange (RFC 8693, of a native token; worker/exchange). Tokens for a bound
// workload are issued over RPC (entrypoint.ts).

import { handleAdmin } from "../admin/routes.js";
import type { IssuerEnv } from "../bindings/env.js";
import { clockFromOffset } from "../clock.js";
import { serveJwks } from "../discovery/jwks-endpoint.js";
import { DISCOVERY_MAX_AGE_SECONDS, openIdConfiguration } from "../discovery/openid-configuration.js";
import { serveRevocations } from "../discovery/revocations-endpoint.js";
import { errorCodeOf, errorDetailOf } from "../errors.js";
import { handleTokenExchange } from "../exchange/route.js";
import { issuerProblem, methodNotAllowed } from "../http/issuer-problems.js";
import {
  ADMIN_PATH,
  DISCOVERY_PATH,
  INTROSPECTION_PATH,
  JWKS_PATH,
  REVOCATIONS_PATH,
  TOKEN_EXCHANGE_PATH,
} from "../http/routes.js";
import { handleIntrospection } from "../introspection/route.js";
import { isKeyStoreFailure } from "../keys/key-store-stub.js";
import { runtimeConfig } from "../runtime-config/embedded.js";
import { activityReport, issueContext } from "./issuance.js";

export async function handleRequest(request: Request, env: IssuerEnv, ctx: ExecutionContext): Promise<Response> {
  const path = new URL(request.url).pathname;
  try {
    const config = runtimeConfig();
    if (path === DISCOVERY_PATH || path === JWKS_PATH) {
      if (request.method !== "GET" && request.method !== "HEAD") {
        return methodNotAllowed(["GET", "HEAD"]);
      }
      if (path === JWKS_PATH) return await serveJwks(request, env, ctx, config.issuer);
      return Response.json(openIdConfiguration(config.issuer), {
        headers: {
          "cache-control": `public, max-age=${DISCOVERY_MAX_AGE_SECONDS}`,
          "access-control-allow-origin": "*",
        },
      });
    }
    if (path === ADMIN_PATH || path.startsWith(`${ADMIN_PATH}/`)) return await handleAdmin(request, env, config, path);
    if (path === INTROSPECTION_PATH) {
      return await handleIntrospection(request, env, config, clockFromOffset(env.TEST_CLOCK_OFFSET_SECONDS).now());
    }
    if (path === REVOCATIONS_PATH) return await serveRevocations(request, env);
    if (path === TOKEN_EXCHANGE_PATH) {
      const nowMs = clockFromOffset(env.TEST_CLOCK_OFFSET_SECONDS).now();
      return await handleTokenExchange(request, env, {
        config,
        nowMs,
        issueContext: () => issueContext(env, config),
        report: activityReport(env, (promise) => ctx.waitUntil(promise)),
      });
    }
    return issuerProblem(
      "ERR_NOT_FOUND",
      `the issuer serves ${DISCOVERY_PATH} and ${JWKS_PATH}; tokens are issued over the service binding, ` +
        `or for a native token at POST ${TOKEN_EXCHANGE_PATH}`,
    );
  } catch (error) {
    // Client input ends in a typed error (bodies through readRequestText, path segments through
    // decodePathSegment), so the 500 below is left for the issuer's own bugs;
    // test/hostile/route-fuzz.test.ts sends every route random input and sees no 5xx.
    const code = errorCodeOf(error);
    if (code !== undefined && error instanceof Error) {
      console.error(JSON.stringify({ event: "http.error", path, code }));
      return issuerProblem(code, errorDetailOf(error));
    }
    if (isKeyStoreFailure(error)) {
      console.error(
        JSON.stringify({ event: "http.error", path, code: "ERR_KEY_STORE_UNAVAILABLE", error: String(error) }),
      );
      return issuerProblem(
        "ERR_KEY_STORE_UNAVAILABLE",
        "the key store was reset or could not be reached; retry shortly (a key operation whose answer was lost was done in full or not at all: GET /admin/keys shows which)",
      );
    }
    console.error(JSON.stringify({ event: "http.error", path, error: String(error) }));
    return issuerProblem("ERR_INTERNAL", "the issuer failed; see its logs");
  }
}
