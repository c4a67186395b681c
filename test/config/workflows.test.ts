// The workflow registry, maxInstanceIdLength and introspectionClients: a happy path, then one
// field changed per test, each refused at its key with the fix named.

import assert from "node:assert/strict";
import { validateStackConfig } from "../../worker/config/validate.js";
import { ACCOUNT_ID, expectOneIssue, GCP_AUDIENCE, happyRaw, issuesOf, OPTIONS, PROJECT, withKey } from "./fixtures.js";

const key = (path: string) => `${PROJECT}:${path}`;

function withWorkflows(
  workflows: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return { ...happyRaw(), [key("workflows")]: workflows, ...extra };
}

const exportFlow = () => ({ script: "jobs", className: "NightlyExport", audiences: ["sts.amazonaws.com"] });

describe("validateStackConfig: workflows", () => {
  it("resolves a workflow: subject prefix, entrypoint, binding, lifetimes and the instance id bound", () => {
    const config = validateStackConfig(
      withWorkflows({ "nightly-export": { ...exportFlow(), claims: { team: "data" } } }),
      OPTIONS,
    );
    assert.deepEqual(config.workflows, [
      {
        name: "nightly-export",
        script: "jobs",
        className: "NightlyExport",
        subjectPrefix: `workflow/${ACCOUNT_ID}/nightly-export/`,
        entrypoint: "Workflow_nightly_export",
        binding: "WORKFLOW_nightly_export",
        maxInstanceIdLength: 64,
        audiences: ["sts.amazonaws.com"],
        tokenLifetimeSeconds: 600,
        maxTokenLifetimeSeconds: 7200,
        claims: { team: "data" },
      },
    ]);
    assert.deepEqual(config.introspectionClients, []);
  });

  it("has no workflows and no introspection clients unless configured", () => {
    const config = validateStackConfig(happyRaw(), OPTIONS);
    assert.deepEqual(config.workflows, []);
    assert.deepEqual(config.introspectionClients, []);
  });

  it("accepts the map as JSON text, as Pulumi hands it over", () => {
    const config = validateStackConfig(
      withWorkflows({}, { [key("workflows")]: JSON.stringify({ a1: exportFlow() }) }),
      OPTIONS,
    );
    assert.equal(config.workflows[0]?.name, "a1");
  });

  it("refuses a name Cloudflare would refuse, suggesting one", () => {
    expectOneIssue(
      withWorkflows({ "nightly export!": exportFlow() }),
      `${key("workflows")}["nightly export!"]`,
      /not a valid Workflow name.*rename it to 'nightly-export-'/,
    );
    expectOneIssue(withWorkflows({ ["w".repeat(65)]: exportFlow() }), key(`workflows.${"w".repeat(65)}`), /1 to 64/);
  });

  it("requires script, className and audiences", () => {
    const issues = issuesOf(() => validateStackConfig(withWorkflows({ flow: {} }), OPTIONS));
    assert.deepEqual(
      issues.map((i) => i.key).sort(),
      ["audiences", "className", "script"].map((f) => key(`workflows.flow.${f}`)),
    );
    assert.match(
      issues.find((i) => i.key.endsWith("script"))!.message,
      /name the Worker script that defines the workflow/,
    );
  });

  it("refuses a className that is not a class name, and a script that is not a script name", () => {
    expectOneIssue(
      withWorkflows({ flow: { ...exportFlow(), className: "nightly-export" } }),
      key("workflows.flow.className"),
      /must be a JavaScript class name/,
    );
    expectOneIssue(
      withWorkflows({ flow: { ...exportFlow(), script: "Jobs" } }),
      key("workflows.flow.script"),
      /rename it to 'jobs'/,
    );
  });

  it("refuses the issuer's own script as the defining script", () => {
    expectOneIssue(
      withWorkflows({ flow: { ...exportFlow(), script: "identity-issuer" } }),
      key("workflows.flow.script"),
      /issuer's own script/,
    );
  });

  it("refuses two workflows whose entrypoint classes collide", () => {
    const issue = expectOneIssue(
      withWorkflows({ "a-b": exportFlow(), a_b: exportFlow() }),
      key("workflows.a_b"),
      /rename one of them/,
    );
    assert.match(issue.message, /Workflow_a_b.*workflow 'a-b'/);
  });

  it("refuses a workflow whose longest instance subject exceeds GCP's 127 bytes, naming both fixes", () => {
    // workflow/<32>/<name>/ is 43 + name + 1 bytes; with 64-character ids a 20-character name fits exactly.
    assert.equal(validateStackConfig(withWorkflows({ ["n".repeat(20)]: exportFlow() }), OPTIONS).workflows.length, 1);
    const name = "n".repeat(21);
    const issue = expectOneIssue(withWorkflows({ [name]: exportFlow() }), key(`workflows.${name}`), /128 bytes/);
    assert.match(issue.message, /127-byte google\.subject/);
    assert.match(
      issue.message,
      /shorten the workflow name to at most 20 characters, or lower .*maxInstanceIdLength to at most 63/,
    );
  });

  it("lets a lower maxInstanceIdLength make room for a longer name, and names only the possible fix", () => {
    const long = "n".repeat(48);
    const config = validateStackConfig(
      withWorkflows({ [long]: exportFlow() }, { [key("maxInstanceIdLength")]: 36 }),
      OPTIONS,
    );
    assert.equal(config.workflows[0]?.maxInstanceIdLength, 36);
    const longer = "n".repeat(60);
    const issue = expectOneIssue(
      withWorkflows({ [longer]: exportFlow() }, { [key("maxInstanceIdLength")]: 36 }),
      key(`workflows.${longer}`),
      /shorten the workflow name to at most 48 characters$/,
    );
    assert.doesNotMatch(issue.message, /lower/);
  });

  it("bounds maxInstanceIdLength between a UUID and Cloudflare's 100", () => {
    expectOneIssue(withKey("maxInstanceIdLength", 35), key("maxInstanceIdLength"), /between 36 and 100/);
    expectOneIssue(withKey("maxInstanceIdLength", 101), key("maxInstanceIdLength"), /between 36 and 100/);
    assert.equal(validateStackConfig(withKey("maxInstanceIdLength", "100"), OPTIONS).issuer.accountId, ACCOUNT_ID);
  });

  it("caps lifetimes by the issuer's", () => {
    expectOneIssue(
      withWorkflows({ flow: { ...exportFlow(), maxTokenLifetimeSeconds: 9000 } }),
      key("workflows.flow.maxTokenLifetimeSeconds"),
      /above the issuer's maxTokenLifetimeSeconds \(7200\)/,
    );
    expectOneIssue(
      withWorkflows({ flow: { ...exportFlow(), maxTokenLifetimeSeconds: 300, tokenLifetimeSeconds: 600 } }),
      key("workflows.flow.tokenLifetimeSeconds"),
      /above the workflow's maxTokenLifetimeSeconds \(300\)/,
    );
    // Without a cap of its own, the cap a workflow's token lifetime exceeds is the issuer's.
    expectOneIssue(
      withWorkflows({ flow: { ...exportFlow(), tokenLifetimeSeconds: 9000 } }),
      key("workflows.flow.tokenLifetimeSeconds"),
      /above the issuer's maxTokenLifetimeSeconds \(7200\)/,
    );
  });

  it("refuses reserved static claims", () => {
    expectOneIssue(
      withWorkflows({ flow: { ...exportFlow(), claims: { instance_id: "x" } } }),
      key("workflows.flow.claims.instance_id"),
      /reserved/,
    );
  });

  it("checks cloud sections against the stack's federation and the workloads' names", () => {
    const federated = {
      [key("aws")]: {},
      [key("gcp")]: { projectId: "example-identity", projectNumber: "123456789012" },
    };
    const config = validateStackConfig(
      withWorkflows(
        {
          flow: { ...exportFlow(), audiences: ["sts.amazonaws.com", GCP_AUDIENCE], aws: {}, gcp: {} },
        },
        federated,
      ),
      OPTIONS,
    );
    assert.equal(config.workflows[0]?.aws?.roleName, "wid-flow");
    assert.deepEqual(config.workflows[0]?.gcp?.serviceAccount, { kind: "create", accountId: "wid-flow" });
    expectOneIssue(
      withWorkflows({ flow: { ...exportFlow(), aws: {} } }),
      key("workflows.flow.aws"),
      /does not federate AWS/,
    );
    const raw = withWorkflows({ billing: { ...exportFlow(), aws: {} } }, federated);
    (raw[key("workloads")] as Record<string, Record<string, unknown>>).billing!.aws = {};
    expectOneIssue(
      raw,
      key("workflows.billing.aws.roleName"),
      /'wid-billing', which is also the role of workload 'billing'.*set another aws\.roleName/,
    );
  });
});

