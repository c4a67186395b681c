// A workload added to the dev stack, then removed: each `pulumi up` creates (then deletes) that
// workload's own resources and nothing else, updates only the issuer script (its bundle carries
// the workload's entrypoint), and replaces nothing. Removing a workload deletes its client
// certificate while still valid, on purpose: the only certificate deleted early is its own.

import assert from "node:assert/strict";
import { deployProgram, dev, engineConfig } from "../../support/dev-stack.js";
import { FakeCloud } from "../../support/fakes/engine.js";
import { assertNoChange, assertSafe, changes, DAY_MS, names } from "./plan-summary.js";

/** A window start of every dev-stack certificate (see redeploy.test.ts): nothing renews in these days. */
const T0 = Date.UTC(2023, 2, 24, 6);
const GCP_AUDIENCE =
  "//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/worker-identity/providers/worker-identity";

const inventory = {
  audiences: ["sts.amazonaws.com", GCP_AUDIENCE],
  aws: { managedPolicyArns: ["arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess"] },
  gcp: { serviceAccount: { create: {} }, projectRoles: ["roles/datastore.viewer"] },
  mtls: { enabled: true },
};
const withInventory = () =>
  engineConfig({
    "worker-identity:workloads": { ...(dev.config["worker-identity:workloads"] as Record<string, unknown>), inventory },
  });

describe("deploy sequence: a workload added, then removed", function () {
  this.timeout(120_000);
  const cloud = new FakeCloud();
  let added: string[] = [];

  before(async () => {
    for (const day of [0, 1])
      assertSafe(
        (await deployProgram(engineConfig(), { cloud, nowMs: T0 + day * DAY_MS })).plan,
        `dev stack, day ${day}`,
      );
  });

  it("adding it creates only its role, policy, service account, grants and certificate, and updates only the issuer script", async () => {
    const { plan } = await deployProgram(withInventory(), { cloud, nowMs: T0 + 2 * DAY_MS });
    assertSafe(plan, "workload added");
    added = names(plan.created);
    assert.ok(added.length >= 6, `created ${added.join(", ")}`);
    assert.deepEqual(
      added.filter((name) => !name.includes("inventory")),
      [],
      "created resources of other workloads",
    );
    const types = new Set(plan.created.map((e) => e.type));
    for (const type of [
      "aws:iam/role:Role",
      "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
      "gcp:serviceaccount/account:Account",
      "gcp:serviceaccount/iAMMember:IAMMember",
      "gcp:projects/iAMMember:IAMMember",
      "cloudflare:index/mtlsCertificate:MtlsCertificate",
    ])
      assert.ok(types.has(type), `no ${type} created`);
    assert.deepEqual(Object.keys(changes(plan.updated)), ["issuer-script"]);
    assert.ok(
      changes(plan.updated)["issuer-script"]!.includes("content"),
      "the bundle gains the workload's entrypoint",
    );
    assert.deepEqual({ replaced: names(plan.replaced), deleted: names(plan.deleted) }, { replaced: [], deleted: [] });
  });

  it("the same config again changes nothing", async () => {
    assertNoChange(
      (await deployProgram(withInventory(), { cloud, nowMs: T0 + 3 * DAY_MS })).plan,
      "workload added, redeployed",
    );
  });

  it("removing it deletes exactly what adding it created, and updates only the issuer script", async () => {
    const { plan } = await deployProgram(engineConfig(), { cloud, nowMs: T0 + 4 * DAY_MS });
    assert.deepEqual(
      plan.refusals.map((r) => r.message),
      [],
    );
    // The one certificate deleted while valid is the removed workload's own: nothing may present it now.
    const certificate = plan.deleted
      .filter((e) => e.type === "cloudflare:index/mtlsCertificate:MtlsCertificate")
      .map((e) => e.name);
    assert.ok(certificate.length > 0, "the workload had a certificate");
    assert.deepEqual(plan.violations.map((v) => /MtlsCertificate '([^']+)'/.exec(v)?.[1]).sort(), certificate);
    assert.deepEqual(names(plan.deleted), added);
    assert.deepEqual(Object.keys(changes(plan.updated)), ["issuer-script"]);
    assert.deepEqual({ created: names(plan.created), replaced: names(plan.replaced) }, { created: [], replaced: [] });
  });
});
