// createMiddleware in Node against a local issuer whose keys the test holds: the forwarding
// choices and failure answers the workerd suite cannot provoke with the real issuer (a claim that
// cannot travel in a header, an origin that fails, a bug, a lower-case method, forwardAuthorization).

import assert from "node:assert/strict";
import {
  createMiddleware,
  type Middleware,
  type MiddlewareLogEntry,
  type MiddlewareOptions,
} from "@worker-identity/middleware";
import { parseRules } from "../../worker/rules/rules.js";
import { AUDIENCE, LocalIssuer, T0, testKey } from "../verification/local-issuer.js";

describe("createMiddleware: forwarding and failures (Node)", () => {
  let local: LocalIssuer;
  let token: string;
  const now = T0 + 1_000;
  const rules = parseRules({
    rules: [
      { methods: ["PATCH", "POST"], path: "/items/:id", allow: { workloads: ["billing"] } },
      { methods: ["GET"], path: "/items/*", allow: "authenticated" },
    ],
  });
  let seen: Request[];
  let logged: MiddlewareLogEntry[];

  before(async () => {
    local = await LocalIssuer.start([await testKey("ES256")]);
    token = await local.sign(local.claims(now));
  });
  after(() => local.stop());
  beforeEach(() => {
    seen = [];
    logged = [];
  });

  function middleware(changes: Partial<MiddlewareOptions> = {}): Middleware {
    return createMiddleware({
      issuer: local.issuer,
      audiences: [AUDIENCE],
      rules,
      now: () => now,
      forward: async (request) => (seen.push(request), new Response("from origin", { status: 201 })),
      log: (entry) => logged.push(entry),
      ...changes,
    });
  }

  const call = (handler: Middleware, path: string, init: RequestInit = {}) =>
    handler(
      new Request(`https://api.example.test${path}`, {
        ...init,
        headers: { authorization: `Bearer ${token}`, ...init.headers },
      }),
    );

  it("passes the origin's answer through and streams the body", async () => {
    const response = await call(middleware(), "/items/1", {
      method: "POST",
      body: "x".repeat(100_000),
      duplex: "half",
    } as RequestInit);
    assert.equal(response.status, 201);
    assert.equal(await response.text(), "from origin");
    assert.equal((await seen[0]!.text()).length, 100_000);
    assert.equal(seen[0]!.redirect, "manual");
  });

  it("matches and forwards a lower-case method as the upper-case one (no rule bypass by spelling)", async () => {
    // Fetch keeps "patch" in lower case (only DELETE GET HEAD OPTIONS POST PUT are normalized); the
    // proxy spares Node's warning about it. Unnormalized, "patch" would slip past PATCH /items/:id
    // (billing only) to any later "*" rule, while the origin still treats it as PATCH.
    const lowerCase = (request: Request) =>
      new Proxy(request, { get: (target, name) => (name === "method" ? "patch" : Reflect.get(target, name, target)) });
    const other = await local.sign(
      local.claims(now, { worker: "ledger-sync", sub: "worker/0123456789abcdef0123456789abcdef/ledger-sync" }),
    );
    const headers = (t: string) => ({ authorization: `Bearer ${t}` });
    const admitted = await middleware()(
      lowerCase(new Request("https://api.example.test/items/1", { method: "PATCH", headers: headers(token) })),
    );
    assert.equal(admitted.status, 201);
    assert.equal(seen[0]?.method, "PATCH");
    const refused = await middleware()(
      lowerCase(new Request("https://api.example.test/items/1", { method: "PATCH", headers: headers(other) })),
    );
    assert.equal(refused.status, 403);
  });

  it("keeps Authorization only with forwardAuthorization: true", async () => {
    await call(middleware({ forwardAuthorization: true }), "/items/1");
    await call(middleware(), "/items/1");
    assert.deepEqual(
      seen.map((r) => r.headers.get("authorization")),
      [`Bearer ${token}`, null],
    );
  });

  it("refuses a token whose identity cannot travel in a header (401 invalid_token)", async () => {
    const bad = await local.sign(local.claims(now, { sub: "worker/x/billing\r\nx-worker-identity-workload: admin" }));
    const response = await middleware()(
      new Request("https://api.example.test/items/1", { headers: { authorization: `Bearer ${bad}` } }),
    );
    assert.equal(response.status, 401);
    assert.equal(response.headers.get("www-authenticate"), 'Bearer realm="worker-identity", error="invalid_token"');
    assert.equal(((await response.json()) as { code: string }).code, "ERR_IDENTITY_HEADER");
    assert.equal(seen.length, 0);
  });

  it("answers 502 problem+json when the origin cannot be reached", async () => {
    const response = await call(
      middleware({ forward: async () => Promise.reject(new TypeError("connect ECONNREFUSED")) }),
      "/items/1",
    );
    assert.equal(response.status, 502);
    assert.equal(response.headers.get("content-type"), "application/problem+json");
    assert.equal(response.headers.get("retry-after"), "30");
    assert.deepEqual([logged[0]?.code, logged[0]?.reason], ["ERR_ORIGIN_UNAVAILABLE", "connect ECONNREFUSED"]);
  });

  it("answers a genuine bug with 500 problem+json, logging the cause, and survives a throwing logger", async () => {
    const broken = middleware({
      now: () => {
        throw new Error("clock exploded");
      },
    });
    const response = await call(broken, "/items/1");
    assert.equal(response.status, 500);
    assert.equal(((await response.json()) as { code: string; detail: string }).code, "ERR_INTERNAL");
    assert.deepEqual([logged[0]?.event, logged[0]?.reason], ["middleware.error", "Error: clock exploded"]);
    const silent = middleware({
      log: () => {
        throw new Error("log sink down");
      },
    });
    assert.equal((await silent(new Request("https://api.example.test/items/1"))).status, 401);
  });
});
