// The operator page's routes (worker/admin/page/ renders it), for the admin only:
//   GET  /admin               308 to /admin/
//   GET  /admin/              the page, to `Authorization: Bearer <ADMIN_TOKEN>`, a session cookie
//                             (session.ts) or, where the stack configures Access, a valid Access JWT
//                             (access.ts); to anyone else the sign-in form
//   GET  /admin/page.css      its stylesheet (no secret in it: served to the sign-in form too)
//   POST /admin/session       the sign-in form: the admin token, compared in constant time; sets
//                             the session cookie and answers 303 to /admin/
//   POST /admin/sign-out      clears the cookie, 303 to /admin/
// Every answer carries PAGE_HEADERS: a CSP that allows no script at all, no-store, nosniff, no
// referrer. A page view reads the key store once (adminView). Errors are problem+json.

import { errorCodeOf, errorDetailOf, InvalidRequestError, KeyStoreUnavailableError } from "../errors.js";
import { issuerProblem, methodNotAllowed } from "../http/issuer-problems.js";
import { readRequestText } from "../http/request-body.js";
import { secretsEqual } from "../http/secret-compare.js";
import type { RuntimeSettings } from "../runtime-config/types.js";
import { authenticateAccess } from "./access.js";
import { authenticateAdmin, MIN_ADMIN_TOKEN_LENGTH } from "./auth.js";
import {
  PAGE_PATH,
  renderPage,
  renderSignIn,
  SIGN_IN_PATH,
  SIGN_OUT_PATH,
  STYLESHEET_PATH,
  TOKEN_FIELD,
} from "./page/layout.js";
import { STYLESHEET } from "./page/stylesheet.js";
import type { PageView } from "./page/view.js";
import { checkSession, clearedSessionCookie, newSession, sessionCookie, sessionOf } from "./session.js";

/** The bare admin path, redirected to the page. */
const ADMIN_ROOT = "/admin";
export const PAGE_ROUTES: ReadonlySet<string> = new Set([
  ADMIN_ROOT,
  PAGE_PATH,
  STYLESHEET_PATH,
  SIGN_IN_PATH,
  SIGN_OUT_PATH,
]);

/** The sign-in body holds one token of at most a kilobyte, form-encoded. */
const MAX_SIGN_IN_BYTES = 4_096;

/**
 * On every answer of the page routes. No script source at all (default-src 'none' and no
 * script-src); the stylesheet from the issuer; forms post only to the issuer; never framed.
 */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy":
    "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};

const HTML = "text/html; charset=utf-8";

/**
 * What the page routes read of the issuer: its admin token, its clock, and the key store (one
 * `adminView` RPC per page view, nothing else). routes.ts builds it from the bindings; tests hand
 * over a key store that counts its calls.
 */
export interface PageContext {
  readonly adminToken: string | undefined;
  readonly nowMs: number;
  readonly keyStore: { adminView(): Promise<PageView> };
}

export async function handlePage(
  request: Request,
  context: PageContext,
  config: RuntimeSettings,
  path: string,
): Promise<Response> {
  let response: Response;
  try {
    response = await route(request, context, config, path);
  } catch (error) {
    const code = errorCodeOf(error);
    if (code === undefined || !(error instanceof Error)) throw error;
    response = issuerProblem(code, errorDetailOf(error));
  }
  for (const [name, value] of Object.entries(PAGE_HEADERS)) response.headers.set(name, value);
  return response;
}

async function route(request: Request, context: PageContext, config: RuntimeSettings, path: string): Promise<Response> {
  const url = new URL(request.url);
  if (path === ADMIN_ROOT) return new Response(null, { status: 308, headers: { location: PAGE_PATH } });
  if (path === STYLESHEET_PATH) {
    if (request.method !== "GET" && request.method !== "HEAD") return methodNotAllowed(["GET", "HEAD"]);
    return new Response(request.method === "HEAD" ? null : STYLESHEET, {
      headers: { "content-type": "text/css; charset=utf-8" },
    });
  }
  if (path === SIGN_OUT_PATH) {
    if (request.method !== "POST") return methodNotAllowed(["POST"]);
    refuseForeignOrigin(request, url);
    return seeOther({ "set-cookie": clearedSessionCookie(url) });
  }
  if (path === SIGN_IN_PATH) {
    if (request.method !== "POST") return methodNotAllowed(["POST"]);
    return signIn(request, context, config, url);
  }
  if (request.method !== "GET" && request.method !== "HEAD") return methodNotAllowed(["GET", "HEAD"]);
  return viewPage(request, context, config);
}

