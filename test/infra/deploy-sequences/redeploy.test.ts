// `pulumi up` of Pulumi.dev.yaml on the fake cloud, then the same config again: the second deploy
// is accepted by Cloudflare (the issuer sends no migration once its script carries the latest
// tag; resending v1 would be refused with code 10079), it changes only that input,
// and from then on nothing changes at all.

import assert from "node:assert/strict";
import { deployProgram, engineConfig } from "../../support/dev-stack.js";
import { FakeCloud } from "../../support/fakes/engine.js";
import { assertNoChange, assertSafe, changes, DAY_MS, names } from "./plan-summary.js";

const SCRIPT = "cloudflare:index/workersScript:WorkersScript";
/**
 * The dev stack's certificates renew every 9 (billing), 20 (edge-api) and 243 (CA) days, in
 * windows counted from the epoch: day 19,440 (2023-03-24) = 4 × lcm(9, 20, 243) opens a window of
 * each, so deploys in the next few days renew nothing.
 */
const T0 = Date.UTC(2023, 2, 24, 6);

describe("deploy sequence: the dev stack deployed, then deployed again unchanged", function () {
  this.timeout(120_000);
  const cloud = new FakeCloud();

  it("first deploy: creates every resource, migrating the key store to v1", async () => {
    const { plan } = await deployProgram(engineConfig(), { cloud, nowMs: T0 });
    assertSafe(plan, "first deploy");
    assert.ok(plan.created.length > 20, `created ${plan.created.length}`);
    assert.deepEqual([...plan.updated, ...plan.replaced, ...plan.deleted], []);
    const issuer = cloud.resource(SCRIPT, "issuer-script")!;
    assert.deepEqual(
      issuer.inputs.migrations,
      { newTag: "v1", newSqliteClasses: ["KeyStore"] },
      "a new script gets the whole history, with no oldTag",
    );
    assert.equal(issuer.outputs.migrationTag, "v1");
  });

  it("second deploy: accepted, and the only change is the issuer's migrations input (v1 applied, none pending)", async () => {
    const { plan } = await deployProgram(engineConfig(), { cloud, nowMs: T0 + DAY_MS });
    assertSafe(plan, "second deploy");
    assert.deepEqual(changes(plan.updated), { "issuer-script": ["migrations"] });
    assert.deepEqual(
      { created: names(plan.created), replaced: names(plan.replaced), deleted: names(plan.deleted) },
      { created: [], replaced: [], deleted: [] },
    );
    const issuer = cloud.resource(SCRIPT, "issuer-script")!;
    assert.equal(issuer.inputs.migrations, undefined);
    assert.equal(issuer.outputs.migrationTag, "v1", "the account keeps the tag");
  });

  it("every later deploy of the same config changes nothing", async () => {
    for (const day of [2, 3]) {
      const { plan } = await deployProgram(engineConfig(), { cloud, nowMs: T0 + day * DAY_MS });
      assertNoChange(plan, `deploy on day ${day}`);
    }
  });
});

describe("deploy sequence: the issuer script migrated outside this program", function () {
  this.timeout(120_000);

  it("stops the deploy with the unknown tag named, instead of sending a migration Cloudflare would refuse", async () => {
    const cloud = new FakeCloud();
    assertSafe((await deployProgram(engineConfig(), { cloud, nowMs: T0 })).plan, "first deploy");
    cloud.changeOutside(SCRIPT, "issuer-script", { migrationTag: "v7" });
    await assert.rejects(deployProgram(engineConfig(), { cloud, nowMs: T0 + DAY_MS }), (error: Error) => {
      assert.match(error.message, /migration tag 'v7', which this program never wrote \(its migrations: v1\)/);
      return true;
    });
  });
});
