// Request-shape tricks thrown at the edge middleware Worker in workerd (issue 14, items 2 and 3).
//
// Identity headers: a client header that an origin may read as an identity header must never reach
// it. The origin modelled is the most lenient gateway: CGI as Apache httpd 2.2 wrote it, where a
// header becomes HTTP_<NAME> with every character that is not a letter or digit as '_' (RFC 3875
// §4.1.18 names '-' only; WSGI, PHP and Rack read it so), so `x_worker_identity_subject`,
// `X.Worker-Identity_Subject` and `X-Worker-Identity-Subject` are all HTTP_X_WORKER_IDENTITY_SUBJECT.
// Sent with and without a token, to a public and to a protected route.
//
// Method overrides: frameworks run the method an X-HTTP-Method-Override, X-Method-Override or
// X-HTTP-Method header names (Express method-override, Rails, Laravel, ASP.NET). The origin may
// only receive one whose method the rule of the request's own method also governs; otherwise 400
// ERR_METHOD_OVERRIDE, except that an anonymous caller on a protected route gets the 401 any
// request there gets (overrides must not map the protected rules).
//
// Names that fetch (undici) refuses to send are written over a socket. What workerd does with them,
// before any Worker runs (found by sending them; the "runtime" cases pin it):
// - blanks between the name and the colon are trimmed: `X-Worker-Identity-Subject : v` arrives as
//   x-worker-identity-subject (and `Authorization : Bearer …` as Authorization);
// - a line starting with a blank (obsolete folding) is joined to the previous header's value; it
//   never becomes a header of its own;
// - NUL, other controls and non-ASCII bytes in a name are answered 400 by workerd itself.

import assert from "node:assert/strict";
import { decodeJwt } from "jose";
import { type ForwardedRequest, MIDDLEWARE_HOST, MiddlewareHarness } from "../support/middleware-harness.js";
import { sendRawHttp } from "../support/raw-http.js";
import { ACCOUNT_ID, API_AUDIENCE } from "../support/stack-fixture.js";

const RULES = {
  rules: [
    { methods: ["GET", "HEAD"], path: "/health", public: true },
    { methods: ["GET"], path: "/reports/*", allow: { workloads: ["edge-api"] } },
    { methods: ["DELETE"], path: "/items/:id", allow: { workloads: ["billing"] } },
    { methods: ["POST", "DELETE"], path: "/items/*", allow: { workloads: ["edge-api"] } },
    { methods: ["POST", "DELETE"], path: "/hooks/*", public: true },
  ],
};

const FORGED = `worker/${ACCOUNT_ID}/billing`;

/** Names an origin reads as an identity header; each is sent with the value FORGED. */
const IDENTITY_LOOK_ALIKES = [
  "X-Worker-Identity-Subject", // the plain spelling, in mixed case: a control
  "x_worker_identity_subject",
  "X_WORKER_IDENTITY_WORKLOAD",
  "X_Worker-Identity_Subject",
  "x-worker_identity-account",
  "x_worker-identity_jti",
  "X.Worker.Identity.Audience",
  "x~worker|identity`subject",
  "x-worker-identity_role",
];

const OVERRIDE_NAMES = [
  "X-HTTP-Method-Override",
  "X-Method-Override",
  "X-HTTP-Method",
  "x_http_method_override",
  "X_Method-Override",
  "X_HTTP_METHOD",
  "x.http.method.override",
];

