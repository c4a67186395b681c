// The operator page's session cookie: an HMAC over an expiry under a key derived from the admin
// token, never the token itself; refused when tampered with, expired, or made with another token.

import assert from "node:assert/strict";
import {
  checkSession,
  clearedSessionCookie,
  isLoopbackHttp,
  newSession,
  SESSION_LIFETIME_SECONDS,
  sessionCookie,
  sessionOf,
} from "../../worker/admin/session.js";

const TOKEN = `${"a".repeat(20)}-admin-token-for-tests-0123456789`;
const NOW = Date.parse("2026-12-04T12:00:00Z");

describe("operator page: the session cookie", () => {
  it("lasts four hours and is valid until then, under the token that made it only", async () => {
    const { value, expiresAt } = await newSession(TOKEN, NOW);
    assert.equal(SESSION_LIFETIME_SECONDS, 14_400);
    assert.equal(expiresAt, NOW / 1_000 + 14_400);
    assert.match(value, /^v1\.\d+\.[A-Za-z0-9_-]{43}$/);
    assert.ok(!value.includes(TOKEN));
    assert.equal(await checkSession(value, TOKEN, NOW), "valid");
    assert.equal(await checkSession(value, TOKEN, NOW + 14_399_000), "valid");
    assert.equal(await checkSession(value, TOKEN, NOW + 14_400_000), "expired");
    assert.equal(await checkSession(value, `${TOKEN}x`, NOW), "invalid");
  });

  it("refuses a session whose expiry was pushed out, whose MAC was changed, or that is malformed", async () => {
    const { value } = await newSession(TOKEN, NOW);
    const [, exp, mac] = value.split(".") as [string, string, string];
    assert.equal(await checkSession(`v1.${Number(exp) + 86_400}.${mac}`, TOKEN, NOW), "invalid");
    const flipped = mac.slice(0, -1) + (mac.endsWith("A") ? "B" : "A");
    assert.equal(await checkSession(`v1.${exp}.${flipped}`, TOKEN, NOW), "invalid");
    for (const bad of ["", TOKEN, `v2.${exp}.${mac}`, `v1.${exp}`, `v1.-1.${mac}`, `v1.${exp}.${mac}=`]) {
      assert.equal(await checkSession(bad, TOKEN, NOW), "invalid", bad);
    }
  });

  it("is HttpOnly, SameSite=Strict, Path=/admin, and Secure except over loopback http", () => {
    const https = sessionCookie("v", new URL("https://id.example.dev/admin/session"));
    assert.equal(https, "wid_admin_session=v; Path=/admin; Max-Age=14400; HttpOnly; SameSite=Strict; Secure");
    const local = sessionCookie("v", new URL("http://127.0.0.1:8787/admin/session"));
    assert.equal(local, "wid_admin_session=v; Path=/admin; Max-Age=14400; HttpOnly; SameSite=Strict");
    assert.ok(sessionCookie("v", new URL("http://id.example.dev/admin/session")).endsWith("; Secure"));
    assert.equal(
      clearedSessionCookie(new URL("https://id.example.dev/")),
      "wid_admin_session=; Path=/admin; Max-Age=0; HttpOnly; SameSite=Strict; Secure",
    );
    assert.deepEqual(
      [
        "http://localhost:1/",
        "http://[::1]:2/",
        "http://127.9.0.1/",
        "https://127.0.0.1/",
        "http://127.0.0.1.example/",
      ].map((u) => isLoopbackHttp(new URL(u))),
      [true, true, true, false, false],
    );
  });

  it("is read from the Cookie header by its name alone", () => {
    const request = (cookie: string) => new Request("https://x/admin/", { headers: { cookie } });
    assert.equal(sessionOf(request("a=1; wid_admin_session=v1.2.m; b=3")), "v1.2.m");
    assert.equal(sessionOf(request("xwid_admin_session=v1.2.m")), undefined);
    assert.equal(sessionOf(new Request("https://x/admin/")), undefined);
  });
});
