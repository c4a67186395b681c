// The optional edgeMiddleware stack key: the happy path, then one broken field per test.

import assert from "node:assert/strict";
import { ConfigError } from "../../worker/config/errors.js";
import { validateStackConfig } from "../../worker/config/validate.js";
import { stackWarnings } from "../../worker/config/warnings.js";
import { ACCOUNT_ID, API_AUDIENCE, PROJECT, rawStackConfig, STACK } from "../support/stack-fixture.js";
import { workflowStackConfig } from "../support/workflow-fixture.js";

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
      clientCertificates: "none",
    });
  });

  it("reads Cloudflare's client certificates only when clientCertificates says cloudflare-edge", () => {
    const edge = validateStackConfig(rawStackConfig({ [KEY]: section({ clientCertificates: "cloudflare-edge" }) }), {
      project: PROJECT,
      stack: STACK,
    });
    assert.equal(edge.edgeMiddleware?.clientCertificates, "cloudflare-edge");
    for (const value of [true, "zone", "Cloudflare-Edge"]) {
      const issue = issuesFor(section({ clientCertificates: value })).find(
        (i) => i.key === `${KEY}.clientCertificates`,
      );
      assert.ok(issue, String(value));
      assert.match(issue.message, /"cloudflare-edge".*service binding/);
    }
  });

  it("introspects as a registered client only", () => {
    const registered = validateStackConfig(
      rawStackConfig({
        [KEY]: section({ introspectionClient: "gw", revocationList: true }),
        "worker-identity:introspectionClients": ["gw"],
      }),
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
    [
      "a rule with an unknown method",
      { rules: { rules: [{ methods: ["FETCH"], path: "/x", allow: "authenticated" }] } },
      `${KEY}.rules $.rules[0].methods[0]`,
      /./,
    ],
    ["rules that are not a document", { rules: "allow everything" }, `${KEY}.rules`, /./],
    ["a bad script name", { scriptName: "API Gateway" }, `${KEY}.scriptName`, /./],
    ["an origin that is neither a script nor https", { origin: "http://backend" }, `${KEY}.origin`, /https URL/],
    [
      "a route with a scheme",
      { route: { pattern: "https://api.example.dev/*", zoneId: "0123456789abcdef0123456789abcdef" } },
      `${KEY}.route.pattern`,
      /no scheme/,
    ],
    [
      "a zone id that is not one",
      { route: { pattern: "api.example.dev/*", zoneId: "example.dev" } },
      `${KEY}.route.zoneId`,
      /32 lowercase hex/,
    ],
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
    assert.ok(
      issues.some((i) => i.key === `${KEY}.route` && /is missing/.test(i.message)),
      JSON.stringify(issues),
    );
    assert.ok(
      issues.some((i) => i.key === `${KEY}.orign` && /origin/.test(i.message)),
      JSON.stringify(issues),
    );
  });
});

