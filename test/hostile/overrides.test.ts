// Override tricks thrown at the edge middleware Worker in workerd (issue 14, item 3, the rest of
// the class): a request that a rule admitted must not reach the origin carrying what makes the
// origin run another path or another method.
//
// Path overrides: X-Original-URL and X-Rewrite-URL (Symfony before CVE-2018-14773, Zend Framework,
// Yii 2, PHP front controllers on IIS) make the origin route to the path they name;
// X-Forwarded-Prefix (Spring's ForwardedHeaderFilter), X-Forwarded-Path and X-Original-URI (set by
// proxies as the path asked for) change what it takes the path to be. The origin modelled reads a
// header as CGI does (HTTP_<NAME>, every non-alphanumeric as '_'), so no spelling of them may
// reach it, on any route, with or without a token.
//
// `_method`: Laravel and Symfony read it from the query, and Rails (Rack::MethodOverride),
// Symfony, Laravel (JSON too), Spring and gorilla from a POST's form body; ASP.NET MVC reads a
// parameter named X-HTTP-Method-Override from the form and the query, Struts 2 `__http_method`
// (method-override.ts counts every override header's name as a parameter). It must find the rule
// of the request's own method, like the override headers (request-shape.test.ts), else 400
// ERR_METHOD_OVERRIDE; a POST body that may carry one and is too large to check is 413
// ERR_OVERRIDE_BODY_TOO_LARGE; a body that was checked reaches the origin unchanged.

import assert from "node:assert/strict";
import { brotliCompressSync, deflateSync, gzipSync } from "node:zlib";
import { type ForwardedRequest, MIDDLEWARE_HOST, MiddlewareHarness } from "../support/middleware-harness.js";
import { sendRawHttp } from "../support/raw-http.js";

const RULES = {
  rules: [
    { methods: ["GET", "HEAD"], path: "/health", public: true },
    { methods: ["GET"], path: "/reports/*", allow: { workloads: ["edge-api"] } },
    { methods: ["DELETE"], path: "/items/:id", allow: { workloads: ["billing"] } },
    { methods: ["POST", "DELETE"], path: "/items/*", allow: { workloads: ["edge-api"] } },
    { methods: ["POST"], path: "/hooks/*", public: true },
    { methods: "*", path: "/uploads/*", allow: { workloads: ["edge-api"] } },
    { methods: ["POST"], path: "/imports/*", allow: { workloads: ["edge-api"] }, readBodyForMethodOverride: false },
  ],
};

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

/** Query spellings that PHP, Rack, Servlet containers, Go or ASP.NET MVC read as an override to DELETE. */
const QUERY_SPELLINGS = [
  "_method=DELETE",
  "%5Fmethod=DELETE",
  "%5fmethod=delete",
  ".method=DELETE", // PHP: '.' in a name is '_'
  "_method[]=DELETE", // an array under _method
  "a=1;_method=DELETE", // Rack 2 and Go before 1.17 split at ';'
  "_METHOD=DELETE", // no framework folds case; refused all the same
  "_method=DEL%45TE",
  "X-HTTP-Method-Override=DELETE", // ASP.NET MVC: GetHttpMethodOverride falls back to the query
  "x-http-method-override=DELETE", // its keys compare without case
  "X_HTTP_METHOD=DELETE", // an override header's name as header-name.ts reads it
  "__http_method=DELETE", // Struts 2's Restful2ActionMapper
];

interface Answer {
  readonly status: number;
  readonly code: string | undefined;
  readonly body: string;
}

/**
 * A request written to the middleware's socket as is. With no body bytes after the head, a large
 * Content-Length is a promise the middleware must not wait for (workerd resets a connection whose
 * body it has not read, so a client that really sent 70 KB could lose the answer).
 */
async function headOnly(port: number, head: string, body = ""): Promise<Answer> {
  const answer = await sendRawHttp(port, `${head}Connection: close\r\n\r\n${body}`, { end: false, encoding: "latin1" });
  const problem = /^application\/problem\+json/i.test(answer.header("content-type") ?? "");
  return {
    status: answer.status,
    code: problem ? (JSON.parse(answer.body) as { code?: string }).code : undefined,
    body: answer.body,
  };
}