async function viewPage(request: Request, context: PageContext, config: RuntimeSettings): Promise<Response> {
  const { nowMs } = context;
  const adminToken = enabledToken(context.adminToken);
  // A Bearer header is the admin API's credential: judged as the API judges it, never ignored.
  if (request.headers.has("authorization")) {
    const auth = await authenticateAdmin(request, context.adminToken);
    if (auth === "ok") return page(context, config, "admin token", false);
    if (auth === "disabled") return adminDisabled();
    return unauthorized(auth === "invalid");
  }
  const session = sessionOf(request);
  let notice: string | undefined;
  if (session !== undefined && adminToken !== undefined) {
    const check = await checkSession(session, adminToken, nowMs);
    if (check === "valid") return page(context, config, "signed in with the admin token", true);
    notice =
      check === "expired" ? "Your session has ended: sign in again." : "That session is not valid here: sign in again.";
  }
  const access = await authenticateAccess(request, config.access, nowMs);
  if (access.result === "ok") return page(context, config, `Cloudflare Access: ${access.identity}`, false);
  if (access.result === "invalid" || access.result === "unavailable") {
    notice = `Cloudflare Access did not vouch for this request (${access.reason}): sign in with the admin token.`;
  }
  if (adminToken === undefined) {
    // Access alone opens the page: keys it cannot fetch are an outage to retry, not a refusal.
    if (access.result === "unavailable") {
      return issuerProblem(
        "ERR_ACCESS_UNAVAILABLE",
        `the Cloudflare Access team's keys cannot be fetched (${access.reason}); retry shortly, and check the stack's access.teamDomain`,
        { "retry-after": "5" },
      );
    }
    return adminDisabled();
  }
  return signInForm(config, notice, notice === undefined ? 200 : 401);
}

async function page(
  context: PageContext,
  config: RuntimeSettings,
  viewer: string,
  session: boolean,
): Promise<Response> {
  let view: PageView;
  try {
    view = await context.keyStore.adminView();
  } catch (error) {
    if (errorCodeOf(error) !== undefined) throw error;
    throw new KeyStoreUnavailableError(
      `the key store did not answer the page's read (${String(error)}); retry shortly`,
    );
  }
  return new Response(renderPage({ config, view, viewer, session }), { headers: { "content-type": HTML } });
}

async function signIn(request: Request, context: PageContext, config: RuntimeSettings, url: URL): Promise<Response> {
  const adminToken = enabledToken(context.adminToken);
  if (adminToken === undefined) return adminDisabled();
  refuseForeignOrigin(request, url);
  const type = request.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded") {
    return issuerProblem(
      "ERR_INVALID_REQUEST",
      `the sign-in form is posted as application/x-www-form-urlencoded with one field, ${TOKEN_FIELD}; sign in from ${PAGE_PATH}`,
    );
  }
  const body = await readRequestText(
    request,
    MAX_SIGN_IN_BYTES,
    `the sign-in body is at most ${MAX_SIGN_IN_BYTES} bytes: ${TOKEN_FIELD}=<ADMIN_TOKEN>`,
  );
  const presented = new URLSearchParams(body).get(TOKEN_FIELD) ?? "";
  if (presented === "" || !(await secretsEqual(presented, adminToken))) {
    console.log(JSON.stringify({ event: "admin.page_sign_in_refused" }));
    return signInForm(config, "That is not this issuer's admin token.", 401);
  }
  const session = await newSession(adminToken, context.nowMs);
  console.log(JSON.stringify({ event: "admin.page_signed_in", expiresAt: session.expiresAt }));
  return seeOther({ "set-cookie": sessionCookie(session.value, url) });
}

function enabledToken(token: string | undefined): string | undefined {
  return token !== undefined && token.length >= MIN_ADMIN_TOKEN_LENGTH ? token : undefined;
}

/**
 * A cross-site form post is refused before its body is read (the cookie is SameSite=Strict as
 * well): browsers send Origin on every POST, so one that is absent or foreign is no form of ours.
 * Under the page's Referrer-Policy: no-referrer, though, a browser posts even the page's own form
 * with `Origin: null` (Fetch, "serializing a request origin"); then Sec-Fetch-Site, which no page
 * can set, must say same-origin.
 */
function refuseForeignOrigin(request: Request, url: URL): void {
  const origin = request.headers.get("origin");
  const sameOrigin =
    origin === url.origin || (origin === "null" && request.headers.get("sec-fetch-site") === "same-origin");
  if (!sameOrigin) {
    throw new InvalidRequestError(
      `the form is posted from the operator page itself: Origin must be ${url.origin}, this request's is ${origin === null ? "absent" : JSON.stringify(origin.slice(0, 200))}`,
    );
  }
}

function seeOther(headers: Record<string, string>): Response {
  return new Response(null, { status: 303, headers: { location: PAGE_PATH, ...headers } });
}

function signInForm(config: RuntimeSettings, notice: string | undefined, status: 200 | 401): Response {
  const headers: Record<string, string> = { "content-type": HTML };
  if (status === 401) headers["www-authenticate"] = 'Bearer realm="worker-identity-admin"';
  return new Response(
    renderSignIn({ project: config.project, stack: config.stack, ...(notice === undefined ? {} : { notice }) }),
    { status, headers },
  );
}

function adminDisabled(): Response {
  return issuerProblem(
    "ERR_ADMIN_DISABLED",
    `set the ADMIN_TOKEN secret (at least ${MIN_ADMIN_TOKEN_LENGTH} characters) to enable the admin API and its page`,
  );
}

function unauthorized(invalid: boolean): Response {
  return issuerProblem(
    "ERR_ADMIN_UNAUTHORIZED",
    `send Authorization: Bearer <ADMIN_TOKEN>, or sign in at ${PAGE_PATH}`,
    {
      "www-authenticate": `Bearer realm="worker-identity-admin"${invalid ? ', error="invalid_token"' : ""}`,
    },
  );
}
