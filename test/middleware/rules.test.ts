// The rules document: what parseRules accepts (the example file included), one refusal per kind of
// mistake (each a single change to a valid document), and what the rules mean for a request.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { admits, findRule } from "../../worker/middleware/authorize.js";
import { canonicalPath } from "../../worker/rules/request-path.js";
import { type Allow, parseRules, type Rules, RulesError } from "../../worker/rules/rules.js";
import type { VerifiedIdentity } from "../../worker/verification/index.js";
import { REPO_ROOT } from "../support/run-tsx.js";

const ACCOUNT = "0123456789abcdef0123456789abcdef";

type Doc = { rules: Record<string, unknown>[] } & Record<string, unknown>;

function valid(): Doc {
  return {
    rules: [
      { methods: ["GET"], path: "/health", public: true },
      { methods: ["GET", "POST"], path: "/reports/*", allow: { workloads: ["edge-api"] } },
      { methods: "*", path: "/accounts/:id/ledger", allow: "authenticated", description: "any valid token" },
    ],
  };
}

/** The single problem parseRules reports for `doc`. */
function refusal(doc: unknown): { path: string; fix: string } {
  try {
    parseRules(doc);
  } catch (error) {
    assert.ok(error instanceof RulesError && error instanceof TypeError);
    assert.equal(error.problems.length, 1, error.message);
    return error.problems[0]!;
  }
  assert.fail("parseRules accepted the document");
}