describe("stack config: edgeMiddleware rules name real workloads", () => {
  const OTHER_ACCOUNT = "fedcba9876543210fedcba9876543210";
  /** The issues of a stack (with the test fixture's workflows) whose middleware has this one allow rule. */
  function allowIssues(allow: Record<string, unknown>, audiences: string[] = [API_AUDIENCE]) {
    const rules = {
      rules: [
        { methods: ["GET"], path: "/api/health", public: true },
        { methods: ["GET"], path: "/api/*", allow },
      ],
    };
    try {
      validateStackConfig(workflowStackConfig({ [KEY]: section({ rules, audiences }) }), {
        project: PROJECT,
        stack: STACK,
      });
    } catch (error) {
      if (error instanceof ConfigError) return [...error.issues];
      throw error;
    }
    return [];
  }
  const at = (path: string) => `${KEY}.rules $.rules[1].allow.${path}`;

  it("accepts rules naming registered workloads, their subjects and a registered workflow's instances", () => {
    assert.deepEqual(
      allowIssues({
        workloads: ["edge-api", "ledger-sync"],
        subjects: [
          `worker/${ACCOUNT_ID}/edge-api`,
          `workflow/${ACCOUNT_ID}/nightly-export/2f4c9e1a-0b7d-4c47-9a4e-4b1a6f3c2d10`,
        ],
      }),
      [],
    );
  });

  it("refuses an unregistered workload at the rule's JSON path, suggesting the close name and listing the registered ones", () => {
    const issues = allowIssues({ workloads: ["edge-api", "ledger-snyc"] });
    assert.equal(issues.length, 1, JSON.stringify(issues));
    assert.equal(issues[0]!.key, at("workloads[1]"));
    assert.match(
      issues[0]!.message,
      /'ledger-snyc', which is not a registered workload, so this rule can only answer 403/,
    );
    assert.match(issues[0]!.message, /did you mean 'ledger-sync'\?/);
    assert.match(issues[0]!.message, /'billing', 'reports-exporter', 'ledger-sync', 'edge-api'/);
  });

  it("refuses a workload name no registered one is close to, still listing the registered names", () => {
    const issues = allowIssues({ workloads: ["payroll"] });
    assert.equal(issues[0]?.key, at("workloads[0]"), JSON.stringify(issues));
    assert.doesNotMatch(issues[0]!.message, /did you mean/);
    assert.match(issues[0]!.message, /the registered workloads are 'billing'/);
  });

  it("refuses a workflow's script named as a workload: its tokens carry no worker claim", () => {
    const issues = allowIssues({ workloads: ["jobs"] });
    assert.equal(issues[0]?.key, at("workloads[0]"), JSON.stringify(issues));
  });

  const badSubjects: [string, string, RegExp][] = [
    [
      "a worker subject in another account",
      `worker/${OTHER_ACCOUNT}/edge-api`,
      new RegExp(`account '${OTHER_ACCOUNT}'.*write worker/${ACCOUNT_ID}/edge-api`),
    ],
    [
      "a worker subject of an unregistered script",
      `worker/${ACCOUNT_ID}/edge-apl`,
      /script 'edge-apl', which is not a registered workload.*did you mean 'edge-api'/,
    ],
    [
      "a workflow subject in another account",
      `workflow/${OTHER_ACCOUNT}/nightly-export/abc`,
      new RegExp(`account '${OTHER_ACCOUNT}'`),
    ],
    [
      "a workflow subject of an unregistered workflow",
      `workflow/${ACCOUNT_ID}/nightly-exprot/abc`,
      /workflow 'nightly-exprot', which is not a registered workflow.*did you mean 'nightly-export'.*'nightly-export', 'cleanup'/,
    ],
    [
      "a workflow subject whose instance id Cloudflare would never make",
      `workflow/${ACCOUNT_ID}/cleanup/-x`,
      /instance no token can carry/,
    ],
  ];
  for (const [name, subject, message] of badSubjects) {
    it(`refuses ${name}, at the subject's JSON path`, () => {
      const issues = allowIssues({ subjects: [`worker/${ACCOUNT_ID}/billing`, subject] });
      assert.equal(issues.length, 1, JSON.stringify(issues));
      assert.equal(issues[0]!.key, at("subjects[1]"));
      assert.match(issues[0]!.message, /can only answer 403/);
      assert.match(issues[0]!.message, message);
    });
  }

  it("refuses a workflow subject when the stack registers no workflows", () => {
    const rules = {
      rules: [{ methods: ["GET"], path: "/api/*", allow: { subjects: [`workflow/${ACCOUNT_ID}/nightly-export/abc`] } }],
    };
    const issues = issuesFor(section({ rules }));
    const issue = issues.find((i) => i.key === `${KEY}.rules $.rules[0].allow.subjects[0]`);
    assert.ok(issue, JSON.stringify(issues));
    assert.match(issue.message, /this stack registers no workflows/);
  });

  it("refuses a rule audience the middleware does not accept (the middleware would not start)", () => {
    const issues = allowIssues({ audiences: ["https://api.internal.example.dev/"] });
    assert.equal(issues[0]?.key, at("audiences[0]"), JSON.stringify(issues));
    assert.match(issues[0]!.message, /not among the middleware's audiences/);
  });

  it("warns of a middleware audience no registered workload or workflow may request", () => {
    const unrequested = "https://api.unrequested.example.dev";
    const rules = { rules: [{ methods: ["GET"], path: "/api/*", allow: { audiences: [unrequested] } }] };
    const config = validateStackConfig(
      rawStackConfig({ [KEY]: section({ rules, audiences: [API_AUDIENCE, unrequested] }) }),
      { project: PROJECT, stack: STACK },
    );
    const warnings = stackWarnings(config).filter((w) => w.subject === "edgeMiddleware.audiences");
    assert.equal(warnings.length, 1, JSON.stringify(warnings));
    assert.match(
      warnings[0]!.message,
      new RegExp(`accepts "${unrequested}", but no registered workload or workflow may request it`),
    );
    assert.deepEqual(
      stackWarnings(
        validateStackConfig(rawStackConfig({ [KEY]: section() }), { project: PROJECT, stack: STACK }),
      ).filter((w) => w.subject === "edgeMiddleware.audiences"),
      [],
    );
  });
});
