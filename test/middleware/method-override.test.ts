// The method-override decision: a request is authorised as every method it may be read as, so the
// real method and each override (X-HTTP-Method-Override, X-Method-Override, X-HTTP-Method, in any
// spelling an origin reads as one; `_method` in the query or a POST body) must find the same rule;
// when a refusal may answer (at once, or only after authentication so that overrides cannot map
// protected rules). Then which POST bodies are read for `_method`, what is found in them, and the
// path override headers that are stripped.

import assert from "node:assert/strict";
import { findRule } from "../../worker/middleware/authorize.js";
import { bodyEncodingProblem } from "../../worker/middleware/body-encoding.js";
import {
  checkMethodOverride,
  headerOverrides,
  type NamedOverride,
  type OverrideCheck,
  queryOverrides,
  readsAsMethodParameter,
} from "../../worker/middleware/method-override.js";
import {
  bodyFormatsToInspect,
  bodyOverrides,
  inspectOverrideBody,
} from "../../worker/middleware/method-override-body.js";
import { multipartBoundary } from "../../worker/middleware/multipart-names.js";
import { stripPathOverrides } from "../../worker/middleware/path-override.js";
import { canonicalPath } from "../../worker/middleware/request-path.js";
import { parseRules } from "../../worker/middleware/rules.js";

const RULES = parseRules({
  rules: [
    { methods: ["GET", "HEAD"], path: "/health", public: true },
    { methods: ["DELETE"], path: "/items/:id", allow: { workloads: ["admin"] } },
    { methods: ["POST", "DELETE"], path: "/items/*", allow: "authenticated" },
    { methods: ["GET"], path: "/reports/*", allow: "authenticated" },
    { methods: "*", path: "/any/*", allow: "authenticated" },
    { methods: ["DELETE"], path: "/only-delete", public: true },
    { methods: ["DELETE"], path: "/mixed/locked", allow: { workloads: ["admin"] } },
    { methods: "*", path: "/mixed/*", allow: "authenticated" },
  ],
});

function ruleForPath(path: string) {
  const canonical = canonicalPath(path);
  assert.ok(canonical.ok);
  return (m: string) => findRule(RULES, m, canonical.segments);
}

function check(
  method: string,
  path: string,
  headers: [string, string][],
  more: readonly NamedOverride[] = [],
): OverrideCheck {
  const ruleFor = ruleForPath(path);
  return checkMethodOverride([...headerOverrides(new Headers(headers)), ...more], method, ruleFor(method), ruleFor);
}