describe("validateStackConfig: introspectionClients", () => {
  it("reads a list, its JSON text, and the empty default Pulumi hands over", () => {
    assert.deepEqual(
      validateStackConfig(withKey("introspectionClients", ["payments-api", "ledger.api"]), OPTIONS)
        .introspectionClients,
      ["payments-api", "ledger.api"],
    );
    assert.deepEqual(validateStackConfig(withKey("introspectionClients", '["a"]'), OPTIONS).introspectionClients, [
      "a",
    ]);
    assert.deepEqual(validateStackConfig(withKey("introspectionClients", ""), OPTIONS).introspectionClients, []);
  });

  it("refuses ids that cannot be HTTP Basic user names, and duplicates", () => {
    expectOneIssue(withKey("introspectionClients", ["pay:ments"]), key("introspectionClients[0]"), /cannot hold ':'/);
    expectOneIssue(
      withKey("introspectionClients", ["a", "a"]),
      key("introspectionClients[1]"),
      /repeats introspectionClients\[0\]/,
    );
    expectOneIssue(withKey("introspectionClients", "payments-api"), key("introspectionClients"), /not valid JSON/);
    expectOneIssue(
      withKey("introspectionClients", { a: 1 }),
      key("introspectionClients"),
      /must be a list of client ids/,
    );
  });
});
