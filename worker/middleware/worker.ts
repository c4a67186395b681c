// The deployable edge middleware Worker. Bindings (README.md in this folder):
//   ISSUER_URL  text   the issuer's URL, exactly the tokens' `iss`
//   AUDIENCES   text   JSON array of the audiences this API accepts
//   RULES       text   the rules document (JSON)
//   ORIGIN      service the origin Worker   ─┐ exactly one
//   ORIGIN_URL  text   the origin's URL     ─┘ (requests keep their path and query)
//   ISSUER      service optional: the issuer Worker, so discovery and the JWKS never cross the internet
//   FORWARD_AUTHORIZATION text optional: "true" keeps the Authorization header on forwarded requests
//   CLIENT_CERTIFICATES   text optional: "cloudflare-edge" reads request.cf.tlsClientAuth (client-certificate.ts)
//   NATIVE_ISSUERS        text optional: JSON array of Cloudflare native issuers trusted beside ISSUER_URL,
//               with their audiences and native subject → workload map (native-issuers-binding.ts)
//   INTROSPECTION_URL, _CLIENT_ID, _CLIENT_SECRET, _FOR; REVOCATION_LIST_URL   optional: refuse tokens
//               of ended workflow instances and revoked tokens (revocation-bindings.ts)
// The configuration is read once per isolate; a broken one answers 503 problem+json naming the
// binding and the fix (and logs every detail) until it is fixed.

import {
  type MiddlewareConfig,
  MiddlewareConfigError,
  type MiddlewareTextBindings,
  readMiddlewareConfig,
} from "./config.js";
import { createMiddleware, type Middleware } from "./middleware.js";
import { refusalResponse } from "./refusals.js";

export interface MiddlewareEnv extends MiddlewareTextBindings {
  readonly ISSUER?: Fetcher;
  readonly ORIGIN?: Fetcher;
}

type Built = { readonly middleware: Middleware } | { readonly error: MiddlewareConfigError };

// Keyed by the env object, which workerd keeps for the isolate's life.
const built = new WeakMap<MiddlewareEnv, Built>();

export default {
  async fetch(request, env) {
    let state = built.get(env);
    if (state === undefined) {
      try {
        state = build(env);
      } catch (error) {
        // Not a configuration problem: a bug. Answer like every other failure, and retry next time.
        console.error(JSON.stringify({ event: "middleware.error", code: "ERR_INTERNAL", error: String(error) }));
        return refusalResponse("ERR_INTERNAL");
      }
      built.set(env, state);
    }
    if ("middleware" in state) return state.middleware(request);
    console.error(
      JSON.stringify({
        event: "middleware.misconfigured",
        code: "ERR_MIDDLEWARE_CONFIG",
        method: request.method,
        path: new URL(request.url).pathname.slice(0, 512),
        problems: state.error.problems.map((p) => `${p.binding} ${p.detail ?? p.fix}`),
      }),
    );
    return refusalResponse("ERR_MIDDLEWARE_CONFIG", `The middleware is misconfigured: ${state.error.summary}.`);
  },
} satisfies ExportedHandler<MiddlewareEnv>;

function build(env: MiddlewareEnv): Built {
  try {
    const config = readMiddlewareConfig(env, { issuer: isFetcher(env.ISSUER), origin: isFetcher(env.ORIGIN) });
    const issuer = env.ISSUER;
    const middleware = createMiddleware({
      issuer: config.issuerUrl,
      audiences: config.audiences,
      rules: config.rules,
      forward: forwarder(config, env),
      forwardAuthorization: config.forwardAuthorization,
      clientCertificates: config.clientCertificates,
      ...config.revocation,
      ...(config.nativeIssuers !== undefined ? { nativeIssuers: config.nativeIssuers } : {}),
      // Only the issuer's own URLs go through its binding: a native issuer's discovery and JWKS are elsewhere.
      ...(config.issuerService && issuer
        ? {
            fetch: (input: string, init?: RequestInit) =>
              sameOrigin(input, config.issuerUrl) ? issuer.fetch(input, init) : fetch(input, init),
          }
        : {}),
    });
    return { middleware };
  } catch (error) {
    if (error instanceof MiddlewareConfigError) return { error };
    // createMiddleware's own checks (the verifier's issuer rules) are configuration problems too.
    if (error instanceof TypeError) {
      return {
        error: new MiddlewareConfigError([
          {
            binding: verifierProblemBinding(error.message),
            fix: "are not accepted by the verifier; see the Worker's log",
            detail: error.message,
          },
        ]),
      };
    }
    throw error;
  }
}

function forwarder(config: MiddlewareConfig, env: MiddlewareEnv): (request: Request) => Promise<Response> {
  const origin = config.origin;
  if (origin.kind === "service") {
    const service = env.ORIGIN!;
    return (request) => service.fetch(request);
  }
  return (request) => {
    const target = new URL(origin.url.href);
    const url = new URL(request.url);
    target.pathname = url.pathname;
    target.search = url.search;
    // The client's Host names the middleware's hostname; the origin gets its own.
    const headers = new Headers(request.headers);
    headers.delete("host");
    return fetch(target.href, { method: request.method, headers, body: request.body, redirect: "manual" });
  };
}

/** Which bindings a verifier option problem is about: NATIVE_ISSUERS' entries, or ISSUER_URL / AUDIENCES. */
function verifierProblemBinding(message: string): string {
  return message.includes("nativeIssuers") ? "NATIVE_ISSUERS" : "ISSUER_URL / AUDIENCES";
}

function sameOrigin(url: string, issuerUrl: string): boolean {
  try {
    return new URL(url).origin === new URL(issuerUrl).origin;
  } catch {
    return false;
  }
}

function isFetcher(value: unknown): value is Fetcher {
  return typeof value === "object" && value !== null && typeof (value as { fetch?: unknown }).fetch === "function";
}
