// The operator page's documents: the page itself (a header, the four panels) and the sign-in
// form. Plain HTML with one stylesheet from the issuer (STYLESHEET_PATH) and no script: the
// Content-Security-Policy the route sends (worker/admin/page-route.ts) allows nothing else.

import type { RuntimeSettings } from "../../runtime-config/types.js";
import { renderActivity } from "./activity.js";
import { text } from "./escape.js";
import { utc, utcAttribute } from "./format.js";
import { renderKeyTimeline } from "./key-timeline.js";
import { renderRegistry } from "./registry.js";
import { renderRevocations } from "./revocations.js";
import type { PageView } from "./view.js";

export const PAGE_PATH = "/admin/";
export const STYLESHEET_PATH = "/admin/page.css";
export const SIGN_IN_PATH = "/admin/session";
export const SIGN_OUT_PATH = "/admin/sign-out";
/** The sign-in form's field holding the admin token. */
export const TOKEN_FIELD = "token";

type PageSettings = Pick<RuntimeSettings, "project" | "stack" | "issuer" | "workloads" | "workflows">;

export interface PageInput {
  readonly config: PageSettings;
  readonly view: PageView;
  /** How the viewer got in, for the header: "admin token", "session", or the Access identity. */
  readonly viewer: string;
  /** Whether the viewer came in through a session cookie, which the sign-out button ends. */
  readonly session: boolean;
}

function document(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${text(title)}</title>
<link rel="stylesheet" href="${STYLESHEET_PATH}">
</head>
<body>
${body}
</body>
</html>
`;
}

export function renderPage(input: PageInput): string {
  const { config, view } = input;
  const title = `worker-identity: ${config.project}/${config.stack}`;
  const signOut = input.session
    ? `<form class="sign-out" method="post" action="${SIGN_OUT_PATH}"><button type="submit">Sign out</button></form>`
    : "";
  return document(
    title,
    `<header>
<div class="header-row"><h1>worker-identity operator page</h1>${signOut}</div>
<p>Stack <strong>${text(config.project)}/${text(config.stack)}</strong>, issuer <code>${text(config.issuer.issuerUrl)}</code>, read at <time datetime="${utcAttribute(view.keys.now)}">${text(utc(view.keys.now))}</time> (viewer: ${text(input.viewer)}).</p>
<nav aria-label="Panels"><a href="#keys">Signing keys</a> <a href="#registry">Registry</a> <a href="#activity">Issuance</a> <a href="#revocations">Revocations</a></nav>
</header>
<main>
${renderKeyTimeline(view.keys)}
${renderRegistry(config)}
${renderActivity(view.activity)}
${renderRevocations(view.revocations)}
</main>
<footer><p>Read-only. Rotate, revoke and list through the admin API (Authorization: Bearer &lt;ADMIN_TOKEN&gt;) or <code>wid keys</code>, <code>wid revoke</code>.</p></footer>`,
  );
}

export interface SignInInput {
  readonly project: string;
  readonly stack: string;
  /** Why the form is shown again, for the person: a refused token, an expired session. */
  readonly notice?: string;
}

export function renderSignIn(input: SignInInput): string {
  const notice = input.notice === undefined ? "" : `<p class="notice" role="alert">${text(input.notice)}</p>`;
  return document(
    `Sign in: worker-identity ${input.project}/${input.stack}`,
    `<main class="sign-in">
<h1>worker-identity operator page</h1>
<p>Stack <strong>${text(input.project)}/${text(input.stack)}</strong>. Sign in with the issuer's admin token (the ADMIN_TOKEN secret; locally, <code>adminToken</code> in <code>.wid/local-secrets.json</code>).</p>
${notice}
<form method="post" action="${SIGN_IN_PATH}">
<label for="token">Admin token</label>
<input id="token" name="${TOKEN_FIELD}" type="password" autocomplete="off" required minlength="1" maxlength="1024">
<button type="submit">Sign in</button>
</form>
</main>`,
  );
}
