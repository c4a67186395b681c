// The edge middleware Worker in workerd, in front of a recording origin, verifying tokens of the
// real issuer: what it forwards (identity headers in, client-supplied ones and Authorization out)
// and how it refuses (status, WWW-Authenticate, problem+json, never the token), misconfigured or
// with the issuer out of reach.

import assert from "node:assert/strict";
import { freePort } from "../support/free-port.js";
import { type ForwardedRequest, MiddlewareHarness } from "../support/middleware-harness.js";
import { ACCOUNT_ID, API_AUDIENCE, AWS_AUDIENCE } from "../support/stack-fixture.js";

const REALM = 'Bearer realm="worker-identity"';

interface Echo {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly identity: Record<string, string> | null;
  readonly authorization: boolean;
  readonly body: string;
}

/** Checks a refusal and returns its problem body. */
async function refused(
  response: Response,
  status: number,
  code: string,
  wwwAuthenticate: string | null,
  token?: string,
) {
  const text = await response.text();
  assert.equal(response.status, status, text);
  assert.equal(response.headers.get("content-type"), "application/problem+json");
  assert.equal(response.headers.get("www-authenticate"), wwwAuthenticate);
  if (token !== undefined) {
    for (const part of [token, ...token.split(".")]) assert.ok(!text.includes(part), "the body echoes the token");
  }
  const problem = JSON.parse(text) as { status: number; code: string; detail: string; type: string };
  assert.equal(problem.status, status);
  assert.equal(problem.code, code);
  assert.equal(problem.type, `urn:worker-identity:problem:${code}`);
  return problem;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const INSUFFICIENT_SCOPE = `${REALM}, error="insufficient_scope"`;
const INVALID_TOKEN = `${REALM}, error="invalid_token"`;

describe("edge middleware in workerd", function () {
  this.timeout(120_000);
  let h: MiddlewareHarness;
  let edgeApi: string;
  let billing: string;

  before(async () => {
    h = await MiddlewareHarness.start();
    edgeApi = await h.token("edge-api");
    billing = await h.token("billing");
  });
  after(async () => h?.dispose());

  const forwardedSince = (count: number): ForwardedRequest[] => h.forwarded.slice(count);
  /** The request is refused 403 insufficient_scope with `code`; the body echoes no part of `token`, when given. */
  const outOfScope = async (
    path: string,
    init: Parameters<MiddlewareHarness["request"]>[1],
    code: string,
    token?: string,
  ) => refused(await h.request(path, init), 403, code, INSUFFICIENT_SCOPE, token);
  /** `token` at /reports/1 is refused 401 invalid_token with the verifier's `code`; the body echoes no part of `echoed`. */
  const invalidToken = async (token: string, code: string, echoed?: string) =>
    refused(await h.request("/reports/1", { headers: bearer(token) }), 401, code, INVALID_TOKEN, echoed);

  it("forwards a valid token on an allowed route with the identity headers and without Authorization", async () => {
    const response = await h.request("/reports/2024?format=csv", { headers: bearer(edgeApi) });
    assert.equal(response.status, 200);
    const echo = (await response.json()) as Echo;
    assert.deepEqual(
      [echo.method, echo.path, echo.query, echo.authorization],
      ["GET", "/reports/2024", "?format=csv", false],
    );
    assert.equal(echo.identity?.subject, `worker/${ACCOUNT_ID}/edge-api`);
    assert.equal(echo.identity?.workload, "edge-api");
    assert.equal(echo.identity?.account, ACCOUNT_ID);
    assert.equal(echo.identity?.audience, API_AUDIENCE);
    assert.match(echo.identity?.jti ?? "", /^[0-9a-f-]{36}$/);
    const sent = h.forwarded.at(-1)!;
    assert.ok(!sent.headers.some(([name]) => name === "authorization"));
  });

  it("strips every client-supplied identity header, whatever its case", async () => {
    const spoofed = {
      "X-Worker-Identity-Subject": `worker/${ACCOUNT_ID}/billing`,
      "x-worker-identity-workload": "billing",
      "X-WORKER-IDENTITY-ACCOUNT": "ffffffffffffffffffffffffffffffff",
      "x-Worker-identity-Role": "admin",
    };
    const before = h.forwarded.length;
    const protectedRoute = (await (
      await h.request("/reports/1", { headers: { ...spoofed, ...bearer(edgeApi) } })
    ).json()) as Echo;
    assert.equal(protectedRoute.identity?.subject, `worker/${ACCOUNT_ID}/edge-api`);
    assert.equal(protectedRoute.identity?.workload, "edge-api");
    assert.equal(protectedRoute.identity?.account, ACCOUNT_ID);
    assert.equal(protectedRoute.identity?.role, undefined);
    const publicRoute = (await (await h.request("/health", { headers: spoofed })).json()) as Echo;
    assert.equal(publicRoute.identity, null);
    for (const sent of forwardedSince(before)) {
      const names = sent.headers.map(([name]) => name).filter((name) => name.startsWith("x-worker-identity-"));
      assert.ok(!names.includes("x-worker-identity-role"), sent.url);
    }
  });

  it("forwards a public route without a token, and drops a token sent there anyway", async () => {
    const plain = await h.request("/health");
    assert.equal(plain.status, 200);
    const junk = await (
      await h.request("/health", { method: "HEAD", headers: { authorization: "Bearer not-a-token" } })
    ).text();
    assert.equal(junk, "");
    assert.equal(h.forwarded.at(-1)!.method, "HEAD");
    assert.ok(!h.forwarded.at(-1)!.headers.some(([name]) => name === "authorization"));
  });

  it("refuses a valid token of another workload on a workload-restricted route with 403 insufficient_scope", async () => {
    const before = h.forwarded.length;
    await outOfScope("/reports/1", { headers: bearer(billing) }, "ERR_RULE_REFUSED", billing);
    assert.equal(h.forwarded.length, before, "the origin was reached");
  });

  it("admits by claims, subjects and audiences as the rules say", async () => {
    assert.equal((await h.request("/accounts/7/ledger", { headers: bearer(billing) })).status, 200);
    await outOfScope("/accounts/7/ledger", { headers: bearer(edgeApi) }, "ERR_RULE_REFUSED");
    assert.equal((await h.request("/billing-only", { headers: bearer(billing) })).status, 200);
    await outOfScope("/billing-only", { headers: bearer(edgeApi) }, "ERR_RULE_REFUSED");
    const posted = await h.request("/echo", { method: "POST", headers: bearer(edgeApi), body: "payload" });
    assert.equal(((await posted.json()) as Echo).body, "payload");
  });

  it("answers 401 without an error attribute when there is no Authorization header", async () => {
    await refused(await h.request("/reports/1"), 401, "ERR_NO_TOKEN", REALM);
  });

  it("answers 401 invalid_request to a malformed Authorization header", async () => {
    for (const value of [
      "Bearer",
      `Bearer  ${edgeApi}`,
      `Basic ${edgeApi}`,
      `Bearer ${edgeApi} x`,
      "Bearer a,b",
      `Token ${edgeApi}`,
    ]) {
      await refused(
        await h.request("/reports/1", { headers: { authorization: value } }),
        401,
        "ERR_AUTHORIZATION_HEADER",
        `${REALM}, error="invalid_request"`,
        edgeApi,
      );
    }
    const twice = await h.raw("/reports/1", {
      headers: [
        ["authorization", `Bearer ${edgeApi}`],
        ["Authorization", `Bearer ${edgeApi}`],
      ],
    });
    assert.equal(twice.status, 401);
    assert.equal(twice.headers["www-authenticate"], `${REALM}, error="invalid_request"`);
    assert.ok(!twice.body.includes(edgeApi));
  });

  it("takes the scheme in any case", async () => {
    assert.equal((await h.request("/reports/1", { headers: { authorization: `bEARer ${edgeApi}` } })).status, 200);
  });

  it("answers 401 invalid_token to a token that does not verify, naming the verifier's code", async () => {
    const [header, payload, signature] = edgeApi.split(".") as [string, string, string];
    const tampered = `${header}.${payload}.${signature.slice(0, -4)}AAAA`;
    await invalidToken(tampered, "ERR_TOKEN_SIGNATURE", tampered);
    const forAws = await h.token("billing", AWS_AUDIENCE);
    await invalidToken(forAws, "ERR_TOKEN_AUDIENCE", forAws);
    await invalidToken("a.b.c", "ERR_TOKEN_MALFORMED");
  });

  it("refuses a route no rule names: 403 with a valid token, 401 without one", async () => {
    await outOfScope("/admin", { headers: bearer(edgeApi) }, "ERR_NO_RULE", edgeApi);
    await outOfScope("/reports/1", { method: "PATCH", headers: bearer(billing) }, "ERR_RULE_REFUSED");
    await refused(await h.request("/admin"), 401, "ERR_NO_TOKEN", REALM);
  });

  it("matches and forwards the canonical path, and refuses paths origins read differently", async () => {
    const decoded = await h.raw("/rep%6Frts/%7Ex", { headers: [["authorization", `Bearer ${edgeApi}`]] });
    assert.equal(decoded.status, 200);
    assert.equal((JSON.parse(decoded.body) as Echo).path, "/reports/~x");
    for (const target of ["/health/..;/admin", "/reports/a%2Fb", "/reports//x"]) {
      const response = await h.raw(target, { headers: [["authorization", `Bearer ${edgeApi}`]] });
      assert.equal(response.status, 400, target);
      assert.equal((JSON.parse(response.body) as { code: string }).code, "ERR_REQUEST_PATH");
    }
  });

  it("logs one JSON line per refusal with code, method and path, never the token", async () => {
    await h.settleLogs();
    const before = h.events("middleware.refused").length;
    await h.request("/reports/9?secret=query", { headers: bearer(billing) });
    await h.request("/reports/9", { headers: { authorization: `Bearer ${billing}x!` } });
    await h.settleLogs();
    const lines = h.events("middleware.refused").slice(before);
    assert.deepEqual(
      lines.map((l) => [l.code, l.method, l.path, l.status]),
      [
        ["ERR_RULE_REFUSED", "GET", "/reports/9", 403],
        ["ERR_AUTHORIZATION_HEADER", "GET", "/reports/9", 401],
      ],
    );
    assert.equal(lines[0]!.rule, 2);
    const everything = h.logs.join("\n");
    for (const token of [edgeApi, billing])
      assert.ok(!everything.includes(token.split(".")[2]!), "a log line carries a token");
    assert.ok(!everything.includes("secret=query"));
  });
});

describe("edge middleware in workerd: misconfigured bindings", function () {
  this.timeout(120_000);
  let h: MiddlewareHarness;

  before(async () => {
    h = await MiddlewareHarness.start({ bindings: { RULES: null, AUDIENCES: "https://api.internal.example.dev" } });
  });
  after(async () => h?.dispose());

  it("answers 503 problem+json naming each binding and its fix, and logs the details", async () => {
    for (const path of ["/health", "/reports/1"]) {
      const problem = await refused(await h.request(path), 503, "ERR_MIDDLEWARE_CONFIG", null);
      assert.match(problem.detail, /AUDIENCES is not valid JSON/);
      assert.match(problem.detail, /RULES is missing/);
    }
    await h.settleLogs();
    const logged = h.events("middleware.misconfigured");
    assert.equal(logged.length, 2);
    assert.match(String((logged[0]!.problems as string[])[0]), /AUDIENCES is not valid JSON: /);
    assert.equal(h.forwarded.length, 0);
  });
});

describe("edge middleware in workerd: the issuer's keys out of reach", function () {
  this.timeout(120_000);
  let h: MiddlewareHarness;

  before(async () => {
    const deadPort = await freePort();
    h = await MiddlewareHarness.start({
      issuerBinding: false,
      bindings: { ISSUER_URL: `http://127.0.0.1:${deadPort}` },
    });
  });
  after(async () => h?.dispose());

  it("answers 503 with Retry-After to a token it cannot check, and still serves public routes", async () => {
    const token = await h.token("edge-api");
    const response = await h.request("/reports/1", { headers: bearer(token) });
    assert.equal(response.headers.get("retry-after"), "30");
    const problem = await refused(response, 503, "ERR_JWKS_UNAVAILABLE", null, token);
    assert.match(problem.detail, /retry later/);
    assert.equal((await h.request("/health")).status, 200);
    await refused(await h.request("/reports/1"), 401, "ERR_NO_TOKEN", REALM);
  });
});

describe("edge middleware in workerd: an origin URL instead of a service", function () {
  this.timeout(120_000);
  let h: MiddlewareHarness;

  before(async () => {
    h = await MiddlewareHarness.start({ origin: "url" });
  });
  after(async () => h?.dispose());

  it("fetches ORIGIN_URL with the request's path, query and body, the identity headers and the origin's own Host", async () => {
    const token = await h.token("edge-api");
    const response = await h.request("/reports/q?x=1&y=2", {
      method: "PUT",
      headers: { ...bearer(token), "x-worker-identity-subject": "spoofed" },
      body: "data",
    });
    assert.equal(response.status, 200);
    const echo = (await response.json()) as Echo & { host: string };
    assert.deepEqual(
      [echo.method, echo.path, echo.query, echo.body, echo.authorization],
      ["PUT", "/reports/q", "?x=1&y=2", "data", false],
    );
    assert.equal(echo.identity?.subject, `worker/${ACCOUNT_ID}/edge-api`);
    assert.equal(echo.host, new URL(h.forwarded[0]!.url).host);
    assert.notEqual(echo.host, "middleware.test");
  });
});
