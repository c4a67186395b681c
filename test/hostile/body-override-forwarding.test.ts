// A POST body the edge middleware Worker (in workerd) read for `_method`: a body that was checked
// reaches the origin byte for byte (chunked too); one that may carry `_method` and is too large to
// check is 413 ERR_OVERRIDE_BODY_TOO_LARGE; a rule that governs every method, or says
// readBodyForMethodOverride: false, streams it unread; anonymous callers learn nothing; refusals are logged.
// Sent to the middleware in workerd with override-middleware.ts's rules and harness.

import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { MIDDLEWARE_HOST } from "../support/middleware-harness.js";
import { BOUNDARY, form, headOnly, multipart, multipartType, overrideMiddleware } from "./override-middleware.js";

describe("override tricks against the edge middleware in workerd: a checked POST body is forwarded unchanged", function () {
  this.timeout(120_000);
  const middleware = overrideMiddleware();
  const { send, bearer } = middleware;

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
    const head = `POST /items/a/b HTTP/1.1\r\nHost: ${MIDDLEWARE_HOST}\r\nAuthorization: Bearer ${middleware.token}\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n`;
    let before = middleware.harness.forwarded.length;
    const refused = await headOnly(middleware.harness.port, head, chunked("a=1&_method=PUT"));
    assert.deepEqual(
      [refused.status, refused.code, middleware.harness.forwarded.length - before],
      [400, "ERR_METHOD_OVERRIDE", 0],
      refused.body,
    );
    before = middleware.harness.forwarded.length;
    const admitted = await headOnly(middleware.harness.port, head, chunked("a=1&_method=DELETE"));
    assert.equal(admitted.status, 200, admitted.body);
    assert.deepEqual(
      [middleware.harness.forwarded.length - before, middleware.harness.forwarded[before]!.body],
      [1, "a=1&_method=DELETE"],
    );
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
      ["/items/1", `Content-Type: multipart/form-data; boundary=b\r\nAuthorization: Bearer ${middleware.token}\r\n`],
    ];
    for (const [path, lines] of cases) {
      const before = middleware.harness.forwarded.length;
      const answer = await headOnly(
        middleware.harness.port,
        `POST ${path} HTTP/1.1\r\nHost: ${MIDDLEWARE_HOST}\r\nContent-Length: 70000\r\n${lines}`,
      );
      assert.deepEqual(
        [answer.status, answer.code, middleware.harness.forwarded.length - before],
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
    assert.deepEqual([query.answer.status, query.answer.code, query.forwarded.length], [400, "ERR_METHOD_OVERRIDE", 0]);
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
      middleware.harness.port,
      `POST /items/1 HTTP/1.1\r\nHost: ${MIDDLEWARE_HOST}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 70000\r\n`,
    );
    answers.push(JSON.stringify([large.status, large.code, large.body]));
    assert.equal(new Set(answers).size, 1, answers.join("\n"));
    assert.match(answers[0]!, /^\[401,"ERR_NO_TOKEN"/);
  });

  it("logs the field that named the method and the rules involved", async () => {
    const lines = await middleware.refusalsDuring(async () => {
      await send("POST", "/hooks/a", { headers: [form()], body: "_method=DELETE" });
      await send("POST", "/items/1", {
        headers: [["content-type", "application/json"], bearer()],
        body: '{"_method":"DELETE"}',
      });
      await headOnly(
        middleware.harness.port,
        `POST /hooks/a HTTP/1.1\r\nHost: ${MIDDLEWARE_HOST}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 70000\r\n`,
      );
      await send("POST", "/hooks/a", {
        headers: [["content-type", "multipart/form-data; boundary=a; boundary=b"]],
        body: "--b--\r\n",
      });
      await send("POST", "/hooks/a", { headers: [form(), ["content-encoding", "gzip"]], body: gzipSync("a=1") });
    });
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
