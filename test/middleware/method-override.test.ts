// The method-override decision: a request is authorised as every method it may be read as, so the
// real method and each override (X-HTTP-Method-Override, X-Method-Override, X-HTTP-Method, in any
// spelling an origin reads as one; `_method` in the query) must find the same rule; when a refusal
// may answer (at once, or only after authentication so that overrides cannot map protected rules).
// Bodies: method-override-body-fields.test.ts and method-override-body-reading.test.ts.

import assert from "node:assert/strict";
import { queryOverrides, readsAsMethodParameter } from "../../worker/middleware/method-override.js";
import { check, checkQuery, refusal } from "./method-override-rules.js";

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
    assert.equal(
      refusal(
        check("POST", "/items/a/b", [
          ["x-http-method-override", "DELETE, delete"],
          ["x-method-override", "Delete"],
        ]),
      ),
      "forwarded",
    );
  });

  it("refuses, after authentication, an override a protected rule does not govern", () => {
    for (const name of [
      "X-HTTP-Method-Override",
      "X-Method-Override",
      "X-HTTP-Method",
      "x_http_method_override",
      "X_Method-Override",
      "x.http.method",
    ]) {
      const result = check("GET", "/reports/1", [[name, "DELETE"]]);
      assert.equal(refusal(result), "after authentication", name);
      assert.ok(!result.ok && result.reason.includes('"DELETE"'), name);
    }
    assert.equal(refusal(check("GET", "/reports/1", [["x-http-method-override", "post"]])), "after authentication");
  });

  it("refuses an override that escapes to the earlier, stricter rule a real request with it meets", () => {
    const result = check("POST", "/items/1", [["x-http-method-override", "DELETE"]]);
    assert.equal(refusal(result), "after authentication");
    assert.ok(
      !result.ok &&
        result.reason === 'x-http-method-override names "DELETE": rules[1] governs it here, rules[2] governs POST',
      !result.ok ? result.reason : "",
    );
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
      [
        "two headers that disagree",
        [
          ["x-http-method-override", "GET"],
          ["x-http-method", "DELETE"],
        ],
      ],
      [
        "two spellings that disagree",
        [
          ["x-method-override", "GET"],
          ["x_method_override", "DELETE"],
        ],
      ],
    ];
    for (const [what, headers] of cases) {
      for (const [method, path] of [
        ["GET", "/reports/1"],
        ["GET", "/health"],
        ["PUT", "/nowhere"],
        ["GET", "/any/x"],
      ] as const) {
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

describe("_method in the query", () => {
  it("is checked like an override header, in every spelling a framework reads as _method", () => {
    const spellings = [
      "_method=DELETE",
      "%5Fmethod=DELETE", // decoded before any comparison
      "%5fmethod=DELETE",
      "_METHOD=DELETE", // no framework folds case; folded anyway
      ".method=DELETE", // PHP turns '.' into '_'
      "%2Emethod=DELETE",
      "+_method=DELETE", // PHP drops leading spaces ('+' is one)
      "_method[]=DELETE", // an array under _method (PHP, Rack, qs)
      "_method[x]=DELETE",
      "_method%00junk=DELETE", // PHP's names end at NUL
      "x=1;_method=DELETE", // Rack 2 and Go < 1.17 split at ';'
      "a=1&_method=delete",
      "_method=DEL%45TE",
    ];
    for (const query of spellings) {
      const result = checkQuery("GET", "/reports/1", `?${query}`);
      assert.equal(refusal(result), "after authentication", query);
      assert.ok(!result.ok && result.reason.includes('names "DELETE"'), `${query}: ${!result.ok ? result.reason : ""}`);
    }
  });

  it("counts a parameter named like an override header (ASP.NET MVC) or __http_method (Struts 2), as header-name.ts reads names", () => {
    const spellings = [
      "X-HTTP-Method-Override=DELETE", // ASP.NET MVC's GetHttpMethodOverride: Request.QueryString
      "x-http-method-override=DELETE", // its keys compare without case
      "X_HTTP_METHOD_OVERRIDE=DELETE",
      "x.http.method.override=DELETE",
      "X-Method-Override=DELETE",
      "X-HTTP-Method=DELETE",
      "X%2DHTTP%2DMethod%2DOverride=DELETE",
      "x-http-method-override[]=DELETE",
      "__http_method=DELETE", // Struts 2's Restful2ActionMapper
      "__HTTP_METHOD=delete",
    ];
    for (const query of spellings) {
      const result = checkQuery("GET", "/reports/1", `?${query}`);
      assert.equal(refusal(result), "after authentication", query);
      assert.ok(!result.ok && result.reason.includes('names "DELETE"'), `${query}: ${!result.ok ? result.reason : ""}`);
    }
    assert.equal(refusal(checkQuery("GET", "/health", "?X-HTTP-Method-Override=DELETE")), "now");
    assert.equal(refusal(checkQuery("GET", "/reports/1", "?_method=DELETE&X-HTTP-Method-Override=PUT")), "now");
  });

  it("leaves parameters that no framework reads as _method alone", () => {
    for (const query of [
      "method=DELETE",
      "x_method=DELETE",
      "_methods=DELETE",
      "_method_=DELETE",
      "q=_method%3DDELETE",
      "_me%74hod_=DELETE",
      "",
    ]) {
      assert.deepEqual(checkQuery("GET", "/reports/1", `?${query}`), { ok: true }, query);
    }
  });

  it("lets _method through when the rule of the real method governs it too", () => {
    assert.equal(refusal(checkQuery("POST", "/items/a/b", "?_method=delete")), "forwarded");
    assert.equal(refusal(checkQuery("GET", "/health", "?_method=HEAD")), "forwarded");
    assert.equal(
      refusal(check("POST", "/items/a/b", [["x-http-method-override", "DELETE"]], queryOverrides("?_method=DELETE"))),
      "forwarded",
    );
  });

  it("refuses at once on a public rule, and when it is empty, not a method, or disagrees with a header", () => {
    assert.equal(refusal(checkQuery("GET", "/health", "?_method=DELETE")), "now");
    assert.equal(refusal(checkQuery("GET", "/reports/1", "?_method=")), "now");
    assert.equal(refusal(checkQuery("GET", "/reports/1", "?_method")), "now");
    assert.equal(refusal(checkQuery("GET", "/reports/1", "?_method=GET%20DELETE")), "now");
    assert.equal(refusal(checkQuery("GET", "/reports/1", "?_method=GET,DELETE")), "now");
    assert.equal(refusal(checkQuery("GET", "/reports/1", "?_method=GET&_method=DELETE")), "now");
    assert.equal(
      refusal(check("POST", "/items/a/b", [["x-http-method-override", "DELETE"]], queryOverrides("?_method=PUT"))),
      "now",
    );
  });

  it("names the parameter as sent in the reason", () => {
    const result = checkQuery("GET", "/reports/1", "?%5Fmethod=DELETE");
    assert.ok(
      !result.ok &&
        result.reason === 'query parameter "%5Fmethod" names "DELETE": no rule governs it here, rules[3] governs GET',
      !result.ok ? result.reason : "",
    );
  });
});

describe("readsAsMethodParameter", () => {
  it("reads a decoded name as PHP, Rack and Servlet containers do, without case", () => {
    const read = [
      "_method",
      "_METHOD",
      "_Method",
      ".method",
      " method".replace(" ", "."),
      "  _method",
      "_method[]",
      "_method[a][b]",
      "_method\u0000x",
      " .method",
    ];
    for (const name of read) assert.equal(readsAsMethodParameter(name), true, JSON.stringify(name));
    const headerNames = [
      "X-HTTP-Method-Override",
      "x-http-method-override",
      "X_HTTP_METHOD_OVERRIDE",
      "X.Method.Override",
      "X-HTTP-Method",
      " x-http-method",
      "X-HTTP-Method-Override[]",
      "x-method-override\u0000x",
      "__http_method",
      "__HTTP_Method",
    ];
    for (const name of headerNames) assert.equal(readsAsMethodParameter(name), true, JSON.stringify(name));
    const unrelated = [
      "X-HTTP-Method-Overrides",
      "http-method-override",
      "X-HTTP",
      "x-methods",
      "X-HTTP-Method-Override-x",
      "_http_method",
      "___http_method",
    ];
    for (const name of [
      ...unrelated,
      "method",
      "__method",
      "_method_",
      "x_method",
      "_meth od",
      "[_method]",
      "_methodx",
      "",
    ]) {
      assert.equal(readsAsMethodParameter(name), false, JSON.stringify(name));
    }
  });
});
