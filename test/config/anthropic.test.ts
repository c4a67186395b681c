// A workload's `anthropic` section: the ids the Claude API's token exchange names, each in the
// documented format (https://platform.claude.com/docs/en/manage-claude/wif-reference), the
// audience listed, and one federation rule per workload. One broken field per test.

import assert from "node:assert/strict";
import { validateStackConfig } from "../../worker/config/validate.js";
import { ACCOUNT_ID, expectOneIssue, happyRaw, issuesOf, OPTIONS, PROJECT } from "./fixtures.js";

const ORG = "5f1c9a7e-2b3d-4e8f-9a6b-1c2d3e4f5a6b";
const AUDIENCE = "https://api.anthropic.com";
const key = (path: string) => `${PROJECT}:workloads.${path}`;

function section(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const base: Record<string, unknown> = {
    organizationId: ORG,
    serviceAccountId: "svac_01HZX3K9Q7R2M4N6P8S0T1V3W5",
    federationRuleId: "fdrl_01HZX3M2B4C6D8F0G2H4J6K8L0",
    audience: AUDIENCE,
  };
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) delete base[name];
    else base[name] = value;
  }
  return base;
}

/** The happy stack with an `agent` workload holding `anthropic` (and `audiences`). */
function withAgent(anthropic: unknown, audiences: unknown = [AUDIENCE], more: Record<string, unknown> = {}) {
  const raw = happyRaw();
  const workloads = raw[`${PROJECT}:workloads`] as Record<string, unknown>;
  workloads.agent = { audiences, anthropic };
  Object.assign(workloads, more);
  return raw;
}

describe("validateStackConfig: a workload's anthropic section", () => {
  it("resolves a valid section into WorkloadConfig.anthropic, workspaceId kept", () => {
    const config = validateStackConfig(withAgent(section({ workspaceId: "wrkspc_01ABC" })), OPTIONS);
    const agent = config.workloads.find((w) => w.name === "agent");
    assert.deepEqual(agent?.anthropic, {
      organizationId: ORG,
      serviceAccountId: "svac_01HZX3K9Q7R2M4N6P8S0T1V3W5",
      federationRuleId: "fdrl_01HZX3M2B4C6D8F0G2H4J6K8L0",
      workspaceId: "wrkspc_01ABC",
      audience: AUDIENCE,
    });
    assert.equal(agent?.subject, `worker/${ACCOUNT_ID}/agent`);
  });

  it("accepts the literal default workspace", () => {
    const config = validateStackConfig(withAgent(section({ workspaceId: "default" })), OPTIONS);
    assert.equal(config.workloads.find((w) => w.name === "agent")?.anthropic?.workspaceId, "default");
  });

  it("written empty", () => {
    expectOneIssue(withAgent(null), key("agent.anthropic"), /write anthropic: \{organizationId: <uuid>/);
  });

  it("not a map", () => {
    expectOneIssue(withAgent("fdrl_01"), key("agent.anthropic"), /must be a map like \{organizationId/);
  });

  const broken: readonly [string, string, unknown, RegExp][] = [
    [
      "an organization id that is not a UUID",
      "organizationId",
      "acme-org",
      /organization's UUID.*Settings > Organization/,
    ],
    ["an uppercase UUID", "organizationId", ORG.toUpperCase(), new RegExp(`write it in lowercase: '${ORG}'`)],
    ["a service account without svac_", "serviceAccountId", "sa_01HZX", /svac_/],
    [
      "a service account with spaces around it",
      "serviceAccountId",
      " svac_01ABC ",
      /remove the surrounding whitespace: 'svac_01ABC'/,
    ],
    ["a rule id that is a prefix only", "federationRuleId", "fdrl_", /fdrl_/],
    ["a rule id given as a number", "federationRuleId", 42, /quote it|fdrl_/],
    ["a workspace id that is a name", "workspaceId", "production", /wrkspc_\.\.\.\) or the literal default/],
    ["an audience with whitespace", "audience", "https://api.anthropic.com ", /without whitespace/],
  ];
  for (const [title, field, value, fix] of broken) {
    it(title, () => {
      expectOneIssue(withAgent(section({ [field]: value })), key(`agent.anthropic.${field}`), fix);
    });
  }

  for (const field of ["organizationId", "serviceAccountId", "federationRuleId", "audience"]) {
    it(`missing ${field}`, () => {
      expectOneIssue(
        withAgent(section({ [field]: undefined })),
        key(`agent.anthropic.${field}`),
        /is missing; (add|create)/,
      );
    });
  }

  it("an unknown field, with a suggestion", () => {
    expectOneIssue(
      withAgent(section({ workspace: "default" })),
      key("agent.anthropic.workspace"),
      /did you mean 'workspaceId'\?/,
    );
  });

  it("an audience the workload does not list", () => {
    expectOneIssue(
      withAgent(section(), ["https://other.example.dev"]),
      key("agent.audiences"),
      /does not list the audience of its Claude API federation rule.*add 'https:\/\/api\.anthropic\.com' to audiences/,
    );
  });

  it("Entra's token-exchange audience", () => {
    const audience = "api://AzureADTokenExchange";
    expectOneIssue(
      withAgent(section({ audience }), [audience]),
      key("agent.anthropic.audience"),
      /Microsoft Entra ID's token-exchange audience.*also be accepted there/,
    );
  });

  it("the stack's Vault audience", () => {
    const audience = "https://vault.example.dev";
    const raw = withAgent(section({ audience }), [audience]);
    raw[`${PROJECT}:vault`] = { address: "https://vault.example.dev:8200", mount: "worker-identity", audience };
    expectOneIssue(raw, key("agent.anthropic.audience"), /audience of the stack's Vault roles.*also be accepted there/);
  });

  it("two workloads naming one federation rule: the second is told to create its own", () => {
    const raw = withAgent(section(), [AUDIENCE], {
      "agent-two": { audiences: [AUDIENCE], anthropic: section({ serviceAccountId: "svac_02" }) },
    });
    const issues = issuesOf(() => validateStackConfig(raw, OPTIONS));
    assert.equal(issues.length, 1, issues.map((i) => i.message).join("\n"));
    assert.equal(issues[0]?.key, key("agent-two.anthropic.federationRuleId"));
    assert.match(issues[0]?.message ?? "", /federation rule of workload 'agent'.*wid trust anthropic agent-two/);
  });

  it("two workloads sharing a service account through rules of their own are accepted", () => {
    const raw = withAgent(section(), [AUDIENCE], {
      "agent-two": { audiences: [AUDIENCE], anthropic: section({ federationRuleId: "fdrl_02" }) },
    });
    const config = validateStackConfig(raw, OPTIONS);
    assert.equal(config.workloads.find((w) => w.name === "agent-two")?.anthropic?.federationRuleId, "fdrl_02");
  });
});
