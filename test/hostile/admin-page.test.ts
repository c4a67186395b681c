// Attacks on the operator page's sign-in, in workerd: cookies that are not a session this issuer
// made (the admin token itself, another token's session, a stretched or expired one), a sign-in
// posted from another site, and a session cookie used against the admin API. Each must end at
// the sign-in form or a refusal, never at the page or a state change.

import assert from "node:assert/strict";
import { newSession, SESSION_COOKIE } from "../../worker/admin/session.js";
import { IssuerHarness } from "../support/issuer-harness.js";
import { AWS_AUDIENCE, randomAdminToken } from "../support/stack-fixture.js";

describe("hostile: the operator page's session", function () {
  this.timeout(120_000);
  let issuer: IssuerHarness;
  before(async () => {
    issuer = await IssuerHarness.start();
  });
  after(async () => issuer?.dispose());

  async function withCookie(value: string): Promise<{ status: number; html: string }> {
    const response = await issuer.fetch("/admin/", { headers: { cookie: `${SESSION_COOKIE}=${value}` } });
    return { status: response.status, html: await response.text() };
  }

  function isPage(html: string): boolean {
    return html.includes('<section id="keys"');
  }

  it("a real session opens the page (the control)", async () => {
    const { value } = await newSession(issuer.adminToken as string, Date.now());
    const { status, html } = await withCookie(value);
    assert.equal(status, 200);
    assert.ok(isPage(html));
  });

  it("the admin token itself as the cookie is no session", async () => {
    const { status, html } = await withCookie(issuer.adminToken as string);
    assert.equal(status, 401);
    assert.ok(!isPage(html));
    assert.match(html, /That session is not valid here/);
  });

  it("a session made under another admin token is refused", async () => {
    const { value } = await newSession(randomAdminToken(), Date.now());
    const { status, html } = await withCookie(value);
    assert.equal(status, 401);
    assert.ok(!isPage(html));
  });

  it("a session whose expiry was stretched is refused, and an expired one says so", async () => {
    const { value } = await newSession(issuer.adminToken as string, Date.now());
    const [, exp, mac] = value.split(".") as [string, string, string];
    const stretched = await withCookie(`v1.${Number(exp) + 30 * 86_400}.${mac}`);
    assert.equal(stretched.status, 401);
    assert.ok(!isPage(stretched.html));
    const old = await newSession(issuer.adminToken as string, Date.now() - 5 * 3_600_000);
    const expired = await withCookie(old.value);
    assert.equal(expired.status, 401);
    assert.match(expired.html, /Your session has ended/);
  });

  it("a sign-in posted from another site sets no cookie, even with the right token", async () => {
    for (const origin of [
      "https://evil.example",
      issuer.url.replace("127.0.0.1", "localhost"),
      `${issuer.url}.evil.example`,
    ]) {
      const response = await issuer.fetch("/admin/session", {
        method: "POST",
        redirect: "manual",
        headers: { origin, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ token: issuer.adminToken as string }).toString(),
      });
      assert.equal(response.status, 400, origin);
      assert.equal(response.headers.get("set-cookie"), null, origin);
    }
  });

  it("a session cookie cannot rotate or revoke through the admin API", async () => {
    await issuer.token("billing", AWS_AUDIENCE);
    const { value } = await newSession(issuer.adminToken as string, Date.now());
    const before = (await (await issuer.admin("/admin/keys")).json()) as { keys: { kid: string }[] };
    const headers = { cookie: `${SESSION_COOKIE}=${value}`, origin: issuer.url };
    const rotate = await issuer.fetch("/admin/keys/rotate", { method: "POST", headers, body: '{"emergency":true}' });
    assert.equal(rotate.status, 401);
    assert.ok(before.keys.length > 0);
    const kid = before.keys[0]?.kid as string;
    const revoke = await issuer.fetch(`/admin/keys/${kid}/revoke`, { method: "POST", headers });
    assert.equal(revoke.status, 401);
    const after = (await (await issuer.admin("/admin/keys")).json()) as { keys: { kid: string }[] };
    assert.deepEqual(after.keys, before.keys);
  });
});
