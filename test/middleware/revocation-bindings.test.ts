// The middleware Worker's optional introspection and revocation-list bindings: read with the
// others, passed to its verifier, and refused (naming the binding) when half set.

import assert from "node:assert/strict";
import { MiddlewareConfigError, readMiddlewareConfig } from "../../worker/middleware/config.js";

const BASE = {
  ISSUER_URL: "https://id.example.com",
  AUDIENCES: JSON.stringify(["https://api.example.com"]),
  RULES: JSON.stringify({ rules: [{ methods: ["GET"], path: "/x/*", allow: "authenticated" }] }),
};
const SERVICES = { issuer: true, origin: true };
const INTROSPECTION = {
  INTROSPECTION_URL: "https://id.example.com/introspect",
  INTROSPECTION_CLIENT_ID: "payments-api",
  INTROSPECTION_CLIENT_SECRET: "s".repeat(48),
};

function bindingsRefused(env: Record<string, unknown>): string[] {
  try {
    readMiddlewareConfig({ ...BASE, ...env }, SERVICES);
  } catch (error) {
    assert.ok(error instanceof MiddlewareConfigError);
    return error.problems.map((p) => p.binding);
  }
  assert.fail("accepted");
}

describe("middleware bindings: introspection and the revocation list", () => {
  it("are off by default", () => {
    assert.deepEqual(readMiddlewareConfig(BASE, SERVICES).revocation, {});
  });

  it("read all three introspection bindings, INTROSPECTION_FOR, and REVOCATION_LIST_URL", () => {
    const config = readMiddlewareConfig(
      {
        ...BASE,
        ...INTROSPECTION,
        INTROSPECTION_FOR: "all",
        REVOCATION_LIST_URL: "https://id.example.com/revocations.json",
      },
      SERVICES,
    );
    assert.deepEqual(config.revocation, {
      introspection: {
        url: INTROSPECTION.INTROSPECTION_URL,
        clientId: "payments-api",
        clientSecret: "s".repeat(48),
        forTokens: "all",
      },
      revocationList: { url: "https://id.example.com/revocations.json" },
    });
    assert.equal(
      readMiddlewareConfig({ ...BASE, ...INTROSPECTION }, SERVICES).revocation.introspection?.forTokens,
      "workflow",
    );
  });

  it("refuses half an introspection setup, and an unknown INTROSPECTION_FOR", () => {
    assert.deepEqual(bindingsRefused({ INTROSPECTION_URL: INTROSPECTION.INTROSPECTION_URL }), ["INTROSPECTION_URL"]);
    assert.deepEqual(bindingsRefused({ ...INTROSPECTION, INTROSPECTION_CLIENT_SECRET: "" }), ["INTROSPECTION_URL"]);
    assert.deepEqual(bindingsRefused({ ...INTROSPECTION, INTROSPECTION_FOR: "workloads" }), ["INTROSPECTION_FOR"]);
    assert.deepEqual(bindingsRefused({ INTROSPECTION_FOR: "all" }), ["INTROSPECTION_FOR"]);
  });
});
