// `_method` in the query, thrown at the edge middleware Worker in workerd (issue 14, item 3):
// Laravel and Symfony read it from the query, ASP.NET MVC a parameter named X-HTTP-Method-Override,
// Struts 2 `__http_method` (method-override.ts counts every override header's name as a parameter).
// It must find the rule of the request's own method, like the override headers
// (override-headers.test.ts), else 400 ERR_METHOD_OVERRIDE.
// Sent to the middleware in workerd with override-middleware.ts's rules and harness.

import assert from "node:assert/strict";
import { form, overrideMiddleware } from "./override-middleware.js";

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

describe("override tricks against the edge middleware in workerd: _method in the query does not widen a rule", function () {
  this.timeout(120_000);
  const { send, bearer } = overrideMiddleware();

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
