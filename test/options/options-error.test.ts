// The one options-problems type: every validator's error is an OptionsError listing structured issues.

import assert from "node:assert/strict";
import { createMiddleware, type MiddlewareOptions } from "@worker-identity/middleware";
import { createVerifier, type VerifierOptions } from "@worker-identity/verifier";
import { verifyToken } from "../../worker/cli/verify.js";
import { ConfigError } from "../../worker/config/errors.js";
import { MiddlewareConfigError } from "../../worker/middleware/config.js";
import { OptionsError } from "../../worker/options/options-error.js";
import { RulesError } from "../../worker/rules/rules.js";
import { OptionProblems } from "../../worker/sdk/option-checks.js";

function thrown(run: () => unknown): OptionsError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof OptionsError, String(error));
    assert.ok(error instanceof TypeError);
    return error;
  }
  assert.fail("nothing was thrown");
}

describe("OptionsError", () => {
  it("lists each issue under its heading, path then problem", () => {
    const error = new OptionsError(
      [
        { path: "a", problem: "must be x" },
        { path: "b", problem: "must be y", fix: "y" },
      ],
      "invalid thing options",
    );
    assert.equal(error.message, "invalid thing options:\n  - a must be x\n  - b must be y");
    assert.equal(error.code, "ERR_INVALID_OPTIONS");
    assert.deepEqual(error.issues, [
      { path: "a", problem: "must be x" },
      { path: "b", problem: "must be y", fix: "y" },
    ]);
    assert.ok(Object.isFrozen(error.issues) && Object.isFrozen(error.issues[0]));
  });

  it("is what the verifier throws, with one issue per misused option", () => {
    const error = thrown(() =>
      createVerifier({ issuer: "http://id.example.com", audience: [], maxTokenBytes: 1 } as VerifierOptions),
    );
    assert.deepEqual(
      error.issues.map((issue) => issue.path),
      ["issuer", "audience", "maxTokenBytes"],
    );
    assert.match(error.message, /^invalid verifier options:\n {2}- issuer must be/);
  });

  it("is what the middleware throws, holding the verifier's issues but its own audiences", () => {
    const error = thrown(() =>
      createMiddleware({
        issuer: "",
        audiences: [],
        forward: async () => new Response(),
      } as unknown as MiddlewareOptions),
    );
    assert.deepEqual(
      error.issues.map((issue) => issue.path),
      ["audiences", "rules", "issuer"],
    );
    assert.match(error.message, /^invalid middleware options:\n {2}- audiences must be/);
  });

  it("is what `wid verify` answers with its code, ERR_INVALID_OPTIONS, for misused verifier options", async () => {
    const result = await verifyToken("x.y.z", { issuer: "http://id.example.com", audience: [] } as VerifierOptions);
    assert.equal(result.ok, false);
    assert.equal(result.ok === false && result.code, "ERR_INVALID_OPTIONS");
    assert.match(result.ok === false ? result.message : "", /^invalid verifier options:/);
  });

  it("is what the SDK's option checks throw", () => {
    const problems = new OptionProblems("aws credentials");
    problems.add("roleArn", "must be an IAM role ARN");
    const error = thrown(() => problems.throwIfAny());
    assert.equal(error.message, "invalid aws credentials options:\n  - roleArn must be an IAM role ARN");
  });

  it("is the base of the rules, middleware configuration and stack configuration errors", () => {
    const rules = new RulesError([{ path: "$.rules", fix: "must be an array" }]);
    assert.ok(rules instanceof OptionsError);
    assert.equal(rules.message, "invalid rules document (1 problem):\n  - $.rules: must be an array");
    assert.deepEqual(rules.issues, [{ path: "$.rules", problem: "must be an array" }]);

    const config = new MiddlewareConfigError([
      { binding: "RULES", fix: "is not valid JSON", detail: "is not JSON: x" },
    ]);
    assert.ok(config instanceof OptionsError);
    assert.equal(config.message, "invalid middleware configuration:\n  - RULES is not JSON: x");
    assert.deepEqual(config.issues, [{ path: "RULES", problem: "is not JSON: x", fix: "is not valid JSON" }]);

    const stack = new ConfigError([{ key: "worker-identity:issuerUrl", message: "is missing" }], "Pulumi.dev.yaml");
    assert.ok(stack instanceof OptionsError);
    assert.equal(stack.code, "ERR_STACK_CONFIG");
    assert.equal(
      stack.message,
      "Invalid stack configuration in Pulumi.dev.yaml (1 problem):\n  worker-identity:issuerUrl: is missing",
    );
    assert.equal(stack.issues[0]?.key, "worker-identity:issuerUrl");
    assert.equal(stack.issues[0]?.path, "worker-identity:issuerUrl");
    assert.equal(stack.issues[0]?.message, "is missing");
  });
});
