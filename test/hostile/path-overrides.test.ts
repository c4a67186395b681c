// Path overrides thrown at the edge middleware Worker in workerd (issue 14, item 3): X-Original-URL
// and X-Rewrite-URL (Symfony before CVE-2018-14773, Zend Framework, Yii 2, PHP front controllers on
// IIS) make the origin route to the path they name; X-Forwarded-Prefix (Spring's
// ForwardedHeaderFilter), X-Forwarded-Path and X-Original-URI (set by proxies as the path asked for)
// change what it takes the path to be. The origin modelled reads a header as CGI does
// (HTTP_<NAME>, every non-alphanumeric as '_'), so no spelling of them may reach it, on any route,
// with or without a token.
// Sent to the middleware in workerd with override-middleware.ts's rules and harness.

import assert from "node:assert/strict";
import type { ForwardedRequest } from "../support/middleware-harness.js";
import { overrideMiddleware } from "./override-middleware.js";

const ADMIN_PATH = "/admin/keys";

/** Names an origin reads as a path override; each is sent with the value ADMIN_PATH. */
const PATH_OVERRIDE_NAMES = [
  "X-Original-URL",
  "X-Rewrite-URL",
  "x_original_url",
  "X_REWRITE_URL",
  "X.Original.Url",
  "x-rewrite_url",
  "X-Forwarded-Prefix",
  "x_forwarded_prefix",
  "X-Forwarded-Path",
  "X-Original-URI",
];

/** The CGI variables of the path overrides (Symfony reads HTTP_X_ORIGINAL_URL, Yii HTTP_X_REWRITE_URL). */
const PATH_OVERRIDE_VARIABLES = new Set([
  "HTTP_X_ORIGINAL_URL",
  "HTTP_X_REWRITE_URL",
  "HTTP_X_FORWARDED_PREFIX",
  "HTTP_X_FORWARDED_PATH",
  "HTTP_X_ORIGINAL_URI",
]);

const cgiVariable = (name: string) => `HTTP_${name.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;

/** The path overrides the origin received, as [CGI variable, value]. */
const pathOverridesOf = (forwarded: ForwardedRequest) =>
  forwarded.headers
    .map(([name, value]): [string, string] => [cgiVariable(name), value])
    .filter(([variable]) => PATH_OVERRIDE_VARIABLES.has(variable));

describe("override tricks against the edge middleware in workerd: path overrides never reach the origin", function () {
  this.timeout(120_000);
  const { send, bearer } = overrideMiddleware();

  it("the origin model reads every spelling as a path override (else the suite proves nothing)", () => {
    for (const name of PATH_OVERRIDE_NAMES) assert.ok(PATH_OVERRIDE_VARIABLES.has(cgiVariable(name)), name);
  });

  for (const name of PATH_OVERRIDE_NAMES) {
    it(`${name}: stripped on a public route without a token; the origin gets the path the rule matched`, async () => {
      const { answer, forwarded } = await send("GET", "/health", { headers: [[name, ADMIN_PATH]] });
      assert.equal(answer.status, 200, answer.body);
      assert.equal(forwarded.length, 1);
      assert.deepEqual(pathOverridesOf(forwarded[0]!), []);
      assert.equal(new URL(forwarded[0]!.url).pathname, "/health");
    });

    it(`${name}: stripped on a protected route with an admitted token`, async () => {
      const { answer, forwarded } = await send("GET", "/reports/1", { headers: [[name, ADMIN_PATH], bearer()] });
      assert.equal(answer.status, 200, answer.body);
      assert.deepEqual(pathOverridesOf(forwarded[0]!), []);
    });

    it(`${name}: stripped from a public POST with a body`, async () => {
      const { answer, forwarded } = await send("POST", "/hooks/a", {
        headers: [
          [name, ADMIN_PATH],
          ["content-type", "application/json"],
        ],
        body: '{"event":"x"}',
      });
      assert.equal(answer.status, 200, answer.body);
      assert.deepEqual([pathOverridesOf(forwarded[0]!), forwarded[0]!.body], [[], '{"event":"x"}']);
    });
  }

  it("every spelling at once, on a protected route: none arrives, the rest of the request does", async () => {
    const { answer, forwarded } = await send("GET", "/reports/1?x=1", {
      headers: [
        ...PATH_OVERRIDE_NAMES.map((name): [string, string] => [name, ADMIN_PATH]),
        ["X-Request-Id", "r-1"],
        bearer(),
      ],
    });
    assert.equal(answer.status, 200, answer.body);
    assert.deepEqual(pathOverridesOf(forwarded[0]!), []);
    assert.equal(forwarded[0]!.headers.find(([n]) => n === "x-request-id")?.[1], "r-1");
    assert.equal(new URL(forwarded[0]!.url).search, "?x=1");
  });

  it("control: headers that only look alike (X-Original-Host, X-Forwarded-For) are forwarded", async () => {
    const { forwarded } = await send("GET", "/health", {
      headers: [
        ["X-Original-Host", "a.test"],
        ["X-Forwarded-For", "192.0.2.1"],
      ],
    });
    const names = forwarded[0]!.headers.map(([n]) => n);
    assert.ok(names.includes("x-original-host") && names.includes("x-forwarded-for"), names.join(", "));
  });
});
