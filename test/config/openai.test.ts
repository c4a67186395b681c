// A workload's `openai` section: the ids the OpenAI token exchange names
// (https://developers.openai.com/api/reference/workload-identity-federation), the provider's one
// audience listed, one service-account mapping per workload, at most 50 per provider.

import assert from "node:assert/strict";
import { validateStackConfig } from "../../worker/config/validate.js";
import { expectOneIssue, happyRaw, issuesOf, OPTIONS, PROJECT } from "./fixtures.js";

const AUDIENCE = "https://api.openai.com/v1";
const key = (path: string) => `${PROJECT}:workloads.${path}`;

function section(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const base: Record<string, unknown> = {
    identityProviderId: "wip_01HZX3P5",
    serviceAccountId: "svc_acct_01HZX3Q8",
    projectId: "proj_01HZX3R1",
    audience: AUDIENCE,
  };
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) delete base[name];
    else base[name] = value;
  }
  return base;
}

function withWorkloads(entries: Record<string, { openai: unknown; audiences?: unknown }>) {
  const raw = happyRaw();
  const workloads = raw[`${PROJECT}:workloads`] as Record<string, unknown>;
  for (const [name, entry] of Object.entries(entries)) {
    workloads[name] = { audiences: entry.audiences ?? [AUDIENCE], openai: entry.openai };
  }
  return raw;
}
const withIndexer = (openai: unknown, audiences?: unknown) =>
  withWorkloads({ indexer: { openai, ...(audiences === undefined ? {} : { audiences }) } });

describe("validateStackConfig: a workload's openai section", () => {
  it("resolves a valid section into WorkloadConfig.openai", () => {
    const config = validateStackConfig(withIndexer(section()), OPTIONS);
    assert.deepEqual(config.workloads.find((w) => w.name === "indexer")?.openai, {
      identityProviderId: "wip_01HZX3P5",
      serviceAccountId: "svc_acct_01HZX3Q8",
      projectId: "proj_01HZX3R1",
      audience: AUDIENCE,
    });
  });

  it("written empty", () => {
    expectOneIssue(withIndexer(null), key("indexer.openai"), /write openai: \{identityProviderId/);
  });

  const broken: readonly [string, string, unknown, RegExp][] = [
    [
      "a provider id with a slash",
      "identityProviderId",
      "org/wip_1",
      /workload identity provider.*Workload Identity Provider\)/,
    ],
    ["a placeholder provider id", "identityProviderId", "<id>", /copy it from the OpenAI Platform/],
    ["a service account id with spaces", "serviceAccountId", "svc acct", /project service account/],
    ["a project id without proj_", "projectId", "my-project", /proj_abc123/],
    ["a project id with whitespace around it", "projectId", "proj_1 ", /remove the surrounding whitespace: 'proj_1'/],
    ["an audience with whitespace", "audience", "api openai", /without whitespace/],
  ];
  for (const [title, field, value, fix] of broken) {
    it(title, () => {
      expectOneIssue(withIndexer(section({ [field]: value })), key(`indexer.openai.${field}`), fix);
    });
  }

  for (const field of ["identityProviderId", "serviceAccountId", "projectId", "audience"]) {
    it(`missing ${field}`, () => {
      expectOneIssue(withIndexer(section({ [field]: undefined })), key(`indexer.openai.${field}`), /is missing; /);
    });
  }

  it("an audience the workload does not list", () => {
    expectOneIssue(
      withIndexer(section(), ["https://other.example.dev"]),
      key("indexer.audiences"),
      /does not list the audience of its OpenAI identity provider.*add 'https:\/\/api\.openai\.com\/v1' to audiences/,
    );
  });

  it("two workloads, one provider, two audiences: a provider has one audience", () => {
    const issues = issuesOf(() =>
      validateStackConfig(
        withWorkloads({
          indexer: { openai: section() },
          summarizer: {
            openai: section({ serviceAccountId: "svc_acct_2", audience: "https://openai.example.dev" }),
            audiences: ["https://openai.example.dev"],
          },
        }),
        OPTIONS,
      ),
    );
    assert.equal(issues.length, 1, issues.map((i) => i.message).join("\n"));
    assert.equal(issues[0]?.key, key("summarizer.openai.audience"));
    assert.match(issues[0]?.message ?? "", /workload 'indexer' names the same identity provider.*one audience/);
  });

  it("two workloads, one provider and one service account: one mapping is one identity", () => {
    const issues = issuesOf(() =>
      validateStackConfig(
        withWorkloads({ indexer: { openai: section() }, summarizer: { openai: section() } }),
        OPTIONS,
      ),
    );
    assert.equal(issues.length, 1, issues.map((i) => i.message).join("\n"));
    assert.equal(issues[0]?.key, key("summarizer.openai.serviceAccountId"));
    assert.match(issues[0]?.message ?? "", /workload 'indexer' already exchanges for.*service account of its own/);
  });

  it("one service account in two projects", () => {
    const issues = issuesOf(() =>
      validateStackConfig(
        withWorkloads({
          indexer: { openai: section() },
          summarizer: { openai: section({ identityProviderId: "wip_2", projectId: "proj_2" }) },
        }),
        OPTIONS,
      ),
    );
    assert.equal(issues.length, 1, issues.map((i) => i.message).join("\n"));
    assert.equal(issues[0]?.key, key("summarizer.openai.projectId"));
    assert.match(issues[0]?.message ?? "", /belongs to one project/);
  });

  it("a 51st workload on one provider (50 mappings per provider)", () => {
    const entries: Record<string, { openai: unknown }> = {};
    for (let i = 0; i < 51; i++) {
      entries[`w${String(i).padStart(2, "0")}`] = { openai: section({ serviceAccountId: `svc_acct_${i}` }) };
    }
    const issues = issuesOf(() => validateStackConfig(withWorkloads(entries), OPTIONS));
    assert.equal(issues.length, 1, issues.map((i) => i.message).join("\n"));
    assert.equal(issues[0]?.key, key("w50.openai.identityProviderId"));
    assert.match(issues[0]?.message ?? "", /already maps 50 workloads; OpenAI allows at most 50/);
  });
});
