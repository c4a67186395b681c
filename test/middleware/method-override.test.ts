// The method-override decision: a request is authorised as every method it may be read as, so the
// real method and each override (X-HTTP-Method-Override, X-Method-Override, X-HTTP-Method, in any
// spelling an origin reads as one) must find the same rule; when a refusal may answer (at once, or
// only after authentication so that overrides cannot map protected rules).

import assert from "node:assert/strict";
import { findRule } from "../../worker/middleware/authorize.js";
import { canonicalPath } from "../../worker/middleware/request-path.js";
import { checkMethodOverride, type OverrideCheck } from "../../worker/middleware/method-override.js";
import { stripPathOverrides } from "../../worker/middleware/path-override.js";
import { parseRules } from "../../worker/middleware/rules.js";

const RULES = parseRules({
  rules: [
    { methods: ["GET", "HEAD"], path: "/health", public: true },
    { methods: ["DELETE"], path: "/items/:id", allow: { workloads: ["admin"] } },
    { methods: ["POST", "DELETE"], path: "/items/*", allow: "authenticated" },
    { methods: ["GET"], path: "/reports/*", allow: "authenticated" },
    { methods: "*", path: "/any/*", allow: "authenticated" },
    { methods: ["DELETE"], path: "/only-delete", public: true },
  ],
});

function check(method: string, path: string, headers: [string, string][]): OverrideCheck {
  const canonical = canonicalPath(path);
  assert.ok(canonical.ok);
  const ruleFor = (m: string) => findRule(RULES, m, canonical.segments);
  return checkMethodOverride(new Headers(headers), method, ruleFor(method), ruleFor);
}

const refusal = (result: OverrideCheck) => (result.ok ? "forwarded" : result.refuse);

describe("checkMethodOverride", () => {
  it("lets a request without an override through", () => {
    assert.deepEqual(check("GET", "/reports/1", [["accept", "*/*"]]), { ok: true });
  });

  it("lets an override through when the rule of the real method governs it too", () => {
    assert.equal(refusal(check("POST", "/items/a/b", [["x-http-method-override", "DELETE"]])), "forwarded");
    assert.equal(refusal(check("GET", "/health", [["x-http-method-override", "HEAD"]])), "forwarded");
    assert.equal(refusal(check("GET", "/reports/1", [["x-http-method-override", "GET"]])), "forwarded");
    assert.equal(refusal(check("GET", "/any/x", [["x-http-method", "PROPFIND"]])), "forwarded");
    assert.equal(refusal(check("POST", "/items/a/b", [["x-method-override", "delete"]])), "forwarded");
    assert.equal(refusal(check("POST", "/items/a/b", [["x-http-method-override", "DELETE, delete"], ["x-method-override", "Delete"]])), "forwarded");
  });

  it("refuses, after authentication, an override a protected rule does not govern", () => {
    for (const name of ["X-HTTP-Method-Override", "X-Method-Override", "X-HTTP-Method", "x_http_method_override", "X_Method-Override", "x.http.method"]) {
      const result = check("GET", "/reports/1", [[name, "DELETE"]]);
      assert.equal(refusal(result), "after authentication", name);
      assert.ok(!result.ok && result.reason.includes('"DELETE"'), name);
    }
    assert.equal(refusal(check("GET", "/reports/1", [["x-http-method-override", "post"]])), "after authentication");
  });

  it("refuses an override that escapes to the earlier, stricter rule a real request with it meets", () => {
    const result = check("POST", "/items/1", [["x-http-method-override", "DELETE"]]);
    assert.equal(refusal(result), "after authentication");
    assert.ok(!result.ok && result.reason === 'x-http-method-override names "DELETE": rules[1] governs it here, rules[2] governs POST', !result.ok ? result.reason : "");
  });

  it("refuses at once an override a public rule does not govern (a public GET is no public DELETE)", () => {
    for (const override of ["DELETE", "POST", "PUT", "OPTIONS"]) {
      assert.equal(refusal(check("GET", "/health", [["x-http-method-override", override]])), "now", override);
    }
    assert.equal(refusal(check("DELETE", "/only-delete", [["x-http-method-override", "GET"]])), "now");
  });

  it("refuses after authentication when the real method has no rule and the override has one", () => {
    assert.equal(refusal(check("DELETE", "/health", [["x-http-method-override", "GET"]])), "after authentication");
    assert.equal(refusal(check("PUT", "/reports/1", [["x-http-method-override", "GET"]])), "after authentication");
  });

  it("leaves a request whose real method and override both have no rule to 'no rule'", () => {
    assert.deepEqual(check("PUT", "/nowhere", [["x-http-method-override", "DELETE"]]), { ok: true });
  });

  it("refuses at once, whatever the rules, an override that is not one method", () => {
    const cases: [string, [string, string][]][] = [
      ["empty", [["x-http-method-override", ""]]],
      ["blank", [["x-http-method-override", "  "]]],
      ["a space inside", [["x-http-method-override", "DEL ETE"]]],
      ["not a token", [["x-http-method-override", "GET/1"]]],
      ["a trailing comma", [["x-http-method-override", "GET,"]]],
      ["two methods in one header", [["x-http-method-override", "GET, DELETE"]]],
      ["two headers that disagree", [["x-http-method-override", "GET"], ["x-http-method", "DELETE"]]],
      ["two spellings that disagree", [["x-method-override", "GET"], ["x_method_override", "DELETE"]]],
    ];
    for (const [what, headers] of cases) {
      for (const [method, path] of [["GET", "/reports/1"], ["GET", "/health"], ["PUT", "/nowhere"], ["GET", "/any/x"]] as const) {
        assert.equal(refusal(check(method, path, headers)), "now", `${what} on ${method} ${path}`);
      }
    }
  });

  it("quotes at most 40 characters of a client's value in the reason", () => {
    const result = check("GET", "/reports/1", [["x-http-method-override", `${"A".repeat(100)} x`]]);
    assert.ok(!result.ok);
    assert.ok(result.reason.includes(`"${"A".repeat(40)}…"`) && !result.reason.includes("A".repeat(41)), result.reason);
  });
});

describe("stripPathOverrides", () => {
  it("removes every header an origin may read as X-Original-URL, X-Rewrite-URL, X-Forwarded-Prefix, X-Forwarded-Path or X-Original-URI", () => {
    const headers = new Headers([
      ["X-Original-URL", "/admin/keys"],
      ["x_original_url", "/admin/keys"],
      ["X-Rewrite-Url", "/admin/keys"],
      ["X.Rewrite.URL", "/admin/keys"],
      ["X-Forwarded-Prefix", "/admin"],
      ["x-forwarded_path", "/admin/keys"],
      ["X-Original-URI", "/admin/keys"],
      ["X-Forwarded-For", "192.0.2.1"],
      ["X-Original-Host", "a.test"],
      ["X-Override-URL", "/admin/keys"],
      ["Accept", "*/*"],
    ]);
    stripPathOverrides(headers);
    assert.deepEqual([...headers.keys()].sort(), ["accept", "x-forwarded-for", "x-original-host", "x-override-url"]);
  });
});
