// The route a loosely routing origin runs (case, trailing slash, format suffix ignored; GET for
// HEAD; an override's method), and when it would take a request beyond its own rule.

import assert from "node:assert/strict";
import { findRule } from "../../worker/middleware/authorize.js";
import { looseMethods, looseReadings, looseRule, looseWidening } from "../../worker/middleware/path-readings.js";
import { canonicalPath } from "../../worker/rules/request-path.js";
import { parseRules, type Rules } from "../../worker/rules/rules.js";

const RULES = parseRules({
  rules: [
    { methods: ["GET", "DELETE"], path: "/admin/keys", allow: "authenticated" },
    { methods: ["GET"], path: "/Reports/*", allow: { workloads: ["edge-api"] } },
    { methods: ["GET"], path: "/v1.2/*", allow: "authenticated" },
    { methods: ["GET"], path: "/v1/openapi.json", allow: "authenticated" },
    { methods: ["GET"], path: "/caf%C3%A9", allow: "authenticated" },
    { methods: ["GET"], path: "/files/:name", public: true },
    { methods: "*", path: "/*", public: true },
  ],
});

const segmentsOf = (path: string) => {
  const canonical = canonicalPath(path);
  assert.ok(canonical.ok, path);
  return canonical.segments;
};
const widening = (method: string, path: string, override?: string, rules: Rules = RULES, passes = false) => {
  const segments = segmentsOf(path);
  const rule = findRule(rules, method, segments);
  assert.ok(rule, `${method} ${path} has a rule`);
  return looseWidening(rules, looseMethods(method, override), segments, rule, () => passes);
};

describe("loose routes", () => {
  it("reads a path lowered (any script), without a trailing slash, and its last segment without each suffix", () => {
    assert.deepEqual(looseReadings(segmentsOf("/Admin/Keys.JSON/")), [
      ["admin", "keys.json"],
      ["admin", "keys"],
    ]);
    assert.deepEqual(looseReadings(segmentsOf("/a/keys.json.json")), [
      ["a", "keys.json.json"],
      ["a", "keys.json"],
      ["a", "keys"],
    ]);
    assert.deepEqual(looseReadings(segmentsOf("/CAF%C3%89")), [["caf%C3%A9"]]);
    assert.deepEqual(looseReadings(segmentsOf("/")), [[""]]);
    assert.deepEqual(looseReadings(segmentsOf("/.hidden")), [[".hidden"]], "a leading dot is no suffix");
  });

  it("runs as the request's method, GET for HEAD, and an override's method", () => {
    assert.deepEqual(looseMethods("POST", undefined), ["POST"]);
    assert.deepEqual(looseMethods("HEAD", undefined), ["HEAD", "GET"]);
    assert.deepEqual(looseMethods("POST", "DELETE"), ["POST", "DELETE"]);
  });

  it("applies the first rule whose lowered pattern matches a reading", () => {
    assert.equal(looseRule(RULES, "GET", segmentsOf("/ADMIN/keys.json"))?.index, 0);
    assert.equal(
      looseRule(RULES, "GET", segmentsOf("/reports/1"))?.index,
      1,
      "a rule written in capitals is lowered too",
    );
    assert.equal(looseRule(RULES, "POST", segmentsOf("/admin/keys"))?.index, 6, "methods still count");
  });

  it("finds the protected route behind every look-alike of a public path", () => {
    const cases: [string, string, string?][] = [
      ["GET", "/ADMIN/keys"],
      ["GET", "/admin/Keys"],
      ["GET", "/admin/keys/"],
      ["GET", "/admin/keys.json"],
      ["GET", "/Admin/Keys.JSON/"],
      ["GET", "/admin/keys.json.json"],
      ["GET", "/admin/keys.a-b"],
      ["GET", "/admin/keys.abcdefghijk"],
      ["GET", "/reports/1"],
      ["GET", "/V1.2/x"],
      ["GET", "/CAF%C3%89"],
      ["HEAD", "/admin/keys"],
      ["POST", "/ADMIN/keys", "DELETE"],
      ["PUT", "/admin/KEYS", "GET"],
    ];
    for (const [method, path, override] of cases) {
      assert.equal(findRule(RULES, method, segmentsOf(path))?.public, true, `${method} ${path} is public as written`);
      assert.match(
        widening(method, path, override) ?? "",
        /runs as rules\[\d\]'s route on origins that ignore case/,
        `${method} ${path}`,
      );
    }
  });

  it("finds nothing where the loose route is the request's own rule or a public one", () => {
    const cases: [string, string][] = [
      ["GET", "/admin/keys"],
      ["GET", "/Reports/1"],
      ["GET", "/v1.2/x"],
      ["GET", "/v1/openapi.json"],
      ["GET", "/caf%C3%A9"],
      ["GET", "/v1/x"],
      ["GET", "/v1"],
      ["GET", "/v1/openapi.yaml"],
      ["GET", "/v1/openapi"],
      ["GET", "/files/report.pdf"],
      ["GET", "/other/Thing.json"],
      ["GET", "/"],
      ["POST", "/admin/keys"],
      ["HEAD", "/docs"],
    ];
    for (const [method, path] of cases) assert.equal(widening(method, path), undefined, `${method} ${path}`);
  });

  it("lets a request through when the loose route's rule lets it through too", () => {
    assert.equal(widening("GET", "/admin/keys/", undefined, RULES, true), undefined);
  });

  it("finds a loose route under another protected rule", () => {
    const rules = parseRules({
      rules: [
        { methods: ["GET"], path: "/B/*", allow: { workloads: ["billing"] } },
        { methods: ["GET"], path: "/b/*", allow: { workloads: ["edge-api"] } },
      ],
    });
    assert.match(widening("GET", "/b/x", undefined, rules) ?? "", /runs as rules\[0\]'s route .* not as rules\[1\]'s/);
    assert.equal(widening("GET", "/b/x", undefined, rules, true), undefined);
  });
});
