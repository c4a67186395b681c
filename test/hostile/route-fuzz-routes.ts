// The routes the route fuzz sends requests to (route-fuzz.test.ts), what a fuzzed request is, and
// which requests it must not send with the admin token (those that could change the stack).

import fc from "fast-check";
import { authorizationValue } from "./mutations.js";
import { segment, type WireRequest } from "./route-fuzz-inputs.js";

/** A route: its path (`{}` is a random segment), the methods it takes and the media type it reads. */
export interface Route {
  readonly path: string;
  readonly methods: readonly string[];
  readonly contentType?: string;
}

/** Every route of the issuer (worker/issuer/router.ts, worker/admin/routes.ts), and unknown paths. */
export const ISSUER_ROUTES: readonly Route[] = [
  { path: "/.well-known/openid-configuration", methods: ["GET", "HEAD"] },
  { path: "/.well-known/jwks.json", methods: ["GET", "HEAD"] },
  { path: "/revocations.json", methods: ["GET", "HEAD"] },
  { path: "/introspect", methods: ["POST"], contentType: "application/x-www-form-urlencoded" },
  { path: "/token", methods: ["POST"], contentType: "application/x-www-form-urlencoded" },
  { path: "/admin", methods: ["GET"] },
  { path: "/admin/", methods: ["GET", "HEAD"] },
  { path: "/admin/page.css", methods: ["GET"] },
  { path: "/admin/session", methods: ["POST"], contentType: "application/x-www-form-urlencoded" },
  { path: "/admin/sign-out", methods: ["POST"] },
  { path: "/admin/keys", methods: ["GET"] },
  { path: "/admin/keys/rotate", methods: ["POST"], contentType: "application/json" },
  { path: "/admin/keys/rewrap", methods: ["POST"] },
  { path: "/admin/keys/{}/revoke", methods: ["POST"] },
  { path: "/admin/keys/{}", methods: ["GET", "POST"] },
  { path: "/admin/revocations", methods: ["GET", "POST"], contentType: "application/json" },
  { path: "/admin/{}", methods: ["GET", "POST"] },
  { path: "/{}", methods: ["GET"] },
  { path: "/{}/{}", methods: ["GET"] },
];
/** Every route of the middleware's rules (test/support/middleware-harness.ts), public and protected, and none. */
export const MIDDLEWARE_ROUTES: readonly Route[] = [
  { path: "/health", methods: ["GET", "HEAD"] },
  { path: "/whoami", methods: ["GET"] },
  { path: "/reports", methods: ["GET", "POST", "DELETE"] },
  { path: "/reports/{}", methods: ["GET", "PUT", "PATCH"] },
  { path: "/reports/{}/{}", methods: ["GET", "POST"] },
  { path: "/accounts/{}/ledger", methods: ["GET"] },
  { path: "/billing-only", methods: ["GET"] },
  { path: "/echo", methods: ["POST", "PUT"], contentType: "application/json" },
  { path: "/{}", methods: ["GET"] },
  { path: "/{}/{}", methods: ["GET", "POST"] },
];
/** Paths other Workers of the test stacks answer (the probe, the example workloads and workflows). */
const OTHER_WORKERS = ["/__probe/", "/workloads/", "/workflows/"];

const KID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
/** A kid of the right shape that the key store has never made (its kids are 43 characters). */
export const unknownKid = fc.string({ unit: fc.constantFrom(...KID_CHARS), minLength: 1, maxLength: 40 });
const MUTATION_FIELDS = new Set(["jti", "exp", "workload", "workflow", "emergency"]);
/** An introspection form: a token (random, or a JWS-looking one) and maybe a hint, form-encoded or not. */
export const introspectionForm = fc
  .tuple(fc.oneof(segment, authorizationValue()), fc.option(segment), fc.boolean())
  .map(([token, hint, encode]) => {
    const value = (v: string) => (encode ? encodeURIComponent(v) : v);
    return new TextEncoder().encode(`token=${value(token)}${hint === null ? "" : `&token_type_hint=${value(hint)}`}`);
  });

/** A token-exchange form (RFC 8693): the grant and token types right or random, a random or JWS-looking subject token. */
export const exchangeForm = fc
  .tuple(
    fc.oneof(fc.constant("urn:ietf:params:oauth:grant-type:token-exchange"), segment),
    fc.oneof(segment, authorizationValue()),
    fc.oneof(fc.constant("urn:ietf:params:oauth:token-type:jwt"), segment),
    fc.option(segment),
    fc.boolean(),
  )
  .map(([grant, token, type, audience, encode]) => {
    const value = (v: string) => (encode ? encodeURIComponent(v) : v);
    const fields = [`grant_type=${value(grant)}`, `subject_token=${value(token)}`, `subject_token_type=${value(type)}`];
    if (audience !== null) fields.push(`audience=${value(audience)}`);
    return new TextEncoder().encode(fields.join("&"));
  });

export interface Fuzzed {
  readonly route: string;
  readonly request: WireRequest;
}

/** The request's path as workerd parses it (dot segments resolved, '\' as '/'). */
export const pathnameOf = (host: string, target: string): string | undefined => {
  try {
    return new URL(`http://${host}${target}`).pathname;
  } catch {
    return undefined;
  }
};
export const reachesOtherWorker = (host: string, target: string) => {
  const path = pathnameOf(host, target)?.toLowerCase();
  return path === undefined || OTHER_WORKERS.some((prefix) => path.startsWith(prefix));
};

/** Whether a request with the admin token could change the keys (`kids`) or the revocation list of the issuer at `host`. */
export function mayMutate(request: WireRequest, host: string, kids: readonly string[]): boolean {
  if (request.method.toUpperCase() !== "POST") return false;
  const path = pathnameOf(host, request.target);
  if (path === undefined) return true;
  const revoked = /^\/admin\/keys\/([^/]+)\/revoke$/.exec(path)?.[1];
  if (revoked !== undefined) {
    try {
      return kids.includes(decodeURIComponent(revoked));
    } catch {
      return false;
    }
  }
  if (path !== "/admin/keys/rotate" && path !== "/admin/revocations") return false;
  const text = new TextDecoder().decode(request.body ?? new Uint8Array());
  if (text.trim() === "") return true;
  try {
    const parsed = JSON.parse(text) as unknown;
    return (
      typeof parsed === "object" &&
      parsed !== null &&
      !Array.isArray(parsed) &&
      Object.keys(parsed).every((k) => MUTATION_FIELDS.has(k))
    );
  } catch {
    return false;
  }
}
