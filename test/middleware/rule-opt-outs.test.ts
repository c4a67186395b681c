// The rules' named opt-outs: `acceptBoundTokensWithoutCertificate`, the only way a route admits a
// certificate-bound token without its certificate (off unless a protected rule says true), and
// `readBodyForMethodOverride`, the only way a POST body that may carry `_method` is not read
// (on unless a rule says false).

import assert from "node:assert/strict";
import { type ProtectedRule, parseRules, RulesError } from "../../worker/rules/rules.js";

const PROTECTED = { methods: ["GET"], path: "/reports/*", allow: "authenticated" };

function problemsOf(rule: Record<string, unknown>): readonly { path: string; fix: string }[] {
  try {
    parseRules({ rules: [rule] });
  } catch (error) {
    assert.ok(error instanceof RulesError);
    return error.problems;
  }
  assert.fail("parseRules accepted the rule");
}

describe("rules: acceptBoundTokensWithoutCertificate", () => {
  it("is off unless a protected rule says true", () => {
    const [plain, opted, off] = parseRules({
      rules: [
        PROTECTED,
        { ...PROTECTED, path: "/bearer/*", acceptBoundTokensWithoutCertificate: true },
        { ...PROTECTED, path: "/strict/*", acceptBoundTokensWithoutCertificate: false },
      ],
    }).rules as ProtectedRule[];
    assert.equal(plain!.acceptBoundTokensWithoutCertificate, false);
    assert.equal(opted!.acceptBoundTokensWithoutCertificate, true);
    assert.equal(off!.acceptBoundTokensWithoutCertificate, false);
  });

  it("refuses anything but a boolean, naming the field", () => {
    for (const value of ["true", 1, null, {}]) {
      const [problem, ...rest] = problemsOf({ ...PROTECTED, acceptBoundTokensWithoutCertificate: value });
      assert.equal(rest.length, 0);
      assert.equal(problem!.path, "$.rules[0].acceptBoundTokensWithoutCertificate");
      assert.match(problem!.fix, /true or false/);
    }
  });

  it("refuses it on a public rule, which reads no token", () => {
    const [problem] = problemsOf({
      methods: ["GET"],
      path: "/health",
      public: true,
      acceptBoundTokensWithoutCertificate: true,
    });
    assert.equal(problem!.path, "$.rules[0].acceptBoundTokensWithoutCertificate");
    assert.match(problem!.fix, /public/);
  });
});

describe("rules: readBodyForMethodOverride", () => {
  it("is on unless a rule, public or protected, says false", () => {
    const rules = parseRules({
      rules: [
        PROTECTED,
        { ...PROTECTED, path: "/imports/*", readBodyForMethodOverride: false },
        { methods: ["POST"], path: "/hooks/*", public: true, readBodyForMethodOverride: false },
        { ...PROTECTED, path: "/forms/*", readBodyForMethodOverride: true },
      ],
    }).rules;
    assert.deepEqual(
      rules.map((r) => r.readBodyForMethodOverride),
      [true, false, false, true],
    );
  });

  it("refuses anything but a boolean, naming the field", () => {
    for (const value of ["false", 0, null, []]) {
      const [problem, ...rest] = problemsOf({ ...PROTECTED, readBodyForMethodOverride: value });
      assert.equal(rest.length, 0);
      assert.equal(problem!.path, "$.rules[0].readBodyForMethodOverride");
      assert.match(problem!.fix, /true or false/);
    }
  });
});
