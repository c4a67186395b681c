// What the rules mean for a request: which rule a method and canonical path find (the first that
// matches, deny by default), and whom a rule's allow admits.

import assert from "node:assert/strict";
import type { VerifiedIdentity } from "@worker-identity/verifier";
import { admits, findRule } from "../../worker/middleware/authorize.js";
import { canonicalPath } from "../../worker/rules/request-path.js";
import { type Allow, parseRules, type Rules } from "../../worker/rules/rules.js";
import { ACCOUNT } from "./rules-documents.js";

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