describe("parseRules", () => {
  it("accepts the example rules file that npm start uses", () => {
    const document = JSON.parse(
      readFileSync(resolve(REPO_ROOT, "worker/middleware/rules.example.json"), "utf8"),
    ) as unknown;
    const { rules } = parseRules(document);
    assert.equal(rules.length, 5);
    assert.ok(
      rules.some(
        (r) =>
          !r.public && r.allow !== "authenticated" && r.allow.audiences?.includes("https://api.internal.example.dev"),
      ),
    );
  });

  it("compiles every field and freezes the result", () => {
    const rules = parseRules({
      rules: [
        { methods: ["GET", "HEAD"], path: "/health", public: true, description: "probe" },
        {
          methods: "*",
          path: "/a/:x/b/*",
          allow: {
            workloads: ["w"],
            subjects: [`worker/${ACCOUNT}/w`],
            audiences: ["aud"],
            claims: { team: "t", tier: [1, { n: null }] },
          },
        },
      ],
    });
    const [health, wide] = rules.rules;
    assert.deepEqual(
      [health?.index, health?.methods, health?.path, health?.public, health?.description],
      [0, ["GET", "HEAD"], "/health", true, "probe"],
    );
    assert.ok(wide && !wide.public);
    assert.equal(wide.methods, "*");
    assert.deepEqual(wide.pattern.segments, [
      { kind: "literal", value: "a" },
      { kind: "param", name: "x" },
      { kind: "literal", value: "b" },
    ]);
    assert.equal(wide.pattern.prefix, true);
    assert.deepEqual(wide.allow, {
      workloads: ["w"],
      subjects: [`worker/${ACCOUNT}/w`],
      audiences: ["aud"],
      claims: { team: "t", tier: [1, { n: null }] },
    });
    assert.ok(
      Object.isFrozen(rules) && Object.isFrozen(rules.rules) && Object.isFrozen(wide) && Object.isFrozen(wide.allow),
    );
  });

  it("accepts percent-escapes of reserved and non-ASCII characters, and a trailing slash", () => {
    assert.doesNotThrow(() =>
      parseRules({ rules: [{ methods: ["GET"], path: "/caf%C3%A9/a%20b/", allow: "authenticated" }] }),
    );
  });

  it("spells literal segments as the canonical request path does: escapes in any case, one spelling per character", () => {
    const literals = (path: string) =>
      parseRules({ rules: [{ methods: ["GET"], path, allow: "authenticated" }] }).rules[0]!.pattern.segments;
    const literal = (value: string) => ({ kind: "literal", value });
    assert.deepEqual(literals("/a%3Ab/%41dmin/caf%c3%a9/a%20b/%2A"), [
      literal("a:b"),
      literal("Admin"),
      literal("caf%C3%A9"),
      literal("a%20b"),
      literal("*"),
    ]);
    assert.deepEqual(literals("/a:b/Admin/caf%C3%A9"), literals("/%61%3a%62/%41dmin/caf%C3%a9"));
    assert.deepEqual(literals("/%3Aid"), [literal(":id")], "an escaped ':' is a literal, not a parameter");
  });

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

describe("rule matching", () => {
  const rules: Rules = parseRules({
    rules: [
      { methods: ["GET"], path: "/", public: true },
      { methods: ["GET"], path: "/reports/daily", allow: { workloads: ["a"] } },
      { methods: ["GET", "HEAD"], path: "/reports/*", allow: { workloads: ["b"] } },
      { methods: "*", path: "/accounts/:id", allow: "authenticated" },
      { methods: ["POST"], path: "/exact/", allow: "authenticated" },
    ],
  });
  const ruleFor = (method: string, path: string): number | undefined => {
    const canonical = canonicalPath(path);
    assert.ok(canonical.ok, path);
    return findRule(rules, method, canonical.segments)?.index;
  };

  it("takes the first matching rule", () => {
    assert.equal(ruleFor("GET", "/reports/daily"), 1);
    assert.equal(ruleFor("GET", "/reports/weekly"), 2);
  });

  it("matches nothing it was not told to (deny by default)", () => {
    assert.equal(ruleFor("GET", "/admin"), undefined);
    assert.equal(ruleFor("POST", "/reports/daily"), undefined);
    assert.equal(ruleFor("GET", "/reportsX"), undefined);
    assert.equal(ruleFor("POST", "/"), undefined);
  });

  it("a trailing /* matches the prefix itself, with a slash, and everything below it", () => {
    for (const path of ["/reports", "/reports/", "/reports/2024/01/x.csv"]) assert.equal(ruleFor("GET", path), 2, path);
  });

  it("a parameter matches exactly one non-empty segment", () => {
    assert.equal(ruleFor("DELETE", "/accounts/42"), 3);
    assert.equal(ruleFor("GET", "/accounts/"), undefined);
    assert.equal(ruleFor("GET", "/accounts/42/ledger"), undefined);
  });

  it("an exact pattern keeps its trailing slash significant, and / is the root alone", () => {
    assert.equal(ruleFor("POST", "/exact/"), 4);
    assert.equal(ruleFor("POST", "/exact"), undefined);
    assert.equal(ruleFor("GET", "/"), 0);
  });

  it("methods: a list matches exactly (GET does not imply HEAD), '*' matches any method", () => {
    assert.equal(ruleFor("HEAD", "/reports/daily"), 2);
    assert.equal(ruleFor("HEAD", "/"), undefined);
    assert.equal(ruleFor("PROPFIND", "/accounts/1"), 3);
  });

  it("matches the canonical path: escaped unreserved characters are the characters", () => {
    assert.equal(ruleFor("GET", "/rep%6Frts/daily"), 1);
  });

  it("a literal written escaped matches every spelling of its path, and only those", () => {
    const spelt: Rules = parseRules({
      rules: [
        { methods: ["GET"], path: "/api/a%3Ab", allow: { workloads: ["a"] } },
        { methods: ["GET"], path: "/api/x:y", allow: { workloads: ["a"] } },
        { methods: ["GET"], path: "/api/caf%c3%a9", allow: { workloads: ["a"] } },
        { methods: ["GET"], path: "/api/*", public: true },
      ],
    });
    const ruleOf = (path: string) => {
      const canonical = canonicalPath(path);
      assert.ok(canonical.ok, path);
      return findRule(spelt, "GET", canonical.segments)?.index;
    };
    for (const path of ["/api/a:b", "/api/a%3Ab", "/api/a%3ab", "/api/%61%3A%62"]) assert.equal(ruleOf(path), 0, path);
    for (const path of ["/api/x:y", "/api/x%3Ay", "/api/%78%3a%79"]) assert.equal(ruleOf(path), 1, path);
    for (const path of ["/api/café", "/api/caf%C3%A9", "/api/caf%c3%A9"]) assert.equal(ruleOf(path), 2, path);
    for (const path of ["/api/a%3Ab2", "/api/A:b", "/api/cafe"]) assert.equal(ruleOf(path), 3, path);
  });
});

describe("admits", () => {
  const identity = (claims: Record<string, unknown>): VerifiedIdentity =>
    ({
      claims: { aud: "api", ...claims },
      header: { alg: "RS256" },
      subject: String(claims.sub ?? `worker/${ACCOUNT}/${String(claims.worker)}`),
      ...(typeof claims.worker === "string" ? { workload: claims.worker } : {}),
      jti: "j",
      expiresAt: 0,
    }) as VerifiedIdentity;
  const billing = identity({ worker: "billing", team: "payments", tier: { level: 1, tags: ["a"] } });
  const check = (allow: Allow, who = billing) => admits(allow, who);

  it("'authenticated' admits any verified identity", () => assert.equal(check("authenticated"), true));

  it("a list admits when any entry matches (OR)", () => {
    assert.equal(check({ workloads: ["ledger", "billing"] }), true);
    assert.equal(check({ workloads: ["ledger"] }), false);
    assert.equal(check({ subjects: [`worker/${ACCOUNT}/billing`] }), true);
    assert.equal(check({ subjects: [`worker/${ACCOUNT}/billin`] }), false);
    assert.equal(check({ audiences: ["other", "api"] }), true);
    assert.equal(check({ audiences: ["other"] }), false);
  });

  it("conditions all have to hold (AND)", () => {
    assert.equal(check({ workloads: ["billing"], claims: { team: "payments" } }), true);
    assert.equal(check({ workloads: ["billing"], claims: { team: "ledger" } }), false);
    assert.equal(check({ workloads: ["billing"], audiences: ["other"] }), false);
  });

  it("claims compare as exact JSON values, never loosely", () => {
    assert.equal(check({ claims: { tier: { tags: ["a"], level: 1 } } }), true);
    assert.equal(check({ claims: { tier: { level: 1 } } }), false);
    assert.equal(check({ claims: { tier: { level: "1", tags: ["a"] } } }), false);
    assert.equal(check({ claims: { missing: null } }), false);
  });

  it("a token without a worker claim (a workflow) never passes a workloads condition", () => {
    const workflow = identity({ sub: `workflow/${ACCOUNT}/nightly/instance-1` });
    assert.equal(check({ workloads: ["nightly"] }, workflow), false);
    assert.equal(check({ subjects: [`workflow/${ACCOUNT}/nightly/instance-1`] }, workflow), true);
  });
});
