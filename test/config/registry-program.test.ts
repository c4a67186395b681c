// The registry at scale, through the Pulumi program on the provider fakes: 500 workloads (the
// Workers a paid Cloudflare account runs) in registry files deploy without a refusal, while the
// same registry in the stack keys would not even reach the program (Linux refuses an environment
// variable over 131,072 bytes, and Pulumi hands the whole config over in one).

import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";
import { readProgramConfig } from "../../infra/config/stack-config.js";
import { engineConfigBytes } from "../../worker/config/warnings.js";
import { dev, engineConfig } from "../support/dev-stack.js";
import { installMocks, ofType, resolved } from "../support/pulumi-mocks.js";
import { REPO_ROOT } from "../support/run-tsx.js";

const WORKLOADS = 500;
const LINUX_MAX_ARG_STRLEN = 131_072;

/** A modest workload: two audiences, a few claims, session tags and its own role. */
function workload(i: number): Record<string, unknown> {
  return {
    audiences: ["sts.amazonaws.com", `https://api-${i}.internal.example.dev`],
    claims: { team: `team-${i % 40}`, tier: i % 3, costCenter: `cc-${1000 + i}` },
    awsSessionTags: { tags: { team: `team-${i % 40}` }, transitive: ["team"] },
    aws: { managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"] },
  };
}

const names = Array.from({ length: WORKLOADS }, (_, i) => `svc-${String(i).padStart(3, "0")}`);

describe("500 workloads in registry files, through the program on the fakes", function () {
  this.timeout(180_000);
  let dir: string;
  let registry: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "wid-registry-500-"));
    // Ten team files of fifty workloads each, in a sub-folder per five teams.
    for (let file = 0; file < 10; file++) {
      const part = Object.fromEntries(names.slice(file * 50, file * 50 + 50).map((name, k) => [name, workload(file * 50 + k)]));
      mkdirSync(join(dir, `group-${file % 2}`), { recursive: true });
      writeFileSync(join(dir, `group-${file % 2}`, `team-${file}.yaml`), stringify({ workloads: part }));
    }
    registry = relative(REPO_ROOT, dir);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("keeps the config far below the variable limit, where the same registry in the stack keys passes it", () => {
    const inline = engineConfig({ "worker-identity:workloads": Object.fromEntries(names.map((name, i) => [name, workload(i)])) });
    assert.ok(engineConfigBytes(inline) > LINUX_MAX_ARG_STRLEN, `inline: ${engineConfigBytes(inline)} bytes`);
    const viaFiles = engineConfig({ "worker-identity:registry": registry }, ["worker-identity:workloads"]);
    assert.ok(engineConfigBytes(viaFiles) < 16_384, `with the registry: ${engineConfigBytes(viaFiles)} bytes`);
  });

  it("deploys every workload with its role, no provider refusing anything, and warns of the Workers quota", async () => {
    const config = engineConfig({ "worker-identity:registry": registry }, ["worker-identity:workloads"]);
    const deploy = installMocks(dev.project, dev.stack);
    pulumi.runtime.setAllConfig(config);
    const program = readProgramConfig();
    assert.equal(program.config.workloads.length, WORKLOADS);
    assert.deepEqual(program.warnings.map((w) => w.subject), ["Workers per account"], "500 workloads and the issuer are 501 Workers");

    const { defineProgram } = await import("../../infra/program.js");
    const deployment = defineProgram();
    const arns = Promise.all(Object.values(deployment.workloads).map((w) => resolved(w.awsRoleArn)));
    const outcome = await Promise.race([arns.then(() => "deployed"), deploy.refused().then((refusal) => `refused: ${refusal.message}`)]);
    assert.equal(outcome, "deployed");
    await new Promise((r) => setTimeout(r, 100));
    const plan = deploy.finish();
    assert.deepEqual(plan.refusals.map((r) => r.message), []);
    const roles = ofType("aws:iam/role:Role").map((r) => String(r.inputs.name));
    for (const name of names) assert.ok(roles.includes(`wid-${name}`), name);
    assert.equal(Object.keys(deployment.workloads).length, WORKLOADS);
  });
});
