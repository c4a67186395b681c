// 500 workloads, the Workers a paid Cloudflare account runs. In the stack keys, `pulumi up`
// cannot even start: the engine hands the whole config to the program in one environment
// variable, and Linux refuses one over 131,072 bytes. In registry files (the `registry` key),
// the same 500 deploy with every provider limit held (500 roles, 50 service accounts, 20 client
// certificates), a second deploy changes only the issuer's migrations, and a third nothing.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";
import { readProgramConfig } from "../../../infra/config/stack-config.js";
import { engineConfigBytes } from "../../../worker/config/warnings.js";
import { deployProgram, dev, engineConfig } from "../../support/dev-stack.js";
import { FakeCloud } from "../../support/fakes/engine.js";
import type { EngineRefusal } from "../../support/fakes/engine-config.js";
import { installMocks } from "../../support/pulumi-mocks.js";
import { REPO_ROOT } from "../../support/run-tsx.js";
import { assertNoChange, assertSafe, changes, DAY_MS, names } from "./plan-summary.js";

const WORKLOADS = 500;
const T0 = Date.UTC(2023, 2, 24, 6);
const GCP_AUDIENCE =
  "//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/worker-identity/providers/worker-identity";

/** A modest workload: its own role for all, a service account for every tenth, a client certificate for every 25th. */
function workload(i: number): Record<string, unknown> {
  return {
    audiences: ["sts.amazonaws.com", `https://api-${i}.internal.example.dev`, ...(i % 10 === 0 ? [GCP_AUDIENCE] : [])],
    claims: { team: `team-${i % 40}`, costCenter: `cc-${1000 + i}` },
    awsSessionTags: { tags: { team: `team-${i % 40}` }, transitive: ["team"] },
    aws: { managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"] },
    ...(i % 10 === 0 ? { gcp: { serviceAccount: { create: {} }, projectRoles: ["roles/bigquery.dataViewer"] } } : {}),
    ...(i % 25 === 0 ? { mtls: { enabled: true } } : {}),
  };
}

const devWorkloads = dev.config["worker-identity:workloads"] as Record<string, unknown>;
const generated = Object.fromEntries(
  Array.from({ length: WORKLOADS - Object.keys(devWorkloads).length }, (_, i) => [
    `svc-${String(i).padStart(3, "0")}`,
    workload(i),
  ]),
);
const all = { ...devWorkloads, ...generated };

describe("deploy sequence: 500 workloads", function () {
  this.timeout(180_000);
  let dir: string;
  let registry: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "wid-scale-"));
    // The dev stack's own workloads in one file, the generated ones in five more.
    writeFileSync(join(dir, "00-dev.yaml"), stringify({ workloads: devWorkloads }));
    const entries = Object.entries(generated);
    for (let part = 0; part < 5; part++) {
      const slice = entries.slice(part * 100, part * 100 + 100);
      writeFileSync(join(dir, `team-${part}.yaml`), stringify({ workloads: Object.fromEntries(slice) }));
    }
    registry = relative(REPO_ROOT, dir);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("in the stack keys: the engine refuses the config before the program runs, and nothing is declared", async () => {
    assert.equal(Object.keys(all).length, WORKLOADS);
    const cloud = new FakeCloud();
    await assert.rejects(
      deployProgram(engineConfig({ "worker-identity:workloads": all }), { cloud, nowMs: T0 }),
      (error: EngineRefusal) => {
        assert.equal(error.code, "ERR_ENGINE_REFUSAL");
        assert.ok(error.bytes > 131_072, `${error.bytes} bytes`);
        assert.match(error.message, /argument list too long/);
        return true;
      },
    );
    assert.deepEqual(cloud.resources(), []);
  });

  it("in registry files: the config the engine hands over is a few KiB, and the only warning is the Workers quota", () => {
    const config = engineConfig({ "worker-identity:registry": registry }, ["worker-identity:workloads"]);
    assert.ok(engineConfigBytes(config) < 16_384, `with the registry: ${engineConfigBytes(config)} bytes`);
    installMocks(dev.project, dev.stack);
    pulumi.runtime.setAllConfig(config);
    const program = readProgramConfig();
    assert.equal(program.config.workloads.length, WORKLOADS);
    // 500 workloads, the issuer, the workflow's script and the edge middleware: past the 500 Workers of a paid account.
    assert.deepEqual(
      program.warnings.map((w) => w.subject),
      ["Workers per account"],
    );
  });

  it("in registry files: deploys all 500 within every limit, then redeploys with only the migrations change, then none", async () => {
    const config = engineConfig({ "worker-identity:registry": registry }, ["worker-identity:workloads"]);
    const cloud = new FakeCloud();
    const first = await deployProgram(config, { cloud, nowMs: T0 });
    assertSafe(first.plan, "500 workloads, first deploy");
    assert.equal(Object.keys(first.deployment.workloads).length, WORKLOADS);
    const created = (type: string) => first.plan.created.filter((e) => e.type === type).length;
    // The generated workloads' roles, billing's and ledger-sync's, and the workflow's; 50 generated service accounts and billing's.
    assert.equal(created("aws:iam/role:Role"), Object.keys(generated).length + 2 + 1);
    assert.equal(created("gcp:serviceaccount/account:Account"), 50 + 1);
    // Client certificates for every 25th of the generated workloads (svc-000, svc-025 .. svc-475:
    // 20) and billing and edge-api: 22 workloads, each with two live windows at T0 (its day opens a
    // window of both the 9-day and the 20-day renewal period, and the previous window, which
    // started 9 or 20 days earlier, holds a certificate valid 14 or 30 days): 22 × 2.
    assert.equal(created("cloudflare:index/mtlsCertificate:MtlsCertificate"), (20 + 2) * 2);

    const second = await deployProgram(config, { cloud, nowMs: T0 + DAY_MS });
    assertSafe(second.plan, "500 workloads, second deploy");
    assert.deepEqual(changes(second.plan.updated), { "issuer-script": ["migrations"] });
    assert.deepEqual(
      [...names(second.plan.created), ...names(second.plan.replaced), ...names(second.plan.deleted)],
      [],
    );
    assertNoChange(
      (await deployProgram(config, { cloud, nowMs: T0 + 2 * DAY_MS })).plan,
      "500 workloads, third deploy",
    );
  });
});
