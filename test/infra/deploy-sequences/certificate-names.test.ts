// The upgrade from one certificate resource per workload (`mtls-<workload>`, releases before
// windowed names) to one per validity window (`mtls-<workload>-w<index>`): the current window's
// resource carries the old name as an alias, so the first `pulumi up` of the new release finds
// the deployed certificate under it and keeps it. Without the alias Pulumi would create a new
// certificate and delete the old one days before it expires, while Workers still name its id.

import assert from "node:assert/strict";
import { deployProgram, engineConfig } from "../../support/dev-stack.js";
import { FakeCloud } from "../../support/fakes/engine.js";
import { assertNoChange, assertSafe, DAY_MS } from "./plan-summary.js";

const MTLS = "cloudflare:index/mtlsCertificate:MtlsCertificate";
const HOUR_MS = 3_600_000;
/**
 * 14 days after a window start of every dev-stack certificate (redeploy.test.ts): billing's window
 * (every 9 days, valid 14) opened 5 days ago and edge-api's (every 20, valid 30) 14 days ago, so
 * each workload's previous certificate has expired and one window is live, as in the old release.
 */
const T = Date.UTC(2023, 2, 24) + 14 * DAY_MS + HOUR_MS;

describe("deploy sequence: the upgrade to one certificate resource per validity window", function () {
  this.timeout(120_000);

  it("adopts the certificate the old release deployed under `mtls-<workload>`: renamed, not created and deleted", async () => {
    const cloud = new FakeCloud();
    assertSafe((await deployProgram(engineConfig(), { cloud, nowMs: T })).plan, "first deploy");
    assertSafe((await deployProgram(engineConfig(), { cloud, nowMs: T + HOUR_MS })).plan, "settling deploy");

    // The stack as the old release left it: each workload's one certificate under its unwindowed name.
    const windowed = cloud
      .resources(MTLS)
      .map((c) => c.name)
      .sort();
    assert.deepEqual(
      windowed.map((n) => n.replace(/-w\d+$/, "-w*")),
      ["mtls-billing-w*", "mtls-edge-api-w*"],
      "one live window per workload",
    );
    const ids = new Map(cloud.resources(MTLS).map((c) => [c.name, c.id]));
    for (const name of windowed) cloud.renameInState(MTLS, name, name.replace(/-w\d+$/, ""));
    assert.deepEqual(
      cloud
        .resources(MTLS)
        .map((c) => c.name)
        .sort(),
      ["mtls-billing", "mtls-edge-api"],
    );

    const { plan } = await deployProgram(engineConfig(), { cloud, nowMs: T + DAY_MS });
    assertNoChange(plan, "the new release's first deploy in the same window");
    assert.deepEqual(
      plan.unchanged
        .filter((e) => e.type === MTLS)
        .map((e) => [e.name, e.renamedFrom])
        .sort(),
      windowed.map((name) => [name, name.replace(/-w\d+$/, "")]),
    );
    for (const name of windowed)
      assert.equal(cloud.resource(MTLS, name)?.id, ids.get(name), `${name} keeps the deployed certificate's id`);
    assert.deepEqual(
      cloud
        .resources(MTLS)
        .map((c) => c.name)
        .sort(),
      windowed,
    );
  });
});
