// The operator page's routes in workerd: the sign-in form, the session cookie, the Bearer token,
// the headers on every answer, problem+json errors, and a page that holds no secret. And, with a
// counting key store, one adminView RPC per page view and nothing else.

import assert from "node:assert/strict";
import { type CryptoKey, decodeJwt, exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import { handlePage, type PageContext } from "../../worker/admin/page-route.js";
import type { RuntimeSettings } from "../../worker/runtime-config/types.js";
import { IssuerHarness } from "../support/issuer-harness.js";
import { AWS_AUDIENCE } from "../support/stack-fixture.js";
import { adminView } from "./page-fixtures.js";

const CSP = "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

function assertPageHeaders(response: Response, what: string): void {
  assert.equal(response.headers.get("content-security-policy"), CSP, what);
  assert.equal(response.headers.get("cache-control"), "no-store", what);
  assert.equal(response.headers.get("x-content-type-options"), "nosniff", what);
  assert.equal(response.headers.get("referrer-policy"), "no-referrer", what);
}

async function problemCode(response: Response): Promise<string> {
  assert.equal(response.headers.get("content-type"), "application/problem+json");
  return ((await response.json()) as { code: string }).code;
}

describe("operator page: the routes, in workerd", function () {
  this.timeout(120_000);
  let issuer: IssuerHarness;
  let origin: string;

  before(async () => {
    issuer = await IssuerHarness.start();
    origin = issuer.url;
  });
  after(async () => issuer?.dispose());

  function signIn(token: string, headers: Record<string, string> = { origin }): Promise<Response> {
    return issuer.fetch("/admin/session", {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
      body: new URLSearchParams({ token }).toString(),
    });
  }

  async function sessionCookie(): Promise<string> {
    const response = await signIn(issuer.adminToken as string);
    assert.equal(response.status, 303);
    return (response.headers.get("set-cookie") ?? "").split(";")[0] as string;
  }

  it("redirects /admin to /admin/", async () => {
    const response = await issuer.fetch("/admin", { redirect: "manual" });
    assert.equal(response.status, 308);
    assert.equal(response.headers.get("location"), "/admin/");
    assertPageHeaders(response, "the redirect");
  });

  it("answers the sign-in form to a browser without credentials, with the page's headers", async () => {
    const response = await issuer.fetch("/admin/");
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), "text/html; charset=utf-8");
    assertPageHeaders(response, "the sign-in form");
    const html = await response.text();
    assert.match(html, /<form method="post" action="\/admin\/session">/);
    assert.ok(!html.includes('id="keys"'), "the form shows a panel");
  });

  it("serves the stylesheet from the issuer", async () => {
    const response = await issuer.fetch("/admin/page.css");
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), "text/css; charset=utf-8");
    assertPageHeaders(response, "the stylesheet");
    assert.match(await response.text(), /svg\.timeline/);
  });

  it("signs in with the admin token: a 303 and a session cookie that is not the token", async () => {
    const response = await signIn(issuer.adminToken as string);
    assert.equal(response.status, 303);
    assert.equal(response.headers.get("location"), "/admin/");
    assertPageHeaders(response, "the sign-in");
    const cookie = response.headers.get("set-cookie") ?? "";
    assert.match(
      cookie,
      /^wid_admin_session=v1\.\d+\.[A-Za-z0-9_-]{43}; Path=\/admin; Max-Age=14400; HttpOnly; SameSite=Strict$/,
    );
    assert.ok(!cookie.includes(issuer.adminToken as string));
  });

  it("shows the page to the session, with every panel, and to the Bearer token", async () => {
    const cookie = await sessionCookie();
    const withSession = await issuer.fetch("/admin/", { headers: { cookie } });
    assert.equal(withSession.status, 200);
    assertPageHeaders(withSession, "the page");
    const html = await withSession.text();
    for (const id of ["keys", "registry", "activity", "revocations"])
      assert.match(html, new RegExp(`<section id="${id}"`));
    assert.match(html, /action="\/admin\/sign-out"/);
    const withBearer = await issuer.admin("/admin/");
    assert.equal(withBearer.status, 200);
    assert.match(await withBearer.text(), /viewer: admin token/);
  });

  it("holds neither the admin token, nor the KEK, nor an issued token or its jti", async () => {
    const issued = await issuer.token("billing", AWS_AUDIENCE);
    const { jti, exp } = decodeJwt(issued.token);
    const revoked = await issuer.admin("/admin/revocations", { method: "POST", body: JSON.stringify({ jti, exp }) });
    assert.equal(revoked.status, 200);
    const html = await (await issuer.admin("/admin/")).text();
    assert.match(html, /one token \(expires/, "the revocation of the token is not on the page");
    for (const [what, secret] of [
      ["the admin token", issuer.adminToken as string],
      ["the KEK", issuer.keyEncryptionKey as string],
      ["the issued token", issued.token],
      ["its signature", issued.token.split(".")[2] as string],
      ["its jti", jti as string],
    ] as const) {
      assert.ok(!html.includes(secret), `the page holds ${what}`);
    }
  });

  it("accepts the page's own form as a browser posts it under no-referrer: Origin null, Sec-Fetch-Site same-origin", async () => {
    const response = await signIn(issuer.adminToken as string, { origin: "null", "sec-fetch-site": "same-origin" });
    assert.equal(response.status, 303);
    assert.match(response.headers.get("set-cookie") ?? "", /^wid_admin_session=v1\./);
  });

  it("refuses a wrong token with the form again (401), and a wrong Bearer token as problem+json", async () => {
    const wrong = await signIn("not-the-admin-token-but-long-enough-000");
    assert.equal(wrong.status, 401);
    assert.equal(wrong.headers.get("set-cookie"), null);
    assertPageHeaders(wrong, "a refused sign-in");
    assert.match(await wrong.text(), /That is not this issuer&#39;s admin token/);
    const bearer = await issuer.fetch("/admin/", { headers: { authorization: "Bearer wrong-token" } });
    assert.equal(bearer.status, 401);
    assertPageHeaders(bearer, "a refused Bearer token");
    assert.equal(await problemCode(bearer), "ERR_ADMIN_UNAUTHORIZED");
  });

  it("refuses a sign-in or sign-out posted without this origin, and a body that is not the form", async () => {
    for (const headers of [{}, { origin: "https://evil.example" }, { origin: "null" }]) {
      const response = await signIn(issuer.adminToken as string, headers);
      assert.equal(response.status, 400, JSON.stringify(headers));
      assert.equal(response.headers.get("set-cookie"), null);
      assertPageHeaders(response, "a foreign sign-in");
      assert.equal(await problemCode(response), "ERR_INVALID_REQUEST");
    }
    const json = await issuer.fetch("/admin/session", {
      method: "POST",
      headers: { origin, "content-type": "application/json" },
      body: JSON.stringify({ token: issuer.adminToken }),
    });
    assert.equal(json.status, 400);
    assert.equal(await problemCode(json), "ERR_INVALID_REQUEST");
    const big = await signIn("x".repeat(5_000));
    assert.equal(big.status, 400);
    const signOut = await issuer.fetch("/admin/sign-out", {
      method: "POST",
      headers: { origin: "https://evil.example" },
    });
    assert.equal(signOut.status, 400);
  });

  it("signs out: the cookie is cleared", async () => {
    const response = await issuer.fetch("/admin/sign-out", { method: "POST", redirect: "manual", headers: { origin } });
    assert.equal(response.status, 303);
    assert.equal(
      response.headers.get("set-cookie"),
      "wid_admin_session=; Path=/admin; Max-Age=0; HttpOnly; SameSite=Strict",
    );
  });

  it("answers other methods 405 as problem+json, with the page's headers", async () => {
    for (const [path, method] of [
      ["/admin/", "POST"],
      ["/admin/session", "GET"],
      ["/admin/sign-out", "GET"],
      ["/admin/page.css", "DELETE"],
    ] as const) {
      const response = await issuer.fetch(path, { method });
      assert.equal(response.status, 405, `${method} ${path}`);
      assertPageHeaders(response, `${method} ${path}`);
      assert.equal(await problemCode(response), "ERR_METHOD_NOT_ALLOWED");
    }
  });

  it("keeps the admin API behind the Bearer token: a session cookie opens the page only", async () => {
    const cookie = await sessionCookie();
    const keys = await issuer.fetch("/admin/keys", { headers: { cookie } });
    assert.equal(keys.status, 401);
    const rotate = await issuer.fetch("/admin/keys/rotate", { method: "POST", headers: { cookie, origin } });
    assert.equal(rotate.status, 401);
  });
});

