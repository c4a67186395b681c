// The operator page's session cookie. A browser cannot send `Authorization: Bearer`, so signing
// in with the admin token (page-route.ts) sets a cookie that is not the token: `v1.<exp>.<mac>`,
// the MAC an HMAC-SHA256 over the expiry (seconds) under a key derived from ADMIN_TOKEN. Nothing
// is stored: changing ADMIN_TOKEN ends every session, and a session ends at its expiry. Signing
// out clears the browser's cookie; a copy taken before stays valid until it expires (at most
// SESSION_LIFETIME_SECONDS), which is why the cookie is HttpOnly, SameSite=Strict, Path=/admin
// and Secure wherever the page is served over HTTPS.

import { decodeBase64url, encodeBase64url } from "../encoding/base64url.js";

export const SESSION_COOKIE = "wid_admin_session";
/** A few hours: a working session, never a standing credential. */
export const SESSION_LIFETIME_SECONDS = 4 * 60 * 60;
const VERSION = "v1";
/** The derived key's label: a session MAC can never be mistaken for any other use of the token. */
const KEY_LABEL = "worker-identity admin page session key v1";
const SESSION_PATTERN = /^v1\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/;

const encoder = new TextEncoder();

// Return types inferred: CryptoKey is a global in Workers' types and not in Node's.
async function hmacKey(secret: Uint8Array) {
  return crypto.subtle.importKey("raw", new Uint8Array(secret), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
    "verify",
  ]);
}

/** HMAC-SHA256(ADMIN_TOKEN, KEY_LABEL): the session key, so the MAC is never keyed by the token itself. */
async function sessionKey(adminToken: string) {
  const root = await hmacKey(encoder.encode(adminToken));
  const derived = new Uint8Array(await crypto.subtle.sign("HMAC", root, encoder.encode(KEY_LABEL)));
  return hmacKey(derived);
}

/** A session value for a sign-in at `nowMs`, valid SESSION_LIFETIME_SECONDS. */
export async function newSession(adminToken: string, nowMs: number): Promise<{ value: string; expiresAt: number }> {
  const exp = Math.floor(nowMs / 1_000) + SESSION_LIFETIME_SECONDS;
  const mac = await crypto.subtle.sign("HMAC", await sessionKey(adminToken), encoder.encode(`${VERSION}.${exp}`));
  return { value: `${VERSION}.${exp}.${encodeBase64url(new Uint8Array(mac))}`, expiresAt: exp };
}

export type SessionCheck = "valid" | "expired" | "invalid";

/**
 * Whether `value` is a session this admin token made, unexpired at `nowMs`. The MAC is checked
 * with WebCrypto's verify (constant time) before the expiry is read as meaningful.
 */
export async function checkSession(value: string, adminToken: string, nowMs: number): Promise<SessionCheck> {
  const match = SESSION_PATTERN.exec(value);
  if (match === null) return "invalid";
  const exp = Number(match[1]);
  const mac = decodeBase64url(match[2] as string);
  if (mac === undefined) return "invalid";
  const ok = await crypto.subtle.verify("HMAC", await sessionKey(adminToken), mac, encoder.encode(`${VERSION}.${exp}`));
  if (!ok) return "invalid";
  const now = Math.floor(nowMs / 1_000);
  // A valid MAC over a far expiry would mean a longer lifetime than this code ever issues.
  if (exp > now + SESSION_LIFETIME_SECONDS) return "invalid";
  return now < exp ? "valid" : "expired";
}

/** The session cookie's value in a request's Cookie header; undefined when it has none. */
export function sessionOf(request: Request): string | undefined {
  const header = request.headers.get("cookie");
  if (header === null) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Plain HTTP is allowed for a loopback address only (`npm start`); anywhere else the cookie is Secure. */
export function isLoopbackHttp(url: URL): boolean {
  if (url.protocol !== "http:") return false;
  const host = url.hostname;
  return host === "localhost" || host === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function attributes(url: URL, maxAge: number): string {
  return `Path=/admin; Max-Age=${maxAge}; HttpOnly; SameSite=Strict${isLoopbackHttp(url) ? "" : "; Secure"}`;
}

export function sessionCookie(value: string, url: URL): string {
  return `${SESSION_COOKIE}=${value}; ${attributes(url, SESSION_LIFETIME_SECONDS)}`;
}

export function clearedSessionCookie(url: URL): string {
  return `${SESSION_COOKIE}=; ${attributes(url, 0)}`;
}