/** The CGI variable a lenient gateway makes of a header name. */
const cgiVariable = (name: string) => `HTTP_${name.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;

/** What the origin reads as identity or credentials: [CGI variable, value], sorted. */
function identityAsRead(forwarded: ForwardedRequest): [string, string][] {
  return forwarded.headers
    .map(([name, value]): [string, string] => [cgiVariable(name), value])
    .filter(([variable]) => variable.startsWith("HTTP_X_WORKER_IDENTITY_") || variable === "HTTP_AUTHORIZATION")
    .sort(([a], [b]) => a.localeCompare(b));
}

interface Answer {
  readonly status: number;
  readonly contentType: string | undefined;
  readonly code: string | undefined;
  readonly wwwAuthenticate?: string | undefined;
  readonly body: string;
}

/** Bytes written to the middleware's socket as they are; the status line and body parsed back. */
async function rawRequest(port: number, head: string): Promise<Answer> {
  const answer = await sendRawHttp(port, `${head}Connection: close\r\n\r\n`, { encoding: "latin1" });
  const contentType = answer.header("content-type");
  const code =
    contentType === "application/problem+json" ? (JSON.parse(answer.body) as { code?: string }).code : undefined;
  return {
    status: answer.status,
    contentType,
    code,
    wwwAuthenticate: answer.header("www-authenticate"),
    body: answer.body,
  };
}

describe("request-shape tricks against the edge middleware in workerd", function () {
  this.timeout(120_000);
  let h: MiddlewareHarness;
  let token: string;

  before(async () => {
    h = await MiddlewareHarness.start({ rules: RULES });
    token = await h.token("edge-api", API_AUDIENCE, { lifetimeSeconds: 3600 });
  });
  after(async () => h?.dispose());

  /** Sends through fetch; answers what came back and what the origin received. */
  async function send(
    method: string,
    path: string,
    headers: [string, string][],
  ): Promise<{ answer: Answer; forwarded: ForwardedRequest[] }> {
    const before = h.forwarded.length;
    const response = await h.request(path, { method, headers });
    const body = await response.text();
    const contentType = response.headers.get("content-type") ?? undefined;
    const code = contentType === "application/problem+json" ? (JSON.parse(body) as { code?: string }).code : undefined;
    return { answer: { status: response.status, contentType, code, body }, forwarded: h.forwarded.slice(before) };
  }

  const bearer = (): [string, string] => ["authorization", `Bearer ${token}`];

  /** The identity the middleware itself adds for the edge-api token, as the origin reads it. */
  function realIdentity(): [string, string][] {
    return [
      ["HTTP_X_WORKER_IDENTITY_ACCOUNT", ACCOUNT_ID],
      ["HTTP_X_WORKER_IDENTITY_AUDIENCE", API_AUDIENCE],
      ["HTTP_X_WORKER_IDENTITY_JTI", String(decodeJwt(token).jti)],
      ["HTTP_X_WORKER_IDENTITY_SUBJECT", `worker/${ACCOUNT_ID}/edge-api`],
      ["HTTP_X_WORKER_IDENTITY_WORKLOAD", "edge-api"],
    ];
  }

  describe("identity headers cannot be smuggled", () => {
    it("the origin model reads every look-alike as an identity header (else the suite proves nothing)", () => {
      for (const name of IDENTITY_LOOK_ALIKES) assert.match(cgiVariable(name), /^HTTP_X_WORKER_IDENTITY_[A-Z]+$/, name);
      assert.equal(cgiVariable("Authorization"), "HTTP_AUTHORIZATION");
    });

    for (const name of IDENTITY_LOOK_ALIKES) {
      it(`${name}: stripped on a public route without a token`, async () => {
        const { answer, forwarded } = await send("GET", "/health", [[name, FORGED]]);
        assert.equal(answer.status, 200, answer.body);
        assert.equal(forwarded.length, 1);
        assert.deepEqual(identityAsRead(forwarded[0]!), []);
      });

      it(`${name}: stripped on a public route with a token (Authorization too)`, async () => {
        const { answer, forwarded } = await send("GET", "/health", [[name, FORGED], bearer()]);
        assert.equal(answer.status, 200, answer.body);
        assert.deepEqual(identityAsRead(forwarded[0]!), []);
      });

      it(`${name}: stripped on a protected route with a token, only the verified identity reaches the origin`, async () => {
        const { answer, forwarded } = await send("GET", "/reports/1", [[name, FORGED], bearer()]);
        assert.equal(answer.status, 200, answer.body);
        assert.equal(forwarded.length, 1);
        assert.deepEqual(identityAsRead(forwarded[0]!), realIdentity());
      });

      it(`${name}: a protected route without a token forwards nothing`, async () => {
        const { answer, forwarded } = await send("GET", "/reports/1", [[name, FORGED]]);
        assert.deepEqual([answer.status, answer.code, forwarded.length], [401, "ERR_NO_TOKEN", 0]);
      });
    }

    it("every look-alike at once, on a public route with a POST body: none reaches the origin", async () => {
      const { answer, forwarded } = await send(
        "POST",
        "/hooks/a",
        IDENTITY_LOOK_ALIKES.map((name): [string, string] => [name, FORGED]),
      );
      assert.equal(answer.status, 200, answer.body);
      assert.deepEqual(identityAsRead(forwarded[0]!), []);
    });

    // What fetch cannot send: blanks around the name, folded lines, bytes that are not a token.
    const RUNTIME_CASES: readonly { name: string; lines: string; workerd: "forwarded" | 400 }[] = [
      { name: "a blank before the colon", lines: `X-Worker-Identity-Subject : ${FORGED}`, workerd: "forwarded" },
      {
        name: "underscores and a tab before the colon",
        lines: `x_worker_identity_subject\t: ${FORGED}`,
        workerd: "forwarded",
      },
      {
        name: "mixed spelling and blanks before the colon",
        lines: `X_Worker-Identity_Workload \t : ${FORGED}`,
        workerd: "forwarded",
      },
      {
        name: "a folded line under another header",
        lines: `X-Note: 1\r\n x_worker_identity_subject: ${FORGED}`,
        workerd: "forwarded",
      },
      {
        name: "a folded line with a tab",
        lines: `X-Note: 1\r\n\tX-Worker-Identity-Workload: billing`,
        workerd: "forwarded",
      },
      {
        name: "Authorization with a blank before the colon",
        lines: `Authorization : Bearer x.y.z`,
        workerd: "forwarded",
      },
      { name: "a NUL after the name", lines: `x_worker_identity_subject\u0000: ${FORGED}`, workerd: 400 },
      { name: "a vertical tab after the name", lines: `x-worker-identity-subject\u000b: ${FORGED}`, workerd: 400 },
      { name: "a no-break space after the name", lines: `x_worker_identity_subject\u00a0: ${FORGED}`, workerd: 400 },
      { name: "a no-break space before the name", lines: `\u00a0x-worker-identity-subject: ${FORGED}`, workerd: 400 },
    ];

    for (const { name, lines, workerd } of RUNTIME_CASES) {
      for (const [path, withToken] of [
        ["/health", false],
        ["/health", true],
        ["/reports/1", true],
      ] as const) {
        const context = `${path} ${withToken ? "with" : "without"} a token`;
        it(`runtime: ${name} (${context}): ${workerd === 400 ? "refused 400 by workerd" : "the origin reads no smuggled header"}`, async () => {
          const authorization = withToken ? `Authorization: Bearer ${token}\r\n` : "";
          const before = h.forwarded.length;
          const answer = await rawRequest(
            h.port,
            `GET ${path} HTTP/1.1\r\nHost: ${MIDDLEWARE_HOST}\r\n${authorization}${lines}\r\n`,
          );
          const forwarded = h.forwarded.slice(before);
          if (workerd === 400) {
            assert.deepEqual([answer.status, forwarded.length], [400, 0], answer.body);
            assert.notEqual(
              answer.contentType,
              "application/problem+json",
              "workerd answers before the middleware runs",
            );
            return;
          }
          // "Authorization : Bearer x.y.z" after the real one makes two: refused 401 on the protected route.
          const twoAuthorizations = name.startsWith("Authorization") && path === "/reports/1";
          if (twoAuthorizations) {
            assert.deepEqual([answer.status, answer.code, forwarded.length], [401, "ERR_AUTHORIZATION_HEADER", 0]);
            return;
          }
          assert.equal(answer.status, 200, answer.body);
          assert.equal(forwarded.length, 1);
          assert.deepEqual(identityAsRead(forwarded[0]!), path === "/health" ? [] : realIdentity());
        });
      }
    }

    it("runtime: a folded line stays in the previous header's value (the origin sees X-Note, not a header of its own)", async () => {
      const before = h.forwarded.length;
      await rawRequest(
        h.port,
        `GET /health HTTP/1.1\r\nHost: ${MIDDLEWARE_HOST}\r\nX-Note: 1\r\n x_worker_identity_subject: ${FORGED}\r\n`,
      );
      const note = h.forwarded[before]?.headers.find(([name]) => name === "x-note")?.[1];
      assert.ok(note?.startsWith("1") && note.includes(`x_worker_identity_subject: ${FORGED}`), note);
    });
  });

  describe("method overrides do not widen a rule", () => {
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
        assert.deepEqual(
          [forwarded[0]!.method, overridesOf(forwarded[0]!)],
          ["POST", [[name.toLowerCase(), "DELETE"]]],
        );
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
      const billing = await h.token("billing");
      const answers = [];
      for (const extra of [[], [["X-HTTP-Method-Override", "DELETE"]], [["X-HTTP-Method-Override", "PATCH"]]] as [
        string,
        string,
      ][][]) {
        const { answer, forwarded } = await send("GET", "/reports/1", [
          ["authorization", `Bearer ${billing}`],
          ...extra,
        ]);
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
          const before = h.forwarded.length;
          // Over a socket: fetch would join a repeated header before the runtime saw it.
          const lines = headers.map(([name, value]) => `${name}: ${value}\r\n`).join("");
          const length = method === "GET" ? "" : "Content-Length: 0\r\n";
          const answer = await rawRequest(
            h.port,
            `${method} ${path} HTTP/1.1\r\nHost: ${MIDDLEWARE_HOST}\r\n${length}${lines}`,
          );
          assert.deepEqual(
            [answer.status, answer.code, h.forwarded.length - before],
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
      await h.settleLogs();
      const before = h.events("middleware.refused").length;
      await send("GET", "/health", [["X-HTTP-Method-Override", "DELETE"]]);
      await send("POST", "/items/1", [["x_method_override", "DELETE"], bearer()]);
      await h.settleLogs();
      const lines = h.events("middleware.refused").slice(before);
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
});
