// Destroying or renaming the issuer (problem 8): its script and JWKS namespace are protected (and
// its key-encryption key, which a kept script's keys need), so a changed issuerScriptName
// (scriptName and the namespace's title force replacements) and a `pulumi destroy` are refused
// before anything is deleted; once an operator runs `pulumi state unprotect`, a rename leaves the
// old script and namespace in the account (retainOnDelete: the provider would delete a script
// still bound by other Workers) and creates the new ones.

import assert from "node:assert/strict";
import { deployProgram, engineConfig } from "../../support/dev-stack.js";
import { FakeCloud } from "../../support/fakes/engine.js";
import { assertSafe, DAY_MS, names } from "./plan-summary.js";

const SCRIPT = "cloudflare:index/workersScript:WorkersScript";
const KV = "cloudflare:index/workersKvNamespace:WorkersKvNamespace";
const KEK = "random:index/randomBytes:RandomBytes";
const ACCOUNT = "0123456789abcdef0123456789abcdef";
/** A window start of every dev-stack certificate (redeploy.test.ts): nothing renews for days. */
const T0 = Date.UTC(2023, 2, 24, 6);
const RENAMED = { "worker-identity:issuerScriptName": "worker-identity-2" };

async function firstDeploy(): Promise<FakeCloud> {
  const cloud = new FakeCloud();
  assertSafe((await deployProgram(engineConfig(), { cloud, nowMs: T0 })).plan, "first deploy");
  return cloud;
}

/** The issuer's script and namespace as the stack's state holds them: name → [scriptName or title, id]. */
function issuerState(cloud: FakeCloud): {
  readonly script: readonly [unknown, string];
  readonly jwks: readonly [unknown, string];
} {
  const script = cloud.resource(SCRIPT, "issuer-script")!;
  const jwks = cloud.resource(KV, "issuer-jwks")!;
  return { script: [script.inputs.scriptName, script.id], jwks: [jwks.inputs.title, jwks.id] };
}

describe("deploy sequence: the issuer renamed or destroyed (protected, then retained)", function () {
  this.timeout(120_000);

  it("a changed issuerScriptName is refused at preview as protected, and nothing is deleted", async () => {
    const cloud = await firstDeploy();
    const before = issuerState(cloud);
    assert.deepEqual(before.script[0], "worker-identity");
    const { plan } = await deployProgram(engineConfig(RENAMED), { cloud, nowMs: T0 + DAY_MS });
    assert.ok(plan.refusals.length > 0, "the rename must be refused");
    for (const refusal of plan.refusals) {
      assert.match(
        refusal.detail,
        /^unable to replace resource "cloudflare:index\/(workersKvNamespace:WorkersKvNamespace::issuer-jwks|workersScript:WorkersScript::issuer-script)"\nas it is currently marked for protection/,
      );
    }
    assert.deepEqual(
      { deleted: names(plan.deleted), replaced: names(plan.replaced), retained: names(plan.retained) },
      { deleted: [], replaced: [], retained: [] },
    );
    assert.deepEqual(issuerState(cloud), before);
    assert.deepEqual(cloud.retained(), []);
  });

  it("a destroy is refused for the protected script, namespace and key-encryption key, and deletes nothing", async () => {
    const cloud = await firstDeploy();
    const count = cloud.resources().length;
    const plan = cloud.destroy(T0 + DAY_MS);
    assert.deepEqual(plan.refusals.map((r) => r.resource).sort(), [
      `${KV}::issuer-jwks`,
      `${SCRIPT}::issuer-script`,
      `${KEK}::issuer-kek`,
    ]);
    for (const refusal of plan.refusals)
      assert.match(refusal.detail, /cannot be deleted\nbecause it is protected.*\n`pulumi state unprotect '/s);
    assert.deepEqual(plan.deleted, []);
    assert.equal(cloud.resources().length, count);
  });

  it("after `pulumi state unprotect`, a rename keeps the old script and namespace in the account and creates the new ones", async () => {
    const cloud = await firstDeploy();
    const before = issuerState(cloud);
    cloud.unprotect(SCRIPT, "issuer-script");
    cloud.unprotect(KV, "issuer-jwks");
    const { plan } = await deployProgram(engineConfig(RENAMED), { cloud, nowMs: T0 + DAY_MS });
    assertSafe(plan, "the rename");
    assert.deepEqual(names(plan.replaced.filter((e) => e.type === SCRIPT || e.type === KV)), [
      "issuer-jwks",
      "issuer-script",
    ]);
    assert.deepEqual(names(plan.retained), ["issuer-jwks", "issuer-script"]);
    assert.deepEqual(
      plan.deleted.filter((e) => e.type === SCRIPT || e.type === KV),
      [],
    );

    const after = issuerState(cloud);
    assert.deepEqual([after.script[0], after.jwks[0]], ["worker-identity-2", "worker-identity-2-jwks"]);
    assert.notEqual(after.script[1], before.script[1]);
    assert.deepEqual(
      cloud
        .retained()
        .map((r) => [r.type, r.inputs.scriptName ?? r.inputs.title, r.id])
        .sort(),
      [
        [KV, "worker-identity-jwks", before.jwks[1]],
        [SCRIPT, "worker-identity", before.script[1]],
      ],
    );
    assert.equal(cloud.resource(SCRIPT, "issuer-script")?.options?.protect, true, "the new script is protected again");

    // The account lists both scripts: the old one runs on until it is cleaned up by hand.
    const listed = cloud
      .begin(T0 + 2 * DAY_MS)
      .call({ token: "cloudflare:index/getWorkersScripts:getWorkersScripts", inputs: { accountId: ACCOUNT } });
    const ids = (listed.results as { id: string }[]).map((s) => s.id);
    assert.ok(ids.includes("worker-identity") && ids.includes("worker-identity-2"), ids.join(", "));
  });
});
