// createMiddleware checks its options once: every misuse is one TypeError that lists each problem.

import assert from "node:assert/strict";
import { createMiddleware, type MiddlewareOptions } from "@worker-identity/middleware";
import { parseRules } from "../../worker/rules/rules.js";

const rules = parseRules({
  rules: [{ methods: ["GET"], path: "/x", allow: { audiences: ["https://api.example.com"] } }],
});
const options: MiddlewareOptions = {
  issuer: "https://id.example.com",
  audiences: ["https://api.example.com"],
  rules,
  forward: async () => new Response("ok"),
};

function misuse(changes: Record<string, unknown>): string {
  try {
    createMiddleware({ ...options, ...changes } as MiddlewareOptions);
  } catch (error) {
    assert.ok(error instanceof TypeError);
    return error.message;
  }
  assert.fail("createMiddleware accepted the options");
}

describe("createMiddleware options", () => {
  it("accepts valid options and the verifier's passthrough options", () => {
    assert.equal(
      typeof createMiddleware({
        ...options,
        clockToleranceSeconds: 5,
        jwks: { cooldownSeconds: 1 },
        forwardAuthorization: true,
      }),
      "function",
    );
  });

  it("refuses rules that did not come from parseRules", () => {
    assert.match(misuse({ rules: { rules: [] } }), /rules must be the result of parseRules/);
  });

  it("refuses a rule admitting an audience the middleware does not accept", () => {
    assert.match(
      misuse({ audiences: ["https://other.example.com"] }),
      /rules\[0\] admits the audience "https:\/\/api.example.com", which is not among audiences/,
    );
  });

  it("lists every problem: unknown option, audiences, forward, the verifier's own", () => {
    const message = misuse({
      audience: "x",
      audiences: [],
      forward: "https://origin",
      issuer: "http://id.example.com",
      jwks: { ttl: 1 },
    });
    assert.match(message, /audience is not an option/);
    assert.match(message, /audiences must be a non-empty array/);
    assert.match(message, /forward must be a function/);
    assert.match(message, /issuer .*plain http is only for loopback/);
    assert.match(message, /jwks\.ttl is not an option/);
  });
});
