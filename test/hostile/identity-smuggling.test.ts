// Request-shape tricks thrown at the edge middleware Worker in workerd (issue 14, items 2 and 3).
//
// Identity headers: a client header that an origin may read as an identity header must never reach
// it. The origin modelled is the most lenient gateway: CGI as Apache httpd 2.2 wrote it, where a
// header becomes HTTP_<NAME> with every character that is not a letter or digit as '_' (RFC 3875
// §4.1.18 names '-' only; WSGI, PHP and Rack read it so), so `x_worker_identity_subject`,
// `X.Worker-Identity_Subject` and `X-Worker-Identity-Subject` are all HTTP_X_WORKER_IDENTITY_SUBJECT.
// Sent with and without a token, to a public and to a protected route.
//
// Names that fetch (undici) refuses to send are written over a socket. What workerd does with them,
// before any Worker runs (found by sending them; the "runtime" cases pin it):
// - blanks between the name and the colon are trimmed: `X-Worker-Identity-Subject : v` arrives as
//   x-worker-identity-subject (and `Authorization : Bearer …` as Authorization);
// - a line starting with a blank (obsolete folding) is joined to the previous header's value; it
//   never becomes a header of its own;
// - NUL, other controls and non-ASCII bytes in a name are answered 400 by workerd itself.
// Sent to the middleware in workerd with request-shape-middleware.ts's rules.

import assert from "node:assert/strict";
import { decodeJwt } from "jose";
import { type ForwardedRequest, MIDDLEWARE_HOST } from "../support/middleware-harness.js";
import { ACCOUNT_ID, API_AUDIENCE } from "../support/stack-fixture.js";
import { rawRequest } from "./middleware-suite.js";
import { requestShapeMiddleware } from "./request-shape-middleware.js";

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

/** The CGI variable a lenient gateway makes of a header name. */
const cgiVariable = (name: string) => `HTTP_${name.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;

/** What the origin reads as identity or credentials: [CGI variable, value], sorted. */
function identityAsRead(forwarded: ForwardedRequest): [string, string][] {
  return forwarded.headers
    .map(([name, value]): [string, string] => [cgiVariable(name), value])
    .filter(([variable]) => variable.startsWith("HTTP_X_WORKER_IDENTITY_") || variable === "HTTP_AUTHORIZATION")
    .sort(([a], [b]) => a.localeCompare(b));
}

describe("request-shape tricks against the edge middleware in workerd: identity headers cannot be smuggled", function () {
  this.timeout(120_000);
  const { suite, send, bearer } = requestShapeMiddleware();

  /** The identity the middleware itself adds for the edge-api token, as the origin reads it. */
  function realIdentity(): [string, string][] {
    return [
      ["HTTP_X_WORKER_IDENTITY_ACCOUNT", ACCOUNT_ID],
      ["HTTP_X_WORKER_IDENTITY_AUDIENCE", API_AUDIENCE],
      ["HTTP_X_WORKER_IDENTITY_JTI", String(decodeJwt(suite.token).jti)],
      ["HTTP_X_WORKER_IDENTITY_SUBJECT", `worker/${ACCOUNT_ID}/edge-api`],
      ["HTTP_X_WORKER_IDENTITY_WORKLOAD", "edge-api"],
    ];
  }

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
        const authorization = withToken ? `Authorization: Bearer ${suite.token}\r\n` : "";
        const before = suite.harness.forwarded.length;
        const answer = await rawRequest(
          suite.harness.port,
          `GET ${path} HTTP/1.1\r\nHost: ${MIDDLEWARE_HOST}\r\n${authorization}${lines}\r\n`,
        );
        const forwarded = suite.harness.forwarded.slice(before);
        if (workerd === 400) {
          assert.deepEqual([answer.status, forwarded.length], [400, 0], answer.body);
          assert.notEqual(answer.contentType, "application/problem+json", "workerd answers before the middleware runs");
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
    const before = suite.harness.forwarded.length;
    await rawRequest(
      suite.harness.port,
      `GET /health HTTP/1.1\r\nHost: ${MIDDLEWARE_HOST}\r\nX-Note: 1\r\n x_worker_identity_subject: ${FORGED}\r\n`,
    );
    const note = suite.harness.forwarded[before]?.headers.find(([name]) => name === "x-note")?.[1];
    assert.ok(note?.startsWith("1") && note.includes(`x_worker_identity_subject: ${FORGED}`), note);
  });
});