describe("override tricks against the edge middleware in workerd", function () {
  this.timeout(120_000);
  let h: MiddlewareHarness;
  let token: string;

  before(async () => {
    h = await MiddlewareHarness.start({ rules: RULES });
    token = await h.token("edge-api");
  });
  after(async () => h?.dispose());

  async function send(
    method: string,
    path: string,
    init: { headers?: [string, string][]; body?: string | Uint8Array | FormData } = {},
  ) {
    const before = h.forwarded.length;
    const response = await h.request(path, {
      method,
      headers: init.headers ?? [],
      ...(init.body !== undefined ? { body: init.body } : {}),
    });
    const body = await response.text();
    const code =
      response.headers.get("content-type") === "application/problem+json"
        ? (JSON.parse(body) as { code?: string }).code
        : undefined;
    const answer: Answer = { status: response.status, code, body };
    return { answer, forwarded: h.forwarded.slice(before) };
  }

  const bearer = (): [string, string] => ["authorization", `Bearer ${token}`];
  const form = (): [string, string] => ["content-type", "application/x-www-form-urlencoded"];

  describe("path overrides never reach the origin", () => {
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

  describe("_method in the query does not widen a rule", () => {
    for (const query of QUERY_SPELLINGS) {
      it(`?${query} on a public GET rule: 400 before forwarding`, async () => {
        const { answer, forwarded } = await send("GET", `/health?${query}`);
        assert.deepEqual([answer.status, answer.code, forwarded.length], [400, "ERR_METHOD_OVERRIDE", 0], answer.body);
      });

      it(`?${query} on a protected GET rule, with an admitted token: 400`, async () => {
        const { answer, forwarded } = await send("GET", `/reports/1?${query}`, { headers: [bearer()] });
        assert.deepEqual([answer.status, answer.code, forwarded.length], [400, "ERR_METHOD_OVERRIDE", 0], answer.body);
      });

      it(`?${query} on a POST where an earlier, stricter DELETE rule governs: 400`, async () => {
        const { answer, forwarded } = await send("POST", `/items/1?${query}`, {
          headers: [bearer()],
          body: new Uint8Array(),
        });
        assert.deepEqual([answer.status, answer.code, forwarded.length], [400, "ERR_METHOD_OVERRIDE", 0], answer.body);
      });
    }

    it("?x-http-method-override=PUT on a public POST-only rule (ASP.NET MVC reads it on a POST): 400 before forwarding", async () => {
      const { answer, forwarded } = await send("POST", "/hooks/a?x-http-method-override=PUT", {
        headers: [form()],
        body: "event=x",
      });
      assert.deepEqual([answer.status, answer.code, forwarded.length], [400, "ERR_METHOD_OVERRIDE", 0], answer.body);
    });

    it("POST ?_method=DELETE on a POST,DELETE rule is forwarded with its query unchanged", async () => {
      const { answer, forwarded } = await send("POST", "/items/a/b?%5Fmethod=DELETE&x=1", {
        headers: [bearer()],
        body: new Uint8Array(),
      });
      assert.equal(answer.status, 200, answer.body);
      assert.deepEqual([forwarded[0]!.method, new URL(forwarded[0]!.url).search], ["POST", "?%5Fmethod=DELETE&x=1"]);
    });

    it("a query _method that disagrees with an override header: 400", async () => {
      const { answer, forwarded } = await send("POST", "/items/a/b?_method=PUT", {
        headers: [["X-HTTP-Method-Override", "DELETE"], bearer()],
        body: new Uint8Array(),
      });
      assert.deepEqual([answer.status, answer.code, forwarded.length], [400, "ERR_METHOD_OVERRIDE", 0], answer.body);
    });

    it("control: parameters that only contain the word are forwarded", async () => {
      const { answer, forwarded } = await send("GET", "/health?method=DELETE&q=_method%3DDELETE&x_method=DELETE");
      assert.deepEqual([answer.status, forwarded.length], [200, 1], answer.body);
    });

    it("anonymous callers cannot map protected rules: the same 401 with or without a query _method", async () => {
      const answers = [];
      for (const [method, path] of [
        ["GET", "/reports/1"],
        ["GET", "/reports/1?_method=DELETE"],
        ["POST", "/items/1?_method=DELETE"],
        ["PUT", "/nowhere?_method=GET"],
      ] as const) {
        const { answer, forwarded } = await send(method, path, method === "GET" ? {} : { body: new Uint8Array() });
        assert.equal(forwarded.length, 0, path);
        answers.push(JSON.stringify([answer.status, answer.code, answer.body]));
      }
      assert.equal(new Set(answers).size, 1, answers.join("\n"));
    });
  });

  describe("_method in a POST body does not widen a rule", () => {
    const BOUNDARY = "----override-test";
    const multipart = (parts: [string, string][]) =>
      `${parts
        .map(([name, value]) => `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`)
        .join("")}--${BOUNDARY}--\r\n`;
    const multipartType = (): [string, string] => ["content-type", `multipart/form-data; boundary=${BOUNDARY}`];

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

    /** `_method=DELETE` in IBM037 (EBCDIC), a charset Java decodes and no TextDecoder knows. */
    const EBCDIC_DELETE = new Uint8Array([
      0x6d, 0x94, 0x85, 0xa3, 0x88, 0x96, 0x84, 0x7e, 0xc4, 0xc5, 0xd3, 0xc5, 0xe3, 0xc5,
    ]);
    const utf16 = (text: string, bom = false) =>
      new Uint8Array(Buffer.from(`${bom ? "\ufeff" : ""}${text}`, "utf16le"));

    /** Bodies an origin decodes before it reads _method=DELETE (body-parser inflates, Tomcat and body-parser decode charsets). */
    const ENCODED: readonly [string, [string, string][], Uint8Array][] = [
      ["a gzipped form", [form(), ["content-encoding", "gzip"]], gzipSync("_method=DELETE")],
      ["a deflated form", [form(), ["content-encoding", "Deflate"]], deflateSync("_method=DELETE")],
      ["a brotli form", [form(), ["content-encoding", "br"]], brotliCompressSync("_method=DELETE")],
      [
        "gzipped JSON",
        [
          ["content-type", "application/json"],
          ["content-encoding", "gzip"],
        ],
        gzipSync('{"_method":"DELETE"}'),
      ],
      [
        "a gzipped multipart body",
        [
          ["content-type", "multipart/form-data; boundary=b"],
          ["content-encoding", "identity, gzip"],
        ],
        gzipSync('--b\r\nContent-Disposition: form-data; name="_method"\r\n\r\nDELETE\r\n--b--\r\n'),
      ],
      [
        "UTF-16 JSON (charset)",
        [["content-type", "application/json; charset=utf-16le"]],
        utf16('{"_method":"DELETE"}'),
      ],
      ["UTF-16 JSON (a BOM, no charset)", [["content-type", "application/json"]], utf16('{"_method":"DELETE"}', true)],
      [
        "a UTF-16 form (Tomcat decodes it)",
        [["content-type", "application/x-www-form-urlencoded; charset=UTF-16LE"]],
        utf16("_method=DELETE"),
      ],
      ["an EBCDIC form", [["content-type", 'application/x-www-form-urlencoded; charset="IBM037"']], EBCDIC_DELETE],
    ];

    for (const [what, headers, body] of ENCODED) {
      it(`${what}: refused 400, not forwarded with a _method the middleware cannot see`, async () => {
        const { answer, forwarded } = await send("POST", "/hooks/a", { headers, body });
        assert.deepEqual([answer.status, answer.code, forwarded.length], [400, "ERR_METHOD_OVERRIDE", 0], answer.body);
      });
    }

    it("control: identity, UTF-8 and ISO-8859-1 bodies are read and forwarded byte for byte; an encoded body where nothing is read streams through", async () => {
      const plain: [string, [string, string][]][] = [
        ["a=1&b=%C3%A9", [form(), ["content-encoding", "identity"]]],
        ["a=1", [["content-type", "application/x-www-form-urlencoded; charset=ISO-8859-1"]]],
        ['{"a":"\u00e9"}', [["content-type", "application/json; charset=UTF-8"]]],
      ];
      for (const [body, headers] of plain) {
        const { answer, forwarded } = await send("POST", "/hooks/a", { headers, body });
        assert.deepEqual([answer.status, forwarded[0]?.body], [200, body], answer.body);
      }
      const gzipped = gzipSync("_method=DELETE");
      const uploads = await send("POST", "/uploads/a", {
        headers: [form(), ["content-encoding", "gzip"], bearer()],
        body: gzipped,
      });
      assert.equal(uploads.answer.status, 200, uploads.answer.body);
      assert.equal(uploads.forwarded.length, 1);
      const text = await send("POST", "/hooks/a", {
        headers: [
          ["content-type", "text/plain"],
          ["content-encoding", "gzip"],
        ],
        body: gzipped,
      });
      assert.deepEqual([text.answer.status, text.forwarded.length], [200, 1], text.answer.body);
    });

    it("FormData as fetch encodes it: _method=PATCH on a POST,DELETE rule is refused 400", async () => {
      const data = new FormData();
      data.append("file", new Blob([new Uint8Array([0, 255, 1, 254])]), "a.bin");
      data.append("_method", "PATCH");
      // Encoded here: dispatchFetch would send a FormData as the text "[object FormData]".
      const encoded = new Response(data);
      const type = encoded.headers.get("content-type")!;
      const body = new Uint8Array(await encoded.arrayBuffer());
      const { answer, forwarded } = await send("POST", "/items/a/b", {
        headers: [["content-type", type], bearer()],
        body,
      });
      assert.deepEqual([answer.status, answer.code, forwarded.length], [400, "ERR_METHOD_OVERRIDE", 0], answer.body);
    });

    it("control: the stricter rule refuses a real DELETE of the edge-api token (so the body override would have widened it)", async () => {
      const { answer, forwarded } = await send("DELETE", "/items/1", { headers: [bearer()] });
      assert.deepEqual([answer.status, answer.code, forwarded.length], [403, "ERR_RULE_REFUSED", 0]);
    });

    it("a _method the rule also governs is forwarded, and the body arrives byte for byte", async () => {
      const body = multipart([
        ["note", "caf\u00e9 \u{1F600}\r\n--not-a-boundary"],
        ["_method", "delete"],
      ]);
      const { answer, forwarded } = await send("POST", "/items/a/b", { headers: [multipartType(), bearer()], body });
      assert.equal(answer.status, 200, answer.body);
      assert.deepEqual([forwarded[0]!.method, forwarded[0]!.body], ["POST", body]);
      assert.equal(
        forwarded[0]!.headers.find(([n]) => n === "content-type")?.[1],
        `multipart/form-data; boundary=${BOUNDARY}`,
      );
    });

    it("a chunked form body (no Content-Length) is read, checked and forwarded whole", async () => {
      const chunked = (text: string) => `${text.length.toString(16)}\r\n${text}\r\n0\r\n\r\n`;
      const head = `POST /items/a/b HTTP/1.1\r\nHost: ${MIDDLEWARE_HOST}\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n`;
      let before = h.forwarded.length;
      const refused = await headOnly(h.port, head, chunked("a=1&_method=PUT"));
      assert.deepEqual(
        [refused.status, refused.code, h.forwarded.length - before],
        [400, "ERR_METHOD_OVERRIDE", 0],
        refused.body,
      );
      before = h.forwarded.length;
      const admitted = await headOnly(h.port, head, chunked("a=1&_method=DELETE"));
      assert.equal(admitted.status, 200, admitted.body);
      assert.deepEqual([h.forwarded.length - before, h.forwarded[before]!.body], [1, "a=1&_method=DELETE"]);
    });

    it("a form POST without _method is forwarded byte for byte", async () => {
      const body = `a=${encodeURIComponent("\u00e9")}&b=${"x".repeat(60_000)}`;
      const { answer, forwarded } = await send("POST", "/hooks/a", { headers: [form()], body });
      assert.equal(answer.status, 200, answer.body);
      assert.equal(forwarded[0]!.body, body);
    });

    it("a body larger than 64 KiB that may carry _method is refused 413, not forwarded unchecked", async () => {
      const cases: [string, string][] = [
        ["/hooks/a", "Content-Type: application/x-www-form-urlencoded\r\n"],
        ["/hooks/a", "Content-Type: application/json\r\n"],
        ["/hooks/a", ""],
        ["/items/1", `Content-Type: multipart/form-data; boundary=b\r\nAuthorization: Bearer ${token}\r\n`],
      ];
      for (const [path, lines] of cases) {
        const before = h.forwarded.length;
        const answer = await headOnly(
          h.port,
          `POST ${path} HTTP/1.1\r\nHost: ${MIDDLEWARE_HOST}\r\nContent-Length: 70000\r\n${lines}`,
        );
        assert.deepEqual(
          [answer.status, answer.code, h.forwarded.length - before],
          [413, "ERR_OVERRIDE_BODY_TOO_LARGE", 0],
          `${path} ${lines}: ${answer.body}`,
        );
      }
    });

    it("a large body on a rule that governs every method streams through unread, byte for byte", async () => {
      const body = `a=${"y".repeat(300_000)}&_method=DELETE`;
      const { answer, forwarded } = await send("POST", "/uploads/a", { headers: [form(), bearer()], body });
      assert.equal(answer.status, 200, answer.body);
      assert.equal(forwarded[0]!.body, body);
    });

    it("a rule that says readBodyForMethodOverride: false streams a large POST body unread, but still checks the query", async () => {
      const body = JSON.stringify({ rows: "z".repeat(300_000), _method: "DELETE" });
      const json: [string, string] = ["content-type", "application/json"];
      const opted = await send("POST", "/imports/a", { headers: [json, bearer()], body });
      assert.equal(opted.answer.status, 200, opted.answer.body);
      assert.equal(opted.forwarded[0]!.body, body);
      const query = await send("POST", "/imports/a?_method=DELETE", { headers: [json, bearer()], body: "{}" });
      assert.deepEqual(
        [query.answer.status, query.answer.code, query.forwarded.length],
        [400, "ERR_METHOD_OVERRIDE", 0],
      );
    });

    it("control: a body no framework parses parameters from (text/plain, octet-stream) is forwarded", async () => {
      for (const type of ["text/plain", "application/octet-stream"]) {
        const { answer, forwarded } = await send("POST", "/hooks/a", {
          headers: [["content-type", type]],
          body: "_method=DELETE",
        });
        assert.deepEqual([answer.status, forwarded[0]?.body], [200, "_method=DELETE"], type);
      }
    });

    it("control: a Uint8Array body arrives without a Content-Type (so the Rack case above sends none)", async () => {
      const { forwarded } = await send("POST", "/hooks/a", { body: new TextEncoder().encode("a=1") });
      assert.equal(
        forwarded[0]!.headers.find(([n]) => n === "content-type"),
        undefined,
      );
    });

    it("anonymous callers cannot map protected rules, nor make the middleware read: the same 401 whatever the body", async () => {
      const answers = [];
      for (const body of ["", "_method=DELETE"]) {
        const { answer, forwarded } = await send("POST", "/items/1", { headers: [form()], body });
        assert.equal(forwarded.length, 0);
        answers.push(JSON.stringify([answer.status, answer.code, answer.body]));
      }
      // 70000 bytes promised and none sent: a middleware that read before authenticating would wait.
      const large = await headOnly(
        h.port,
        `POST /items/1 HTTP/1.1\r\nHost: ${MIDDLEWARE_HOST}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 70000\r\n`,
      );
      answers.push(JSON.stringify([large.status, large.code, large.body]));
      assert.equal(new Set(answers).size, 1, answers.join("\n"));
      assert.match(answers[0]!, /^\[401,"ERR_NO_TOKEN"/);
    });

    it("logs the field that named the method and the rules involved", async () => {
      await h.settleLogs();
      const before = h.events("middleware.refused").length;
      await send("POST", "/hooks/a", { headers: [form()], body: "_method=DELETE" });
      await send("POST", "/items/1", {
        headers: [["content-type", "application/json"], bearer()],
        body: '{"_method":"DELETE"}',
      });
      await headOnly(
        h.port,
        `POST /hooks/a HTTP/1.1\r\nHost: ${MIDDLEWARE_HOST}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 70000\r\n`,
      );
      await send("POST", "/hooks/a", {
        headers: [["content-type", "multipart/form-data; boundary=a; boundary=b"]],
        body: "--b--\r\n",
      });
      await send("POST", "/hooks/a", { headers: [form(), ["content-encoding", "gzip"]], body: gzipSync("a=1") });
      await h.settleLogs();
      const lines = h.events("middleware.refused").slice(before);
      assert.deepEqual(
        lines.map((l) => [l.code, l.status, l.rule]),
        [
          ["ERR_METHOD_OVERRIDE", 400, 4],
          ["ERR_METHOD_OVERRIDE", 400, 3],
          ["ERR_OVERRIDE_BODY_TOO_LARGE", 413, 4],
          ["ERR_METHOD_OVERRIDE", 400, 4],
          ["ERR_METHOD_OVERRIDE", 400, 4],
        ],
      );
      assert.equal(
        lines[0]!.reason,
        'form field "_method" names "DELETE": no rule governs it here, rules[4] governs POST',
      );
      assert.equal(
        lines[1]!.reason,
        'JSON member "_method" names "DELETE": rules[2] governs it here, rules[3] governs POST',
      );
      assert.match(String(lines[3]!.reason), /^the multipart body may carry _method .*has 2 boundary parameters/);
      assert.equal(
        lines[4]!.reason,
        'the POST body may carry _method and cannot be read as an origin reads it: its Content-Encoding is "gzip" (origins may decode it); send the body identity-encoded',
      );
    });
  });
});
