// The CEL subset wid explain evaluates: exactly the operators worker-identity's own attribute
// mappings and conditions use, with CEL's semantics (errors, && and || absorbing them, equality
// across types), and a clear refusal of everything else. Values are written from the CEL spec.

import assert from "node:assert/strict";
import { CelEvaluationError, CelUnsupportedError, compileCel } from "../../worker/explain/cel.js";
import { attributeCondition, attributeMapping } from "../../worker/trust/gcp/workload-identity.js";

const run = (expression: string, assertion: unknown) => compileCel(expression).evaluate(assertion);

describe("wid explain's CEL subset", () => {
  it("field access, has(), the ternary, ==, &&, ||, in and startsWith()", () => {
    const claims = { sub: "worker/a/b", worker: "b", account_id: "a" };
    assert.equal(run("assertion.sub", claims), "worker/a/b");
    assert.equal(run("has(assertion.worker)", claims), true);
    assert.equal(run("has(assertion.workflow)", claims), false);
    assert.equal(run('has(assertion.workflow) ? assertion.workflow : "-"', claims), "-");
    assert.equal(run('assertion.account_id == "a" && assertion.sub.startsWith("worker/a/")', claims), true);
    assert.equal(run('assertion.account_id == "x" || assertion.sub.startsWith("workflow/")', claims), false);
    assert.equal(run('assertion.sub in ["x", "worker/a/b"]', claims), true);
    assert.equal(run("assertion.sub in []", claims), false);
    assert.equal(run('(assertion.worker == "b")', claims), true);
    assert.equal(run("true && false", claims), false);
  });

  it("evaluates the program's own mappings and conditions", () => {
    const token = { sub: "worker/a/b", worker: "b", account_id: "a", environment: "dev" };
    for (const [attribute, expression] of Object.entries(attributeMapping({ workflows: true }))) {
      const expected = {
        "google.subject": "worker/a/b",
        "attribute.account_id": "a",
        "attribute.worker": "b",
        "attribute.workflow": "-",
        "attribute.environment": "dev",
      }[attribute];
      assert.equal(run(expression, token), expected, attribute);
    }
    assert.equal(run(attributeCondition("a", { ownSubjectsOnly: true }), token), true);
    assert.equal(run(attributeCondition("a", { ownSubjectsOnly: true }), { ...token, sub: "cf:worker:1" }), false);
    assert.equal(run(attributeCondition('x" || true || "'), { account_id: "y" }), false);
    assert.equal(run(attributeCondition("é\n😀\\"), { account_id: "é\n😀\\" }), true);
  });

  it("a missing field or a wrong type is an error; && and || absorb it when the other side decides", () => {
    assert.throws(
      () => run("assertion.account_id", {}),
      (e) => e instanceof CelEvaluationError && /no such key: account_id/.test(e.message),
    );
    assert.throws(() => run('assertion.sub.startsWith("w")', { sub: 5 }), CelEvaluationError);
    assert.equal(run('assertion.missing == "x" && false', {}), false);
    assert.equal(run('false && assertion.missing == "x"', {}), false);
    assert.equal(run('assertion.missing == "x" || true', {}), true);
    assert.throws(() => run('assertion.missing == "x" && true', {}), CelEvaluationError);
    assert.throws(() => run('assertion.sub ? "a" : "b"', { sub: "x" }), CelEvaluationError);
    assert.throws(() => run('assertion.sub in "abc"', { sub: "a" }), CelEvaluationError);
  });

  it("== across types is false, and lists and maps compare by value", () => {
    for (const value of [123, true, null, ["a"], { id: "a" }])
      assert.equal(run('assertion.v == "a"', { v: value }), false);
    assert.equal(run('assertion.v == ["a"]', { v: ["a"] }), true);
    assert.equal(run('assertion.v in ["a"]', { v: 1 }), false);
  });

  it("reads CEL's string escapes", () => {
    assert.equal(run('"\\u00e9\\n\\U0001F600\\\\\\""', {}), 'é\n😀\\"');
    assert.equal(run("'it\\'s'", {}), "it's");
    assert.equal(run('"\\x41"', {}), "A");
  });

  it("refuses, naming it, everything our documents do not use", () => {
    for (const [expression, what] of [
      ['assertion.sub.endsWith("x")', "method endsWith()"],
      ["size(assertion.sub)", "function size()"],
      ['assertion.sub != "x"', 'token "!"'],
      ['assertion.sub + "x"', 'token "+"'],
      ["!has(assertion.x)", 'token "!"'],
      ["1 == 1", 'token "1"'],
      ['request.sub == "x"', "identifier request"],
      ['assertion["sub"]', 'token "["'],
      ['"""x"""', "triple-quoted string"],
      ['"\\q"', "escape \\q"],
      ['"open', "unterminated string"],
      ["assertion.a == ", "end of expression"],
      ["has(assertion)", "has() of something other than a field selection"],
    ] as const) {
      assert.throws(
        () => compileCel(expression),
        (error) => error instanceof CelUnsupportedError && error.message.includes(what),
        `${expression}: ${what}`,
      );
    }
  });
});
