// Which POST bodies are read for `_method` (by Content-Type, method and rule), and the `_method`
// fields found in them: url-encoded pairs, multipart parts (and when a boundary is ambiguous), JSON
// members, and override header names used as field names.

import assert from "node:assert/strict";
import { bodyFormatsToInspect, bodyOverrides } from "../../worker/middleware/method-override-body.js";
import { multipartBoundary } from "../../worker/middleware/multipart-names.js";
import { check, refusal, ruleForPath } from "./method-override-rules.js";

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