/** The check with the overrides of a query string only. */
function checkQuery(method: string, path: string, query: string): OverrideCheck {
  return check(method, path, [], queryOverrides(query));
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

describe("which POST bodies are read for _method", () => {
  const formats = (method: string, path: string, contentType: string | null, hasBody = true) => {
    const ruleFor = ruleForPath(path);
    const rule = ruleFor(method);
    assert.ok(rule !== undefined);
    return bodyFormatsToInspect(method, contentType, hasBody, rule, ruleFor);
  };

  it("reads the bodies Rack, PHP and Laravel parse parameters from, on a rule that does not govern every method", () => {
    const cases: [string | null, string[]][] = [
      [null, ["url-encoded"]], // Rack: a POST without a Content-Type is form data
      ["", ["url-encoded"]],
      ["application/x-www-form-urlencoded", ["url-encoded"]],
      ["Application/X-WWW-Form-Urlencoded; charset=UTF-8", ["url-encoded"]],
      ["application/x-www-form-urlencoded foo", ["url-encoded"]], // PHP ends the media type at a blank
      ["application/x-www-form-urlencoded, text/plain", ["url-encoded"]], // two headers, joined
      ["multipart/form-data; boundary=----x", ["multipart"]],
      ['multipart/form-data; boundary="a b"', ["multipart"]],
      ["multipart/mixed; boundary=x", ["multipart"]], // Rack's PARSEABLE_DATA_MEDIA_TYPES
      ["multipart/related; boundary=x", ["multipart"]],
      ["multipart/form-data", ["url-encoded"]], // no boundary: Rack parses the body as url-encoded
      ["multipart/form-data, boundary=b", ["multipart"]], // an ambiguous boundary: read, and refused (multipart-names.ts)
      ["application/json", ["json"]],
      ["application/vnd.api+json; charset=utf-8", ["json"]],
      ["text/plain; profile=/json", ["json"]], // Laravel's isJson looks for "/json" anywhere
      ["text/plain", []],
      ["application/octet-stream", []],
      ["image/png", []],
    ];
    for (const [contentType, expected] of cases)
      assert.deepEqual(formats("POST", "/items/a/b", contentType), expected, String(contentType));
  });

  it("reads nothing of a request that is not a POST, or has no body", () => {
    for (const method of ["PUT", "PATCH", "DELETE"])
      assert.deepEqual(formats(method, "/any/x", "application/x-www-form-urlencoded"), [], method);
    assert.deepEqual(formats("POST", "/items/a/b", "application/x-www-form-urlencoded", false), []);
  });

  it("reads nothing where every method finds the POST's rule, so an override cannot widen it", () => {
    assert.deepEqual(formats("POST", "/any/x", "multipart/form-data; boundary=x"), []);
    assert.deepEqual(formats("POST", "/mixed/other", "application/json"), []);
    // A "*" rule that an earlier DELETE rule overrules on this path: DELETE would escape it.
    assert.deepEqual(formats("POST", "/mixed/locked", "application/json"), ["json"]);
  });
});

describe("the _method fields of a POST body", () => {
  const bytes = (text: string) => new TextEncoder().encode(text);
  const found = (formats: Parameters<typeof bodyOverrides>[0], contentType: string, body: string) =>
    bodyOverrides(formats, contentType, bytes(body)).map(({ source, value }) => [source, value]);

  it("url-encoded: every pair read as _method", () => {
    assert.deepEqual(found(["url-encoded"], "", "a=1&_method=DELETE&%5Fmethod=put"), [
      ['form field "_method"', "DELETE"],
      ['form field "%5Fmethod"', "put"],
    ]);
    assert.deepEqual(found(["url-encoded"], "", "title=_method%3DDELETE&method=PUT"), []);
  });

  it("multipart: parts named _method, quoted or not, in any case of the parameter, RFC 5987 too; not a filename", () => {
    const boundary = "----b0undary";
    const part = (disposition: string, content: string) =>
      `--${boundary}\r\nContent-Disposition: ${disposition}\r\n\r\n${content}\r\n`;
    const body = [
      part('form-data; name="file"; filename="_method"', "binary\u00ff--bytes"),
      part('form-data; name="_method"', "PATCH"),
      part("form-data; name=_method", "DELETE"),
      part("form-data; NAME=\"x\"; name*=utf-8''%5Fmethod", "PUT"),
      part('form-data; name="title"', "_method"),
      `--${boundary}--\r\nepilogue name="_method"\r\n`,
    ].join("");
    assert.deepEqual(found(["multipart"], `multipart/form-data; boundary=${boundary}`, body), [
      ['multipart part "_method"', "PATCH"],
      ['multipart part "_method"', "DELETE"],
      ['multipart part "_method"', "PUT"],
    ]);
  });

  it("multipart with bare LF line ends (Rack and PHP accept them)", () => {
    const body = '--b\ncontent-disposition: form-data; name="_method"\n\nDELETE\n--b--\n';
    assert.deepEqual(found(["multipart"], "multipart/form-data; boundary=b", body), [
      ['multipart part "_method"', "DELETE"],
    ]);
  });

  it("multipart: the boundary is read only when every framework reads the same one", () => {
    const accepted: [string, string][] = [
      ["multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW", "----WebKitFormBoundary7MA4YWxkTrZu0gW"],
      ['multipart/form-data; boundary="a b:c=d"', "a b:c=d"],
      ["Multipart/Mixed;charset=utf-8 ;  Boundary=x", "x"],
      ["multipart/form-data; boundary=a-boundary-b", "a-boundary-b"],
      [`multipart/form-data; boundary="'()+_-./:=? x"`, "'()+_-./:=? x"], // every bchar
      [`multipart/form-data; boundary=${"b".repeat(70)}`, "b".repeat(70)],
    ];
    for (const [type, boundary] of accepted) assert.deepEqual(multipartBoundary(type), { kind: "one", boundary }, type);
    assert.deepEqual(multipartBoundary("multipart/form-data; charset=utf-8"), { kind: "none" });
    const ambiguous = [
      "multipart/form-data; boundary=a; boundary=b", // Rack: b; PHP: a
      "multipart/form-data, boundary=b", // Rack and Tomcat: b; a parameter parser: none
      "multipart/form-data; boundary=b, x", // Tomcat ends the value at ','
      "multipart/form-data; x-boundary=a; boundary=b",
      "multipart/form-data; boundary=", // Rack: none, so url-encoded
      'multipart/form-data; boundary=""',
      'multipart/form-data; boundary="a;b"', // Rack: a
      'multipart/form-data; boundary="a\\"b"',
      "multipart/form-data; boundary = b", // Rack: none; PHP: " b"
      "multipart/form-data; boundary=b c", // Rack: "b c"; a parameter parser: b
      'multipart/form-data; name="boundary=b"',
      "multipart/form-data; boundaryx=b",
      "multipart/form-data; boundary=xboundary=b", // Rack: b
      "multipart/form-data; Boundary=a-boundary", // PHP finds the lower-case "boundary" first
      `multipart/form-data; boundary=${"b".repeat(71)}`,
      "multipart/form-data boundary=b",
    ];
    for (const type of ambiguous) assert.equal(multipartBoundary(type).kind, "ambiguous", type);
  });

  it("multipart: a boundary of anything but RFC 2046 bchars (ASCII) is ambiguous", () => {
    const outside = [
      'multipart/form-data; boundary="\u00e9t\u00e9"', // non-ASCII: bytes or UTF-8 text to different parsers
      'multipart/form-data; boundary="b\uff0db"', // a fullwidth '-' that NFKC folds to '-'
      'multipart/form-data; boundary="a\u200bb"', // a zero-width space
      'multipart/form-data; boundary="a\tb"', // a tab
      'multipart/form-data; boundary="ab "', // a space last (RFC 2046: bcharsnospace)
      'multipart/form-data; boundary="a@b"',
      'multipart/form-data; boundary="a<b>"',
      "multipart/form-data; boundary=a!b", // tokens that are not bchars
      "multipart/form-data; boundary=a#b",
      "multipart/form-data; boundary=a~b",
      "multipart/form-data; boundary=a*b",
    ];
    for (const type of outside) {
      const boundary = multipartBoundary(type);
      assert.equal(boundary.kind, "ambiguous", JSON.stringify(type));
      assert.match(boundary.kind === "ambiguous" ? boundary.reason : "", /RFC 2046 bchars/, type);
    }
    const overrides = bodyOverrides(
      ["multipart"],
      'multipart/form-data; boundary="\u00e9"',
      new TextEncoder().encode(
        '--\u00e9\r\nContent-Disposition: form-data; name="_method"\r\n\r\nDELETE\r\n--\u00e9--\r\n',
      ),
    );
    assert.equal(refusal(check("POST", "/any/x", [], overrides)), "now");
  });

  it("multipart: an ambiguous boundary is one override that cannot be read, refused whatever the rule", () => {
    const overrides = bodyOverrides(["multipart"], "multipart/form-data; boundary=a; boundary=b", bytes("--b--\r\n"));
    assert.equal(overrides.length, 1);
    assert.match(overrides[0]!.unreadable ?? "", /has 2 boundary parameters/);
    assert.equal(refusal(check("POST", "/any/x", [], overrides)), "now");
  });

  it("multipart: read as the most generous parser reads it", () => {
    const type = "multipart/form-data; boundary=b";
    const cases: [string, string, string][] = [
      [
        "a close delimiter inside a value does not end the scan (PHP: not at a line's start)",
        '--b\r\ncontent-disposition: form-data; name="t"\r\n\r\nx--b--y\r\n--b\r\ncontent-disposition: form-data; name="_method"\r\n\r\nDELETE\r\n--b--',
        "DELETE",
      ],
      [
        "a folded Content-Disposition (PHP unfolds)",
        "--b\r\nContent-Disposition: form-data;\r\n\tname=_method\r\n\r\nPUT\r\n--b--",
        "PUT",
      ],
      [
        "Content-Disposition after another header on its line (Rack's regex is not anchored)",
        "--b\r\nX-A: 1, Content-Disposition: form-data; name=_method\r\n\r\nPUT\r\n--b--",
        "PUT",
      ],
      [
        "a value cut by a delimiter mid-line (Rack 3 needs no line end before it)",
        "--b\r\nContent-Disposition: form-data; name=_method\r\n\r\nDELETE--b--",
        "DELETE",
      ],
      [
        "a delimiter line with more after it (PHP compares the line's start)",
        "--bxyz\r\nContent-Disposition: form-data; name=_method\r\n\r\nPATCH\r\n--b--",
        "PATCH",
      ],
      [
        "a delimiter inside a header value does not hide the part",
        '--b\r\nContent-Type: text/plain; x="--b"\r\nContent-Disposition: form-data; name=_method\r\n\r\nPATCH\r\n--b--',
        "PATCH",
      ],
    ];
    for (const [what, body, value] of cases)
      assert.deepEqual(
        found(["multipart"], type, body).map(([, v]) => v),
        [value],
        what,
      );
    // Quoted-printable (Go decodes it) and a UTF-16 part (Tomcat decodes a part's charset) read as no method, and are refused.
    const qp = found(
      ["multipart"],
      type,
      "--b\r\nContent-Disposition: form-data; name=_method\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nDEL=45TE\r\n--b--",
    );
    assert.equal(
      refusal(
        check(
          "POST",
          "/any/x",
          [],
          qp.map(([source, value]) => ({ source: source!, value: value!, list: false })),
        ),
      ),
      "now",
    );
  });

  it("JSON: top-level members read as _method; a value that is not a string is kept as JSON (not a method)", () => {
    assert.deepEqual(found(["json"], "application/json", '{"a":{"_method":"PUT"},"_method":"PATCH"}'), [
      ['JSON member "_method"', "PATCH"],
    ]);
    assert.deepEqual(found(["json"], "application/json", '{"_method":["DELETE"]}'), [
      ['JSON member "_method"', '["DELETE"]'],
    ]);
    assert.deepEqual(found(["json"], "application/json", '{"\\u005fmethod":"DELETE"}'), [
      ['JSON member "_method"', "DELETE"],
    ]);
    assert.deepEqual(found(["json"], "application/json", '[{"_method":"DELETE"}]'), []);
    assert.deepEqual(found(["json"], "application/json", '{"_method":"DELETE"'), []);
  });

  it("an override header's name as a form field, multipart part or JSON member (ASP.NET MVC's Request.Form)", () => {
    assert.deepEqual(
      found(["url-encoded"], "", "title=x&X-HTTP-Method-Override=DELETE&x_http_method=put&__http_method=PATCH"),
      [
        ['form field "X-HTTP-Method-Override"', "DELETE"],
        ['form field "x_http_method"', "put"],
        ['form field "__http_method"', "PATCH"],
      ],
    );
    const multipartBody =
      '--b\r\nContent-Disposition: form-data; name="X-HTTP-Method-Override"\r\n\r\nDELETE\r\n--b--\r\n';
    assert.deepEqual(found(["multipart"], "multipart/form-data; boundary=b", multipartBody), [
      ['multipart part "X-HTTP-Method-Override"', "DELETE"],
    ]);
    assert.deepEqual(found(["json"], "application/json", '{"x-http-method-override":"DELETE"}'), [
      ['JSON member "x-http-method-override"', "DELETE"],
    ]);
    assert.deepEqual(found(["url-encoded"], "", "X-HTTP-Method-Overrides=DELETE&http-method=PUT"), []);
    assert.equal(
      refusal(
        check("POST", "/items/1", [], bodyOverrides(["url-encoded"], "", bytes("X-HTTP-Method-Override=DELETE"))),
      ),
      "after authentication",
    );
  });

  it("a value found in a body is checked like the others: PATCH on a POST,DELETE rule is refused", () => {
    const overrides = bodyOverrides(["url-encoded"], "", bytes("_method=PATCH"));
    assert.equal(refusal(check("POST", "/items/a/b", [], overrides)), "after authentication");
    assert.equal(
      refusal(check("POST", "/items/a/b", [], bodyOverrides(["url-encoded"], "", bytes("_method=DELETE")))),
      "forwarded",
    );
  });
});

describe("inspectOverrideBody", () => {
  const ruleFor = ruleForPath("/items/a/b");
  const rule = ruleFor("POST")!;
  const post = (body: RequestInit["body"], headers: Record<string, string> = {}) =>
    new Request("https://api.test/items/a/b", { method: "POST", body, headers, duplex: "half" } as RequestInit);

  it("reads a small form body whole and hands back the same bytes", async () => {
    const sent = new Uint8Array([...new TextEncoder().encode("_method=DELETE&blob="), 0xff, 0x00, 0x80]);
    const result = await inspectOverrideBody(
      post(sent, { "content-type": "application/x-www-form-urlencoded" }),
      "POST",
      rule,
      ruleFor,
    );
    assert.equal(result.kind, "read");
    assert.ok(result.kind === "read");
    assert.deepEqual([...result.bytes], [...sent]);
    assert.deepEqual(
      result.overrides.map((o) => o.value),
      ["DELETE"],
    );
  });

  it("refuses a body declared larger than 64 KiB without reading it", async () => {
    const result = await inspectOverrideBody(
      post("x".repeat(65_537), { "content-type": "application/x-www-form-urlencoded" }),
      "POST",
      rule,
      ruleFor,
    );
    assert.equal(result.kind, "too large");
  });

  it("accepts exactly 64 KiB", async () => {
    const result = await inspectOverrideBody(
      post("x".repeat(65_536), { "content-type": "application/x-www-form-urlencoded" }),
      "POST",
      rule,
      ruleFor,
    );
    assert.equal(result.kind, "read");
  });

  it("stops reading a streamed body without a Content-Length once it passes 64 KiB", async () => {
    let pulls = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulls += 1;
        if (pulls > 100) controller.close();
        else controller.enqueue(new Uint8Array(16_384));
      },
    });
    const result = await inspectOverrideBody(
      post(stream, { "content-type": "application/json" }),
      "POST",
      rule,
      ruleFor,
    );
    assert.equal(result.kind, "too large");
    assert.ok(pulls < 10, `read ${pulls} chunks of 16 KiB`);
  });

  it("leaves a body alone that no framework parses, or whose rule governs every method", async () => {
    const octets = post("_method=DELETE", { "content-type": "application/octet-stream" });
    assert.deepEqual(await inspectOverrideBody(octets, "POST", rule, ruleFor), { kind: "not read" });
    assert.equal(octets.bodyUsed, false);
    const anyRuleFor = ruleForPath("/any/x");
    const large = post("x".repeat(200_000), { "content-type": "application/x-www-form-urlencoded" });
    assert.deepEqual(await inspectOverrideBody(large, "POST", anyRuleFor("POST")!, anyRuleFor), { kind: "not read" });
    assert.equal(large.bodyUsed, false);
  });
});

