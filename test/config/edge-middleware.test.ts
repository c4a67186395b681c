// The optional edgeMiddleware stack key: the happy path, then one broken field per test.

import assert from "node:assert/strict";
import { ConfigError } from "../../worker/config/errors.js";
import { validateStackConfig } from "../../worker/config/validate.js";
import { PROJECT, STACK, rawStackConfig } from "../support/stack-fixture.js";

const KEY = "worker-identity:edgeMiddleware";
const RULES = { rules: [{ methods: ["GET"], path: "/api/*", allow: { workloads: ["edge-api"] } }] };

function section(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    scriptName: "api-gateway",
    audiences: ["https://api.internal.example.dev"],
    rules: RULES,
    origin: "api-backend",
    route: { pattern: "api.example.dev/*", zoneId: "0123456789abcdef0123456789abcdef" },
    ...overrides,
  };
}

function issuesFor(value: unknown): { key: string; message: string }[] {
  try {
    validateStackConfig(rawStackConfig({ [KEY]: value }), { project: PROJECT, stack: STACK });
  } catch (error) {
    if (error instanceof ConfigError) return [...error.issues];
    throw error;
  }
  return [];
}

describe("stack config: edgeMiddleware", () => {
  it("resolves a complete section, with forwardAuthorization off by default", () => {
    const config = validateStackConfig(rawStackConfig({ [KEY]: section() }), { project: PROJECT, stack: STACK });
    assert.deepEqual(config.edgeMiddleware, {
      scriptName: "api-gateway",
      audiences: ["https://api.internal.example.dev"],
      rules: RULES,
      origin: "api-backend",
      route: { pattern: "api.example.dev/*", zoneId: "0123456789abcdef0123456789abcdef" },
      forwardAuthorization: false,
      revocationList: false,
    });
  });

  it("introspects as a registered client only", () => {
    const registered = validateStackConfig(
      rawStackConfig({ [KEY]: section({ introspectionClient: "gw", revocationList: true }), "worker-identity:introspectionClients": ["gw"] }),
      { project: PROJECT, stack: STACK },
    );
    assert.equal(registered.edgeMiddleware?.introspectionClient, "gw");
    assert.equal(registered.edgeMiddleware?.revocationList, true);
    const issues = issuesFor(section({ introspectionClient: "gw" }));
    const issue = issues.find((i) => i.key === `${KEY}.introspectionClient`);
    assert.ok(issue, JSON.stringify(issues));
    assert.match(issue.message, /not among introspectionClients; add it there/);
  });

  it("is absent unless configured", () => {
    assert.equal(validateStackConfig(rawStackConfig(), { project: PROJECT, stack: STACK }).edgeMiddleware, undefined);
  });

  it("accepts an https origin", () => {
    const config = validateStackConfig(rawStackConfig({ [KEY]: section({ origin: "https://backend.example.dev" }) }), {
      project: PROJECT,
      stack: STACK,
    });
    assert.equal(config.edgeMiddleware?.origin, "https://backend.example.dev");
  });

  const broken: [string, Record<string, unknown>, string, RegExp][] = [
    ["a rule with an unknown method", { rules: { rules: [{ methods: ["FETCH"], path: "/x", allow: "authenticated" }] } }, `${KEY}.rules $.rules[0].methods[0]`, /./],
    ["rules that are not a document", { rules: "allow everything" }, `${KEY}.rules`, /./],
    ["a bad script name", { scriptName: "API Gateway" }, `${KEY}.scriptName`, /./],
    ["an origin that is neither a script nor https", { origin: "http://backend" }, `${KEY}.origin`, /https URL/],
    ["a route with a scheme", { route: { pattern: "https://api.example.dev/*", zoneId: "0123456789abcdef0123456789abcdef" } }, `${KEY}.route.pattern`, /no scheme/],
    ["a zone id that is not one", { route: { pattern: "api.example.dev/*", zoneId: "example.dev" } }, `${KEY}.route.zoneId`, /32 lowercase hex/],
    ["forwardAuthorization as text", { forwardAuthorization: "yes" }, `${KEY}.forwardAuthorization`, /true or false/],
    ["no audiences", { audiences: [] }, `${KEY}.audiences`, /./],
  ];
  for (const [name, overrides, key, message] of broken) {
    it(`refuses ${name}, naming the key`, () => {
      const issues = issuesFor(section(overrides));
      const issue = issues.find((i) => i.key === key);
      assert.ok(issue, `no issue at ${key}: ${JSON.stringify(issues)}`);
      assert.match(issue.message, message);
    });
  }

  it("refuses a missing route and a misspelt field, suggesting the right one", () => {
    const { route: _route, ...withoutRoute } = section();
    const issues = issuesFor({ ...withoutRoute, orign: "x" });
    assert.ok(issues.some((i) => i.key === `${KEY}.route` && /is missing/.test(i.message)), JSON.stringify(issues));
    assert.ok(issues.some((i) => i.key === `${KEY}.orign` && /origin/.test(i.message)), JSON.stringify(issues));
  });
});
