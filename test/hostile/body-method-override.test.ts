// `_method` in a POST body, thrown at the edge middleware Worker in workerd (issue 14, item 3):
// Rails (Rack::MethodOverride), Symfony, Laravel (JSON too), Spring and gorilla read it from a
// POST's form body, ASP.NET MVC an override header's name as a form field. Every body a framework
// reads it from, and every multipart boundary frameworks read differently, must be refused 400
// ERR_METHOD_OVERRIDE where the override does not find the rule of the request's own method.
// Sent to the middleware in workerd with override-middleware.ts's rules and harness.

import assert from "node:assert/strict";
import { form, multipart, multipartType, overrideMiddleware } from "./override-middleware.js";

describe("override tricks against the edge middleware in workerd: _method in a POST body does not widen a rule", function () {
  this.timeout(120_000);
  const { send, bearer } = overrideMiddleware();

  /** Bodies that Rack, PHP or Laravel read `_method=DELETE` from, with their Content-Type (none: no header). */
  const BODIES: readonly [string, [string, string][], string | Uint8Array][] = [
    ["a url-encoded form", [form()], "title=x&_method=DELETE"],
    [
      "a url-encoded form, %5Fmethod",
      [["content-type", "application/x-www-form-urlencoded; charset=UTF-8"]],
      "%5Fmethod=delete",
    ],
    ["a POST without a Content-Type (Rack reads it as a form)", [], new TextEncoder().encode("_method=DELETE")],
    [
      "multipart/form-data with a file before the field",
      [multipartType()],
      multipart([
        ["file", "\u00e9\u00e9binary"],
        ["_method", "DELETE"],
      ]),
    ],
    ["multipart/form-data, _method[]", [multipartType()], multipart([["_method[]", "DELETE"]])],
    [
      "a url-encoded form, X-HTTP-Method-Override (ASP.NET MVC's Request.Form, as Html.HttpMethodOverride writes it)",
      [form()],
      "title=x&X-HTTP-Method-Override=DELETE",
    ],
    ["a url-encoded form, x_http_method_override", [form()], "x_http_method_override=delete"],
    [
      "multipart/form-data, an X-HTTP-Method-Override part",
      [multipartType()],
      multipart([
        ["title", "x"],
        ["X-HTTP-Method-Override", "DELETE"],
      ]),
    ],
    ["a url-encoded form, __http_method (Struts 2)", [form()], "__http_method=DELETE"],
    ["JSON (Laravel's input bag)", [["content-type", "application/json"]], '{"event":"x","_method":"DELETE"}'],
    ["JSON:API (+json)", [["content-type", "application/vnd.api+json"]], '{"_method":"DELETE"}'],
  ];

  for (const [what, headers, body] of BODIES) {
    it(`${what}: a public POST-only rule refuses it with 400 before forwarding`, async () => {
      const { answer, forwarded } = await send("POST", "/hooks/a", { headers, body });
      assert.deepEqual([answer.status, answer.code, forwarded.length], [400, "ERR_METHOD_OVERRIDE", 0], answer.body);
    });

    it(`${what}: DELETE where an earlier, stricter rule governs it is refused 400 for an admitted token`, async () => {
      const { answer, forwarded } = await send("POST", "/items/1", { headers: [...headers, bearer()], body });
      assert.deepEqual([answer.status, answer.code, forwarded.length], [400, "ERR_METHOD_OVERRIDE", 0], answer.body);
    });
  }

  /** A multipart body delimited by `boundary`, whose last part is `_method=DELETE`, with `before` ahead of that part. */
  const deleteUnder = (boundary: string, before = "") =>
    `--${boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\nx${before}\r\n--${boundary}\r\nContent-Disposition: form-data; name="_method"\r\n\r\nDELETE\r\n--${boundary}--\r\n`;

  /** Content-Types whose boundary Rack (the last "boundary="), PHP (the first), Tomcat (',' too) or busboy read differently, with a body that carries _method=DELETE under one of those readings. */
  const AMBIGUOUS_BOUNDARIES: readonly [string, string][] = [
    ["multipart/form-data; boundary=a; boundary=b", deleteUnder("b")], // Rack reads b, PHP a
    ["multipart/form-data; boundary=b; BOUNDARY=a", deleteUnder("a")], // Rack reads a, in any case
    ["multipart/form-data, boundary=b", deleteUnder("b")], // no ';': Rack and Tomcat read b
    ["multipart/form-data; boundary=b; x-boundary=a", deleteUnder("a")], // Rack: the last "boundary="
    ['multipart/form-data; boundary="a;b"', deleteUnder("a")], // Rack stops at ';'
    ["multipart/form-data; boundary = b", deleteUnder(" b")], // PHP: all after the first '=' (Rack: no boundary)
    ['multipart/form-data; charset="boundary=b"', deleteUnder("b")], // Rack's regex looks inside values
  ];

  for (const [type, body] of AMBIGUOUS_BOUNDARIES) {
    it(`an ambiguous multipart boundary (${type}) is refused 400, not forwarded with a _method part`, async () => {
      const { answer, forwarded } = await send("POST", "/hooks/a", { headers: [["content-type", type]], body });
      assert.deepEqual([answer.status, answer.code, forwarded.length], [400, "ERR_METHOD_OVERRIDE", 0], answer.body);
    });
  }

  it("multipart parts PHP reads past a scanner's shortcut: a close delimiter inside a value, a folded Content-Disposition", async () => {
    const bodies: [string, string][] = [
      ["close delimiter mid-line", deleteUnder("b", "--b--tail")], // PHP: a delimiter starts a line, so the _method part follows
      ["folded header", '--b\r\nContent-Disposition: form-data;\r\n name="_method"\r\n\r\nDELETE\r\n--b--\r\n'], // PHP unfolds
    ];
    for (const [what, body] of bodies) {
      const { answer, forwarded } = await send("POST", "/hooks/a", {
        headers: [["content-type", "multipart/form-data; boundary=b"]],
        body,
      });
      assert.deepEqual(
        [answer.status, answer.code, forwarded.length],
        [400, "ERR_METHOD_OVERRIDE", 0],
        `${what}: ${answer.body}`,
      );
    }
  });

  it("control: one plain boundary, quoted or not, with charset: the same body without _method is forwarded byte for byte, with it refused", async () => {
    for (const type of [
      "multipart/form-data; boundary=b",
      'multipart/form-data; boundary="b"',
      "Multipart/Form-Data; charset=utf-8; BOUNDARY=b",
    ]) {
      const plain = deleteUnder("b").replace('name="_method"', 'name="kind"');
      const admitted = await send("POST", "/hooks/a", { headers: [["content-type", type]], body: plain });
      assert.deepEqual(
        [admitted.answer.status, admitted.forwarded[0]?.body],
        [200, plain],
        `${type}: ${admitted.answer.body}`,
      );
      const refused = await send("POST", "/hooks/a", { headers: [["content-type", type]], body: deleteUnder("b") });
      assert.deepEqual(
        [refused.answer.status, refused.answer.code, refused.forwarded.length],
        [400, "ERR_METHOD_OVERRIDE", 0],
        type,
      );
    }
  });
});
