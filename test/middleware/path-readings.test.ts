// The route a loosely routing origin serves (case, trailing slash, format suffix ignored), and
// when it would take a request beyond its own rule.

import assert from "node:assert/strict";
import { findRule } from "../../worker/middleware/authorize.js";
import { loosePath, looseRule, looseWidening } from "../../worker/middleware/path-readings.js";
import { canonicalPath } from "../../worker/middleware/request-path.js";
import { parseRules, type Rules } from "../../worker/middleware/rules.js";

const RULES = parseRules({
  rules: [
    { methods: ["GET"], path: "/admin/keys", allow: "authenticated" },
    { methods: ["GET"], path: "/Reports/*", allow: { workloads: ["edge-api"] } },
    { methods: ["GET"], path: "/files/:name", public: true },
    { methods: ["GET"], path: "/*", public: true },
  ],
});

const segmentsOf = (path: string) => {
  const canonical = canonicalPath(path);
  assert.ok(canonical.ok, path);
  return canonical.segments;
};
const widening = (path: string, rules: Rules = RULES, admitted = false) => {
  const segments = segmentsOf(path);
  const rule = findRule(rules, "GET", segments);
  assert.ok(rule, `${path} has a rule`);
  return looseWidening(rules, "GET", segments, rule, () => admitted);
};

describe("loose routes", () => {
  it("lowers ASCII letters but not escapes, and drops a trailing slash and a format suffix", () => {
    assert.deepEqual(loosePath(segmentsOf("/Admin/Keys.JSON/")), ["admin", "keys"]);
    assert.deepEqual(loosePath(segmentsOf("/caf%C3%A9")), ["caf%C3%A9"]);
    assert.deepEqual(loosePath(segmentsOf("/")), [""]);
    assert.deepEqual(loosePath(segmentsOf("/v1.2/x")), ["v1.2", "x"]);
  });

  it("applies the rule whose loosened pattern matches, as such an origin would", () => {
    assert.equal(looseRule(RULES, "GET", segmentsOf("/ADMIN/keys.json"))?.index, 0);
    assert.equal(looseRule(RULES, "GET", segmentsOf("/reports/1"))?.index, 1, "a rule written in capitals is loosened too");
    assert.equal(looseRule(RULES, "POST", segmentsOf("/admin/keys")), undefined, "methods still count");
  });

  it("finds the protected route behind every look-alike of a public path", () => {
    for (const path of ["/ADMIN/keys", "/admin/Keys", "/admin/keys/", "/admin/keys.json", "/Admin/Keys.JSON/", "/reports/1", "/REPORTS/x.csv"]) {
      assert.equal(findRule(RULES, "GET", segmentsOf(path))?.public, true, `${path} is public as written`);
      assert.match(widening(path) ?? "", /on origins that ignore case, a trailing slash or a format suffix, where rules\[[01]\] governs, not rules\[3\]/, path);
    }
  });

  it("finds nothing for the protected routes themselves, nor for public paths whose loose route is public", () => {
    for (const path of ["/admin/keys", "/Reports/1", "/Reports/2024/Q1.csv", "/other/Thing.json", "/files/report.pdf", "/", "/docs/"]) {
      assert.equal(widening(path), undefined, path);
    }
  });

  it("lets a caller through when the loose route's rule admits it too", () => {
    assert.equal(widening("/admin/keys/", RULES, true), undefined);
  });

  it("finds a protected loose route under another protected rule", () => {
    const rules = parseRules({
      rules: [
        { methods: ["GET"], path: "/a/*", allow: { workloads: ["edge-api"] } },
        { methods: ["GET"], path: "/B/*", allow: { workloads: ["billing"] } },
        { methods: ["GET"], path: "/b/*", allow: { workloads: ["edge-api"] } },
      ],
    });
    assert.match(widening("/b/x", rules) ?? "", /where rules\[1\] governs, not rules\[2\]/);
    assert.equal(widening("/b/x", rules, true), undefined);
  });
});
