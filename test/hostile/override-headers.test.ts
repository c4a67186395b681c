// Method override headers thrown at the edge middleware Worker in workerd (issue 14, item 3).
//
// Method overrides: frameworks run the method an X-HTTP-Method-Override, X-Method-Override or
// X-HTTP-Method header names (Express method-override, Rails, Laravel, ASP.NET). The origin may
// only receive one whose method the rule of the request's own method also governs; otherwise 400
// ERR_METHOD_OVERRIDE, except that an anonymous caller on a protected route gets the 401 any
// request there gets (overrides must not map the protected rules).
//
// `_method` in the query and the body: query-method-override.test.ts, body-method-override.test.ts.
// Sent to the middleware in workerd with request-shape-middleware.ts's rules.

import assert from "node:assert/strict";
import { type ForwardedRequest, MIDDLEWARE_HOST } from "../support/middleware-harness.js";
import { rawRequest } from "./middleware-suite.js";
import { requestShapeMiddleware } from "./request-shape-middleware.js";

const OVERRIDE_NAMES = [
  "X-HTTP-Method-Override",
  "X-Method-Override",
  "X-HTTP-Method",
  "x_http_method_override",
  "X_Method-Override",
  "X_HTTP_METHOD",
  "x.http.method.override",
];

describe("request-shape tricks against the edge middleware in workerd: method overrides do not widen a rule", function () {
  this.timeout(120_000);
  const { suite, send, bearer } = requestShapeMiddleware();

  /** The override headers the origin received: [name, value]. */
  const overridesOf = (forwarded: ForwardedRequest) =>
    forwarded.headers.filter(([name]) =>
      /^x[-_.]http[-_.]method([-_.]override)?$|^x[-_.]method[-_.]override$/.test(name),
    );

  for (const name of OVERRIDE_NAMES) {
    it(`${name}: DELETE on a public GET,HEAD rule is refused 400 before forwarding`, async () => {
      const { answer, forwarded } = await send("GET", "/health", [[name, "DELETE"]]);
      assert.deepEqual(
        [answer.status, answer.code, answer.contentType, forwarded.length],
        [400, "ERR_METHOD_OVERRIDE", "application/problem+json", 0],
        answer.body,
      );
    });

    it(`${name}: HEAD on a public GET,HEAD rule is forwarded unchanged`, async () => {
      const { answer, forwarded } = await send("GET", "/health", [[name, "HEAD"]]);
      assert.equal(answer.status, 200, answer.body);
      assert.deepEqual([forwarded[0]!.method, overridesOf(forwarded[0]!)], ["GET", [[name.toLowerCase(), "HEAD"]]]);
    });

    it(`${name}: DELETE on a protected GET rule, with an admitted token, is refused 400`, async () => {
      const { answer, forwarded } = await send("GET", "/reports/1", [[name, "DELETE"], bearer()]);
      assert.deepEqual([answer.status, answer.code, forwarded.length], [400, "ERR_METHOD_OVERRIDE", 0], answer.body);
    });

    it(`${name}: GET on a protected GET rule is forwarded unchanged`, async () => {
      const { answer, forwarded } = await send("GET", "/reports/1", [[name, "get"], bearer()]);
      assert.equal(answer.status, 200, answer.body);
      assert.deepEqual(overridesOf(forwarded[0]!), [[name.toLowerCase(), "get"]]);
    });

    it(`${name}: POST + DELETE on a POST,DELETE rule is forwarded as POST with the override`, async () => {
      const { answer, forwarded } = await send("POST", "/items/a/b", [[name, "DELETE"], bearer()]);
      assert.equal(answer.status, 200, answer.body);
      assert.deepEqual([forwarded[0]!.method, overridesOf(forwarded[0]!)], ["POST", [[name.toLowerCase(), "DELETE"]]]);
    });

    it(`${name}: POST + DELETE where an earlier, stricter DELETE rule governs is refused 400`, async () => {
      const { answer, forwarded } = await send("POST", "/items/1", [[name, "DELETE"], bearer()]);
      assert.deepEqual([answer.status, answer.code, forwarded.length], [400, "ERR_METHOD_OVERRIDE", 0], answer.body);
    });

    it(`${name}: POST + DELETE on a public POST,DELETE rule is forwarded; + PUT is refused 400`, async () => {
      const admitted = await send("POST", "/hooks/x", [[name, "DELETE"]]);
      assert.equal(admitted.answer.status, 200, admitted.answer.body);
      const refused = await send("POST", "/hooks/x", [[name, "PUT"]]);
      assert.deepEqual(
        [refused.answer.status, refused.answer.code, refused.forwarded.length],
        [400, "ERR_METHOD_OVERRIDE", 0],
      );
    });
  }

  it("control: the stricter rule refuses a real DELETE of the edge-api token (so the override would have widened it)", async () => {
    const { answer, forwarded } = await send("DELETE", "/items/1", [bearer()]);
    assert.deepEqual([answer.status, answer.code, forwarded.length], [403, "ERR_RULE_REFUSED", 0]);
  });

  it("a caller the rule does not admit gets the same 403 with or without an override, so it cannot map which methods share the rule", async () => {
    const billing = await suite.harness.token("billing");
    const answers = [];
    for (const extra of [[], [["X-HTTP-Method-Override", "DELETE"]], [["X-HTTP-Method-Override", "PATCH"]]] as [
      string,
      string,
    ][][]) {
      const { answer, forwarded } = await send("GET", "/reports/1", [["authorization", `Bearer ${billing}`], ...extra]);
      assert.equal(forwarded.length, 0);
      answers.push(JSON.stringify([answer.status, answer.code]));
    }
    assert.deepEqual(answers, Array(3).fill(JSON.stringify([403, "ERR_RULE_REFUSED"])));
  });

  it("anonymous callers cannot map protected rules: any override on a protected or unruled path is the same 401", async () => {
    const answers = [];
    for (const [method, path, override] of [
      ["GET", "/reports/1", "DELETE"],
      ["GET", "/reports/1", "GET"],
      ["GET", "/reports/1", undefined],
      ["POST", "/items/1", "DELETE"],
      ["POST", "/items/a/b", "DELETE"],
      ["PUT", "/nowhere", "DELETE"],
      ["DELETE", "/health", "GET"],
    ] as const) {
      const { answer, forwarded } = await send(
        method,
        path,
        override === undefined ? [] : [["x-http-method-override", override]],
      );
      assert.equal(forwarded.length, 0, `${method} ${path} ${override ?? ""}`);
      answers.push([answer.status, answer.code, answer.body]);
    }
    assert.equal(new Set(answers.map((a) => JSON.stringify(a))).size, 1, JSON.stringify(answers));
    assert.deepEqual(answers[0]!.slice(0, 2), [401, "ERR_NO_TOKEN"]);
  });

  it("with a token, a method no rule governs is 403 ERR_NO_RULE, override or not", async () => {
    for (const override of ["GET", "DELETE", undefined]) {
      const headers: [string, string][] = [
        bearer(),
        ...(override === undefined ? [] : [["x-http-method-override", override] as [string, string]]),
      ];
      const { answer, forwarded } = await send("PUT", "/reports/1", headers);
      assert.deepEqual([answer.status, answer.code, forwarded.length], [403, "ERR_NO_RULE", 0], String(override));
    }
  });

  // Refused whatever the rules say, so before the token: the answer depends on the request alone.
  const MALFORMED: readonly [string, readonly [string, string][]][] = [
    ["an empty value", [["X-HTTP-Method-Override", ""]]],
    ["a value that is not a method", [["X-HTTP-Method-Override", "GET /admin"]]],
    ["two methods in one value", [["X-HTTP-Method-Override", "GET, DELETE"]]],
    [
      "two header names that disagree",
      [
        ["X-HTTP-Method-Override", "GET"],
        ["X-HTTP-Method", "DELETE"],
      ],
    ],
    [
      "two spellings of one name that disagree",
      [
        ["X-Method-Override", "GET"],
        ["x_method_override", "DELETE"],
      ],
    ],
    [
      "the same header twice, disagreeing",
      [
        ["X-HTTP-Method-Override", "GET"],
        ["X-HTTP-Method-Override", "DELETE"],
      ],
    ],
  ];
  for (const [what, headers] of MALFORMED) {
    it(`${what}: 400 ERR_METHOD_OVERRIDE on every route, without a token`, async () => {
      for (const [method, path] of [
        ["GET", "/health"],
        ["GET", "/reports/1"],
        ["PUT", "/nowhere"],
        ["POST", "/hooks/x"],
      ] as const) {
        const before = suite.harness.forwarded.length;
        // Over a socket: fetch would join a repeated header before the runtime saw it.
        const lines = headers.map(([name, value]) => `${name}: ${value}\r\n`).join("");
        const length = method === "GET" ? "" : "Content-Length: 0\r\n";
        const answer = await rawRequest(
          suite.harness.port,
          `${method} ${path} HTTP/1.1\r\nHost: ${MIDDLEWARE_HOST}\r\n${length}${lines}`,
        );
        assert.deepEqual(
          [answer.status, answer.code, suite.harness.forwarded.length - before],
          [400, "ERR_METHOD_OVERRIDE", 0],
          `${method} ${path}: ${answer.body}`,
        );
        assert.equal(answer.wwwAuthenticate, undefined);
      }
    });
  }

  it("several agreeing overrides, in any case and spelling, are forwarded", async () => {
    const { answer, forwarded } = await send("POST", "/items/a/b", [
      ["X-HTTP-Method-Override", "DELETE"],
      ["x_method_override", "delete"],
      bearer(),
    ]);
    assert.equal(answer.status, 200, answer.body);
    assert.deepEqual(overridesOf(forwarded[0]!), [
      ["x-http-method-override", "DELETE"],
      ["x_method_override", "delete"],
    ]);
  });

  it("logs each refusal with the override it named and the rules involved", async () => {
    const lines = await suite.refusalsDuring(async () => {
      await send("GET", "/health", [["X-HTTP-Method-Override", "DELETE"]]);
      await send("POST", "/items/1", [["x_method_override", "DELETE"], bearer()]);
    });
    assert.deepEqual(
      lines.map((l) => [l.code, l.status, l.rule]),
      [
        ["ERR_METHOD_OVERRIDE", 400, 0],
        ["ERR_METHOD_OVERRIDE", 400, 3],
      ],
    );
    assert.match(
      String(lines[0]!.reason),
      /^x-http-method-override names "DELETE": no rule governs it here, rules\[0\] governs GET$/,
    );
    assert.match(
      String(lines[1]!.reason),
      /^x_method_override names "DELETE": rules\[2\] governs it here, rules\[3\] governs POST$/,
    );
  });
});
