// What parseRules refuses: every problem at once, each with its JSON path, and one refusal per kind
// of mistake, each a single change to a valid document (rules-documents.ts).

import assert from "node:assert/strict";
import { parseRules, type RulesError } from "../../worker/rules/rules.js";
import { type Doc, refusal, valid } from "./rules-documents.js";

describe("parseRules refusals", () => {
  it("lists every problem at once, each with its JSON path", () => {
    const doc = valid();
    doc.extra = 1;
    doc.rules[0]!.methods = ["FETCH"];
    doc.rules[1]!.path = "reports";
    assert.throws(
      () => parseRules(doc),
      (error: RulesError) => {
        assert.deepEqual(
          error.problems.map((p) => p.path),
          ["$.extra", "$.rules[0].methods[0]", "$.rules[1].path"],
        );
        assert.match(error.message, /3 problems/);
        return true;
      },
    );
  });

  const cases: [string, (doc: Doc) => unknown, string, RegExp][] = [
    ["a document that is not an object", () => [], "$", /"rules"/],
    ["the JSON text instead of the parsed document", (d) => JSON.stringify(d), "$", /JSON\.parse/],
    ["an unknown top-level field", (d) => ({ ...d, version: 1 }), "$.version", /only "rules"/],
    ["no rules", () => ({ rules: [] }), "$.rules", /non-empty array/],
    [
      "more than 256 rules",
      () => ({
        rules: Array.from({ length: 257 }, (_, i) => ({ methods: ["GET"], path: `/r${i}`, allow: "authenticated" })),
      }),
      "$.rules",
      /at most 256/,
    ],
    ["a rule that is not an object", (d) => ({ rules: [...d.rules, "GET /x"] }), "$.rules[3]", /must be an object/],
    ["an unknown rule field", (d) => ((d.rules[1]!.roles = ["admin"]), d), "$.rules[1].roles", /not a field of a rule/],
    [
      "a misspelled field name with a dash",
      (d) => ((d.rules[1]!["allow-list"] = []), d),
      '$.rules[1]["allow-list"]',
      /not a field/,
    ],
    ["no methods", (d) => (delete d.rules[1]!.methods, d), "$.rules[1].methods", /"\*" or a non-empty array/],
    ["an empty method list", (d) => ((d.rules[1]!.methods = []), d), "$.rules[1].methods", /non-empty array/],
    ["a lower-case method", (d) => ((d.rules[1]!.methods = ["get"]), d), "$.rules[1].methods[0]", /upper case: "GET"/],
    [
      "an unknown method",
      (d) => ((d.rules[1]!.methods = ["GET", "TRACE"]), d),
      "$.rules[1].methods[1]",
      /not a method a rule can name/,
    ],
    ["a repeated method", (d) => ((d.rules[1]!.methods = ["GET", "GET"]), d), "$.rules[1].methods[1]", /repeats GET/],
    [
      "methods as a comma list",
      (d) => ((d.rules[1]!.methods = "GET,POST"), d),
      "$.rules[1].methods",
      /"\*" or a non-empty array/,
    ],
    ["no path", (d) => (delete d.rules[1]!.path, d), "$.rules[1].path", /path pattern string/],
    ["a relative path", (d) => ((d.rules[1]!.path = "reports/*"), d), "$.rules[1].path", /start with '\/'/],
    ["a '..' segment", (d) => ((d.rules[1]!.path = "/reports/../admin"), d), "$.rules[1].path", /'\.\.'/],
    ["'..' inside a segment", (d) => ((d.rules[1]!.path = "/reports/a..b"), d), "$.rules[1].path", /'\.\.'/],
    ["a '.' segment", (d) => ((d.rules[1]!.path = "/./reports"), d), "$.rules[1].path", /'\.'/],
    ["an empty segment", (d) => ((d.rules[1]!.path = "/reports//daily"), d), "$.rules[1].path", /empty segment/],
    [
      "a '*' inside a segment",
      (d) => ((d.rules[1]!.path = "/reports/*.csv"), d),
      "$.rules[1].path",
      /whole last segment/,
    ],
    [
      "a '*' before the end",
      (d) => ((d.rules[1]!.path = "/reports/*/daily"), d),
      "$.rules[1].path",
      /whole last segment/,
    ],
    ["a bad parameter name", (d) => ((d.rules[1]!.path = "/reports/:1st"), d), "$.rules[1].path", /parameter ":1st"/],
    [
      "a repeated parameter",
      (d) => ((d.rules[1]!.path = "/a/:id/b/:id"), d),
      "$.rules[1].path",
      /repeats the parameter :id/,
    ],
    ["an unescaped space", (d) => ((d.rules[1]!.path = "/a b"), d), "$.rules[1].path", /percent-encode/],
    ["an escaped slash", (d) => ((d.rules[1]!.path = "/a%2Fb"), d), "$.rules[1].path", /%2F/],
    ["an escaped backslash", (d) => ((d.rules[1]!.path = "/a%5cb"), d), "$.rules[1].path", /%5C/],
    ["an escaped NUL", (d) => ((d.rules[1]!.path = "/a%00"), d), "$.rules[1].path", /control character \(%00\)/],
    [
      "a ';' path parameter",
      (d) => ((d.rules[1]!.path = "/a;v=1"), d),
      "$.rules[1].path",
      /';' \(raw or %3B\).*ERR_REQUEST_PATH/,
    ],
    ["an escaped ';'", (d) => ((d.rules[1]!.path = "/a%3Bb/*"), d), "$.rules[1].path", /';' \(raw or %3B\)/],
    ["an escaped '..' segment", (d) => ((d.rules[1]!.path = "/reports/%2E%2E/admin"), d), "$.rules[1].path", /'\.\.'/],
    [
      "'..' escaped inside a segment",
      (d) => ((d.rules[1]!.path = "/reports/a%2e%2Eb"), d),
      "$.rules[1].path",
      /'\.\.'/,
    ],
    ["an overlong UTF-8 escape", (d) => ((d.rules[1]!.path = "/a%C0%AF"), d), "$.rules[1].path", /not UTF-8 \(%C0%AF/],
    ["an escape of an escape", (d) => ((d.rules[1]!.path = "/a%252e"), d), "$.rules[1].path", /escaped escape/],
    [
      "a route an earlier one hides in another spelling",
      (d) => ({
        rules: [
          ...d.rules,
          { methods: ["GET"], path: "/x%3Ay", allow: "authenticated" },
          { methods: ["GET"], path: "/x:%79", public: true },
        ],
      }),
      "$.rules[4]",
      /can never match: rules\[3\]/,
    ],
    [
      "a path over 1024 characters",
      (d) => ((d.rules[1]!.path = `/${"a".repeat(1024)}`), d),
      "$.rules[1].path",
      /at most 1024/,
    ],
    [
      "neither allow nor public",
      (d) => (delete d.rules[1]!.allow, d),
      "$.rules[1].allow",
      /"authenticated" or an object/,
    ],
    [
      "a misspelled allow keyword",
      (d) => ((d.rules[1]!.allow = "authenticate"), d),
      "$.rules[1].allow",
      /"authenticated"/,
    ],
    ["an empty allow object", (d) => ((d.rules[1]!.allow = {}), d), "$.rules[1].allow", /write "authenticated"/],
    [
      "an unknown condition",
      (d) => ((d.rules[1]!.allow = { roles: ["admin"] }), d),
      "$.rules[1].allow.roles",
      /not a condition/,
    ],
    [
      "an empty workload list",
      (d) => ((d.rules[1]!.allow = { workloads: [] }), d),
      "$.rules[1].allow.workloads",
      /non-empty array/,
    ],
    [
      "a workload that is not a script name",
      (d) => ((d.rules[1]!.allow = { workloads: ["Edge API"] }), d),
      "$.rules[1].allow.workloads[0]",
      /script name/,
    ],
    [
      "a repeated workload",
      (d) => ((d.rules[1]!.allow = { workloads: ["a", "a"] }), d),
      "$.rules[1].allow.workloads[1]",
      /repeats/,
    ],
    [
      "a subject of the wrong shape",
      (d) => ((d.rules[1]!.allow = { subjects: ["edge-api"] }), d),
      "$.rules[1].allow.subjects[0]",
      /worker\/<account_id>/,
    ],
    [
      "an audience with a space",
      (d) => ((d.rules[1]!.allow = { audiences: ["my api"] }), d),
      "$.rules[1].allow.audiences[0]",
      /without spaces/,
    ],
    [
      "an empty claims object",
      (d) => ((d.rules[1]!.allow = { claims: {} }), d),
      "$.rules[1].allow.claims",
      /non-empty object/,
    ],
    [
      "a claim value that is not JSON",
      (d) => ((d.rules[1]!.allow = { claims: { "https://x/tier": Infinity } }), d),
      '$.rules[1].allow.claims["https://x/tier"]',
      /JSON value/,
    ],
    ["public: false", (d) => ((d.rules[0]!.public = false), d), "$.rules[0].public", /only be true/],
    [
      "public with allow",
      (d) => ((d.rules[0]!.allow = "authenticated"), d),
      "$.rules[0].allow",
      /cannot be combined with public/,
    ],
    [
      "a description that is not a string",
      (d) => ((d.rules[0]!.description = 1), d),
      "$.rules[0].description",
      /string/,
    ],
    [
      "a duplicate identical route",
      (d) => ({ rules: [...d.rules, { methods: ["GET", "POST"], path: "/reports/*", public: true }] }),
      "$.rules[3]",
      /rules\[1\] \(GET,POST \/reports\/\*\) comes first/,
    ],
    [
      "a route an earlier wildcard hides",
      (d) => ({ rules: [...d.rules, { methods: ["GET"], path: "/reports/daily", allow: "authenticated" }] }),
      "$.rules[3]",
      /can never match: rules\[1\]/,
    ],
    [
      "a route an earlier parameter hides",
      (d) => ({ rules: [...d.rules, { methods: ["PUT"], path: "/accounts/42/ledger", allow: "authenticated" }] }),
      "$.rules[3]",
      /can never match: rules\[2\] \(\* /,
    ],
  ];
  for (const [name, mutate, path, fix] of cases) {
    it(`refuses ${name}`, () => {
      const problem = refusal(mutate(valid()));
      assert.equal(problem.path, path);
      assert.match(problem.fix, fix);
    });
  }

  it("keeps a later rule an earlier one only partly covers", () => {
    const doc = valid();
    doc.rules.push({ methods: ["GET", "DELETE"], path: "/reports/*", allow: "authenticated" }); // DELETE is new
    doc.rules.push({ methods: ["GET"], path: "/reports", allow: "authenticated" }); // hidden? /reports/* matches /reports
    assert.equal(refusal(doc).path, "$.rules[4]");
    doc.rules.pop();
    assert.doesNotThrow(() => parseRules(doc));
  });
});
