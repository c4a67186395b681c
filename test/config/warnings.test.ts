// Warnings for valid stacks: default quotas passed (the numbers pinned as the providers document
// them), a stack config near the engine's 128 KiB variable, and a static gcp.jwksJson.

import assert from "node:assert/strict";
import { validateStackConfig } from "../../worker/config/validate.js";
import { stackWarnings } from "../../worker/config/warnings.js";
import { dev, engineConfig } from "../support/dev-stack.js";
import { cloudRaw } from "./cloud-fixtures.js";
import { ACCOUNT_ID, expectOneIssue, OPTIONS, PROJECT } from "./fixtures.js";

const GCP_AUDIENCE =
  "//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/worker-identity/providers/worker-identity";

/** A valid stack of `n` workloads named w0…, each with the settings `settings(i)` gives. */
function stackOf(n: number, settings: (i: number) => Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const workloads = Object.fromEntries(Array.from({ length: n }, (_, i) => [`w${i}`, settings(i)]));
  return validateStackConfig(
    {
      [`${PROJECT}:accountId`]: ACCOUNT_ID,
      [`${PROJECT}:issuerHostname`]: "id.example.dev",
      [`${PROJECT}:workloads`]: workloads,
      ...extra,
    },
    OPTIONS,
  );
}

const subjects = (config: Parameters<typeof stackWarnings>[0], engine?: Record<string, string>) =>
  stackWarnings(config, engine).map((w) => w.subject);

describe("stackWarnings", function () {
  this.timeout(30_000);

  it("has nothing to say about the dev stack", () => {
    assert.deepEqual(
      stackWarnings(validateStackConfig(dev.config, { project: dev.project, stack: dev.stack }), engineConfig()),
      [],
    );
  });

  it("warns past 500 Workers per account (Cloudflare paid plan), counting the issuer", () => {
    assert.deepEqual(subjects(stackOf(499, () => ({ audiences: ["x"] }))), [], "499 workloads and the issuer: 500");
    const over = stackWarnings(stackOf(500, () => ({ audiences: ["x"] })));
    assert.deepEqual(
      over.map((w) => w.subject),
      ["Workers per account"],
    );
    assert.match(
      over[0]!.message,
      /names 501 Worker scripts .*more than the 500 Workers a Cloudflare account runs on the paid plan/,
    );
    assert.match(over[0]!.message, /ask Cloudflare to raise/);
  });

  it("warns past 1,000 IAM roles per account", () => {
    const aws = { [`${PROJECT}:aws`]: {} };
    const role = () => ({ audiences: ["sts.amazonaws.com"], aws: {} });
    assert.ok(!subjects(stackOf(1_000, role, aws)).includes("IAM roles per account"));
    const over = stackWarnings(stackOf(1_001, role, aws)).find((w) => w.subject === "IAM roles per account");
    assert.match(over?.message ?? "", /creates 1,001 IAM roles, more than the default quota of 1,000 .*Service Quotas/);
  });

  it("warns past 100 created service accounts per GCP project", () => {
    const gcp = { [`${PROJECT}:gcp`]: { projectId: "example-identity-dev", projectNumber: "123456789012" } };
    const account = () => ({ audiences: [GCP_AUDIENCE], gcp: {} });
    assert.deepEqual(subjects(stackOf(100, account, gcp)), []);
    const over = stackWarnings(stackOf(101, account, gcp));
    assert.deepEqual(
      over.map((w) => w.subject),
      ["GCP service accounts per project"],
    );
    assert.match(
      over[0]!.message,
      /creates 101 service accounts in project example-identity-dev, more than the default quota of 100/,
    );
  });

  it("warns above 10 managed policies on a role, and still refuses more than 20", () => {
    const aws = { [`${PROJECT}:aws`]: {} };
    const arns = (n: number) => Array.from({ length: n }, (_, i) => `arn:aws:iam::111122223333:policy/p${i}`);
    const attaching = (n: number) =>
      stackOf(1, () => ({ audiences: ["sts.amazonaws.com"], aws: { managedPolicyArns: arns(n) } }), aws);
    assert.deepEqual(subjects(attaching(10)), []);
    const eleven = stackWarnings(attaching(11));
    assert.deepEqual(
      eleven.map((w) => w.subject),
      ["Managed policies per IAM role"],
    );
    assert.match(eleven[0]!.message, /workload 'w0' attaches 11 managed policies .*default quota of 10 .*up to 20/);
    assert.equal(stackWarnings(attaching(20)).length, 1, "20 is allowed (with the quota raised)");
    const raw = {
      [`${PROJECT}:accountId`]: ACCOUNT_ID,
      [`${PROJECT}:issuerHostname`]: "id.example.dev",
      ...aws,
      [`${PROJECT}:workloads`]: { w0: { audiences: ["sts.amazonaws.com"], aws: { managedPolicyArns: arns(21) } } },
    };
    expectOneIssue(raw, `${PROJECT}:workloads.w0.aws.managedPolicyArns`, /has 21 policies, more than the 20/);
  });

  it("warns when the stack config nears the 131,072 bytes Linux allows one environment variable, naming the registry key", () => {
    const config = stackOf(1, () => ({ audiences: ["x"] }));
    const engine = (bytes: number) => ({ [`${PROJECT}:workloads`]: "x".repeat(bytes) });
    assert.deepEqual(subjects(config, engine(90_000)), []);
    const near = stackWarnings(config, engine(100_000));
    assert.deepEqual(
      near.map((w) => w.subject),
      ["Stack config size"],
    );
    assert.match(near[0]!.message, /near the 131,072 bytes .*pulumi config set worker-identity:registry registry\//);
  });

  it("warns that a static gcp.jwksJson goes stale at the next rotation, naming the period and where to refresh it", () => {
    const config = validateStackConfig(cloudRaw(), OPTIONS);
    const stale = stackWarnings(config).filter((w) => w.subject === "gcp.jwksJson");
    assert.equal(stale.length, 1);
    assert.match(stale[0]!.message, /rotates its signing key every 30 days/);
    assert.match(stale[0]!.message, /https:\/\/id\.example\.dev\/\.well-known\/jwks\.json/);
    assert.match(stale[0]!.message, /or remove jwksJson so GCP fetches the keys itself/);
  });
});