describe("bodies an origin decodes before it reads _method", () => {
  const none = new Uint8Array();
  it("accepts no Content-Encoding or identity, and the charsets in which ASCII bytes are ASCII text", () => {
    for (const encoding of [null, "", "identity", " IDENTITY "])
      assert.equal(bodyEncodingProblem("application/json", encoding, true, none), undefined, String(encoding));
    for (const charset of [
      "utf-8",
      "UTF8",
      "us-ascii",
      "ISO-8859-1",
      "iso-8859-15",
      "latin1",
      "windows-1252",
      '"utf-8"',
    ]) {
      assert.equal(
        bodyEncodingProblem(`application/x-www-form-urlencoded; charset=${charset}`, null, false, none),
        undefined,
        charset,
      );
    }
  });

  it("refuses any other Content-Encoding or charset, and JSON whose first bytes say UTF-16 or UTF-32 (RFC 4627 §3)", () => {
    for (const encoding of ["gzip", "x-gzip", "deflate", "br", "zstd", "identity, gzip", "gzip, identity"]) {
      assert.match(bodyEncodingProblem(null, encoding, false, none) ?? "", /Content-Encoding/, encoding);
    }
    for (const charset of [
      "utf-16",
      "UTF-16LE",
      "utf-32",
      "ibm037",
      "cp500",
      "shift_jis",
      "utf-7",
      "",
      "utf-8; charset=utf-16",
    ]) {
      assert.match(
        bodyEncodingProblem(`application/x-www-form-urlencoded; charset=${charset}`, null, false, none) ?? "",
        /charset/,
        charset,
      );
    }
    for (const start of [
      [0xff, 0xfe, 0x7b, 0],
      [0xfe, 0xff, 0, 0x7b],
      [0x7b, 0, 0x22, 0],
      [0, 0, 0, 0x7b],
      [0, 0, 0xfe, 0xff],
    ]) {
      assert.match(
        bodyEncodingProblem("application/json", null, true, new Uint8Array(start)) ?? "",
        /UTF-16 or UTF-32/,
        String(start),
      );
    }
    assert.equal(
      bodyEncodingProblem("application/json", null, true, new TextEncoder().encode('\ufeff{"a":1}')),
      undefined,
    ); // the UTF-8 BOM
  });

  it("inspectOverrideBody hands an encoded body back as one override that cannot be read, which checkMethodOverride refuses", async () => {
    const ruleFor = ruleForPath("/items/a/b");
    const request = new Request("https://api.test/items/a/b", {
      method: "POST",
      body: "a=1",
      headers: { "content-type": "application/x-www-form-urlencoded", "content-encoding": "gzip" },
    });
    const result = await inspectOverrideBody(request, "POST", ruleFor("POST")!, ruleFor);
    assert.ok(result.kind === "read");
    assert.deepEqual([...result.bytes], [...new TextEncoder().encode("a=1")]);
    assert.equal(refusal(check("POST", "/items/a/b", [], result.overrides)), "now");
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