describe("operator page: without an admin token", function () {
  this.timeout(120_000);
  let issuer: IssuerHarness;
  before(async () => {
    issuer = await IssuerHarness.start({ adminToken: null });
  });
  after(async () => issuer?.dispose());

  it("is closed: ERR_ADMIN_DISABLED, and no sign-in form", async () => {
    const page = await issuer.fetch("/admin/");
    assert.equal(page.status, 403);
    assertPageHeaders(page, "the closed page");
    assert.equal(await problemCode(page), "ERR_ADMIN_DISABLED");
    const signIn = await issuer.fetch("/admin/session", {
      method: "POST",
      headers: { origin: issuer.url, "content-type": "application/x-www-form-urlencoded" },
      body: "token=anything",
    });
    assert.equal(signIn.status, 403);
  });
});

describe("operator page: one key store read per view", () => {
  const ADMIN_TOKEN = "t".repeat(40);
  const config = {
    project: "worker-identity",
    stack: "test",
    issuer: { issuerUrl: "https://id.example.dev" },
    workloads: [],
    workflows: [],
    introspectionClients: [],
  } as unknown as RuntimeSettings;

  /** A key store whose every property read is recorded: an RPC is a property read, then a call. */
  function countingContext(calls: string[], fail = false): PageContext {
    const stub = new Proxy(
      {},
      {
        get: (_target, property) => {
          calls.push(String(property));
          return async () => {
            if (fail) throw new Error("Durable Object reset");
            return adminView();
          };
        },
      },
    );
    return { adminToken: ADMIN_TOKEN, nowMs: Date.now(), keyStore: stub as PageContext["keyStore"] };
  }

  it("calls adminView exactly once, and nothing else, per page view", async () => {
    const calls: string[] = [];
    const request = new Request("https://id.example.dev/admin/", {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    const response = await handlePage(request, countingContext(calls), config, "/admin/");
    assert.equal(response.status, 200);
    assert.deepEqual(calls, ["adminView"]);
  });

  it("reads nothing for the sign-in form, the stylesheet or a refused token", async () => {
    const calls: string[] = [];
    const env = countingContext(calls);
    await handlePage(new Request("https://id.example.dev/admin/"), env, config, "/admin/");
    await handlePage(new Request("https://id.example.dev/admin/page.css"), env, config, "/admin/page.css");
    await handlePage(
      new Request("https://id.example.dev/admin/", { headers: { authorization: "Bearer nope" } }),
      env,
      config,
      "/admin/",
    );
    assert.deepEqual(calls, []);
  });

  it("answers 503 ERR_KEY_STORE_UNAVAILABLE, not a 500, when the key store fails", async () => {
    const request = new Request("https://id.example.dev/admin/", {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    const response = await handlePage(request, countingContext([], true), config, "/admin/");
    assert.equal(response.status, 503);
    assertPageHeaders(response, "the key store's failure");
    assert.equal(await problemCode(response), "ERR_KEY_STORE_UNAVAILABLE");
  });
});

describe("operator page: behind Cloudflare Access", () => {
  const TEAM = "https://example-team.cloudflareaccess.com";
  const TAG = "32eafc7626e974616deaf0dc3ce63d7bcbed58a2731e84d06bc3cdf1b53c4228";
  const NOW = Date.UTC(2026, 11, 4, 1, 0, 0);
  const config = {
    project: "worker-identity",
    stack: "test",
    issuer: { issuerUrl: "https://id.example.dev" },
    workloads: [],
    workflows: [],
    introspectionClients: [],
    access: { teamDomain: TEAM, audience: TAG },
  } as unknown as RuntimeSettings;
  let teamKey: { privateKey: CryptoKey; jwk: JWK };
  let strangerKey: { privateKey: CryptoKey; jwk: JWK };
  const realFetch = globalThis.fetch;

  async function key(kid: string) {
    const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
    return { privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" } };
  }

  function accessJwt(signer: { privateKey: CryptoKey; jwk: JWK }): Promise<string> {
    return new SignJWT({ aud: [TAG], email: "operator@example.dev", sub: "7335d417", iss: TEAM, type: "app" })
      .setProtectedHeader({ alg: "RS256", kid: teamKey.jwk.kid as string, typ: "JWT" })
      .setIssuedAt(NOW / 1_000 - 60)
      .setNotBefore(NOW / 1_000 - 60)
      .setExpirationTime(NOW / 1_000 + 3_600)
      .sign(signer.privateKey);
  }

  before(async () => {
    teamKey = await key("team-key-1");
    strangerKey = await key("stranger-key");
    // The team's certs, as Access serves them: the one URL the verifier may fetch.
    globalThis.fetch = async (input: string | URL | Request) => {
      const url = input instanceof Request ? input.url : String(input);
      if (url !== `${TEAM}/cdn-cgi/access/certs`) throw new Error(`unexpected fetch of ${url}`);
      return Response.json({ keys: [teamKey.jwk] });
    };
  });
  after(() => {
    globalThis.fetch = realFetch;
  });

  const ADMIN_TOKEN = "t".repeat(40);

  function context(calls: string[], adminToken: string | undefined): PageContext {
    return {
      adminToken,
      nowMs: NOW,
      keyStore: {
        adminView: async () => {
          calls.push("adminView");
          return adminView();
        },
      },
    };
  }

  it("shows the page to a valid Access JWT, naming the person, with one key store read", async () => {
    const calls: string[] = [];
    const request = new Request("https://id.example.dev/admin/", {
      headers: { "cf-access-jwt-assertion": await accessJwt(teamKey) },
    });
    const response = await handlePage(request, context(calls, ADMIN_TOKEN), config, "/admin/");
    assert.equal(response.status, 200);
    assertPageHeaders(response, "the page through Access");
    assert.match(await response.text(), /viewer: Cloudflare Access: operator@example\.dev/);
    assert.deepEqual(calls, ["adminView"]);
  });

  it("opens the page through Access even when no admin token is set", async () => {
    const request = new Request("https://id.example.dev/admin/", {
      headers: { "cf-access-jwt-assertion": await accessJwt(teamKey) },
    });
    const response = await handlePage(request, context([], undefined), config, "/admin/");
    assert.equal(response.status, 200);
    const without = await handlePage(
      new Request("https://id.example.dev/admin/"),
      context([], undefined),
      config,
      "/admin/",
    );
    assert.equal(without.status, 403);
    assert.equal(await problemCode(without), "ERR_ADMIN_DISABLED");
  });

  it("answers a JWT the team did not sign with the sign-in form (401) saying why, and reads nothing", async () => {
    const calls: string[] = [];
    const request = new Request("https://id.example.dev/admin/", {
      headers: { "cf-access-jwt-assertion": await accessJwt(strangerKey) },
    });
    const response = await handlePage(request, context(calls, ADMIN_TOKEN), config, "/admin/");
    assert.equal(response.status, 401);
    const html = await response.text();
    assert.match(html, /Cloudflare Access did not vouch for this request/);
    assert.ok(!html.includes('id="keys"'));
    assert.deepEqual(calls, []);
  });

  it("answers 503 ERR_ACCESS_UNAVAILABLE when Access alone opens the page and the team's keys cannot be fetched", async () => {
    // Another team, so no keys this isolate cached above answer for it; its certs URL fails.
    const down = "https://down-team.cloudflareaccess.com";
    const downConfig = { ...config, access: { teamDomain: down, audience: TAG } } as RuntimeSettings;
    const working = globalThis.fetch;
    globalThis.fetch = async (input: string | URL | Request) => {
      const url = input instanceof Request ? input.url : String(input);
      if (url === `${down}/cdn-cgi/access/certs`) return new Response("upstream down", { status: 502 });
      return working(input);
    };
    try {
      const jwt = await new SignJWT({ aud: [TAG], email: "operator@example.dev", sub: "7335d417", iss: down })
        .setProtectedHeader({ alg: "RS256", kid: teamKey.jwk.kid as string, typ: "JWT" })
        .setIssuedAt(NOW / 1_000 - 60)
        .setExpirationTime(NOW / 1_000 + 3_600)
        .sign(teamKey.privateKey);
      const request = () =>
        new Request("https://id.example.dev/admin/", { headers: { "cf-access-jwt-assertion": jwt } });
      const calls: string[] = [];
      const alone = await handlePage(request(), context(calls, undefined), downConfig, "/admin/");
      assert.equal(alone.status, 503);
      assert.equal(await problemCode(alone), "ERR_ACCESS_UNAVAILABLE");
      // With an admin token set, the sign-in form is the way in meanwhile.
      const withToken = await handlePage(request(), context(calls, ADMIN_TOKEN), downConfig, "/admin/");
      assert.equal(withToken.status, 401);
      assert.match(await withToken.text(), /Cloudflare Access did not vouch for this request/);
      assert.deepEqual(calls, [], "nothing is read for a request Access could not vouch for");
    } finally {
      globalThis.fetch = working;
    }
  });
});
