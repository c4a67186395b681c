// Rotating the issuer's key-encryption key through the stack config (`keyEncryptionKey`), deploy
// after deploy on the fake cloud: generation 1 is the `issuer-kek` every earlier release made
// (a stack from one is not touched); `{generation: 2, previous: 1}` creates generation 2 and binds
// both, updating the script in place; `{generation: 2}` unbinds generation 1 and, once an operator
// has unprotected it (after `wid keys rewrap` said removable), deletes it. Every generation is
// protected, so no config alone deletes a KEK: a new generation without `previous`, or `previous`
// removed without the unprotect, is refused by the engine and the value kept. The issuer in
// workerd under these deploys' bindings: kek-rotation-end-to-end.test.ts.

import assert from "node:assert/strict";
import { deployProgram } from "../../support/dev-stack.js";
import { FakeCloud } from "../../support/fakes/engine.js";
import { KV, kekBindings, kekInState, RANDOM_BYTES, ROTATED, ROTATING, SCRIPT, T0, withKek } from "./kek-sequence.js";
import { assertNoChange, assertSafe, changes, names } from "./plan-summary.js";

/** Deploys an hour apart: no certificate of the dev stack renews within these few hours (T0). */
const HOUR_MS = 3_600_000;

const PROTECTED_DELETE =
  /^resource "random:index\/randomBytes:RandomBytes::issuer-kek" cannot be deleted\nbecause it is protected.*`pulumi state unprotect 'random:index\/randomBytes:RandomBytes::issuer-kek'`$/s;

/** A stack deployed at generation 1 and deployed again (migrations settled: from then on an unchanged config changes nothing). */
async function deployedAtGenerationOne(): Promise<FakeCloud> {
  const cloud = new FakeCloud();
  assertSafe((await deployProgram(withKek(), { cloud, nowMs: T0 })).plan, "first deploy");
  assertSafe((await deployProgram(withKek(), { cloud, nowMs: T0 + HOUR_MS })).plan, "second deploy");
  return cloud;
}

/** The issuer's script and namespace in the stack's state: [id, generation], which a replacement changes. */
function issuerIdentity(cloud: FakeCloud): unknown {
  return [SCRIPT, KV].map((type) => {
    const resource = cloud.resource(type, type === SCRIPT ? "issuer-script" : "issuer-jwks");
    assert.ok(resource, type);
    return [resource.id, resource.generation];
  });
}

describe("deploy sequence: the key-encryption key rotated in two deploys", function () {
  this.timeout(120_000);
  const cloud = new FakeCloud();
  let g1 = "";
  let g2 = "";
  let issuer: unknown;

  it("without the key: one KEK, issuer-kek, protected and bound alone as KEY_ENCRYPTION_KEY", async () => {
    assertSafe((await deployProgram(withKek(), { cloud, nowMs: T0 })).plan, "first deploy");
    assertSafe((await deployProgram(withKek(), { cloud, nowMs: T0 + HOUR_MS })).plan, "second deploy");
    g1 = kekInState(cloud, "issuer-kek") ?? "";
    assert.equal(Buffer.from(g1, "base64").length, 32);
    assert.deepEqual(kekBindings(cloud), { current: g1, previous: undefined });
    assert.deepEqual(
      cloud
        .resources(RANDOM_BYTES)
        .filter((r) => r.name.startsWith("issuer-kek"))
        .map((r) => [r.name, r.options?.protect]),
      [["issuer-kek", true]],
    );
    issuer = issuerIdentity(cloud);
  });

  it("a stack deployed by a release without the key (its KEK unprotected): the key absent, or generation 1, changes nothing", async () => {
    cloud.unprotect(RANDOM_BYTES, "issuer-kek");
    assertNoChange((await deployProgram(withKek(), { cloud, nowMs: T0 + 2 * HOUR_MS })).plan, "the key absent");
    assert.equal(
      cloud.resource(RANDOM_BYTES, "issuer-kek")?.options?.protect,
      true,
      "the KEK is protected from now on",
    );
    const explicit = await deployProgram(withKek({ generation: 1 }), { cloud, nowMs: T0 + 3 * HOUR_MS });
    assertNoChange(explicit.plan, "{generation: 1}");
    assert.deepEqual(kekBindings(cloud), { current: g1, previous: undefined });
  });

  it("{generation: 2, previous: 1}: creates generation 2, binds it as KEY_ENCRYPTION_KEY and generation 1 as KEY_ENCRYPTION_KEY_PREVIOUS, updating the script in place", async () => {
    const { plan } = await deployProgram(withKek(ROTATING), { cloud, nowMs: T0 + 4 * HOUR_MS });
    assertSafe(plan, "the rotation's first deploy");
    assert.deepEqual(
      {
        created: names(plan.created),
        updated: changes(plan.updated),
        replaced: names(plan.replaced),
        deleted: names(plan.deleted),
        retained: names(plan.retained),
      },
      {
        created: ["issuer-kek-g2"],
        updated: { "issuer-script": ["bindings"] },
        replaced: [],
        deleted: [],
        retained: [],
      },
    );
    g2 = kekInState(cloud, "issuer-kek-g2") ?? "";
    assert.equal(Buffer.from(g2, "base64").length, 32);
    assert.notEqual(g2, g1);
    assert.equal(kekInState(cloud, "issuer-kek"), g1, "generation 1 keeps its value");
    assert.deepEqual(kekBindings(cloud), { current: g2, previous: g1 });
    assert.equal(cloud.resource(RANDOM_BYTES, "issuer-kek-g2")?.options?.protect, true);
    // The key store is untouched: the same script and namespace, no migration sent, the class kept.
    assert.deepEqual(issuerIdentity(cloud), issuer);
    const script = cloud.resource(SCRIPT, "issuer-script")!;
    assert.equal(script.inputs.migrations, undefined);
    assert.deepEqual([script.outputs.migrationTag, script.outputs.durableObjectClasses], ["v1", ["KeyStore"]]);
  });

  it("the same config again changes nothing: the rotation may wait between its deploys", async () => {
    assertNoChange((await deployProgram(withKek(ROTATING), { cloud, nowMs: T0 + 5 * HOUR_MS })).plan, "a redeploy");
  });

  it("{generation: 2} once generation 1 is unprotected: unbinds it and deletes it; generation 2 keeps its value", async () => {
    cloud.unprotect(RANDOM_BYTES, "issuer-kek");
    const { plan } = await deployProgram(withKek(ROTATED), { cloud, nowMs: T0 + 6 * HOUR_MS });
    assertSafe(plan, "the rotation's second deploy");
    assert.deepEqual(
      {
        created: names(plan.created),
        updated: changes(plan.updated),
        replaced: names(plan.replaced),
        deleted: names(plan.deleted),
        retained: names(plan.retained),
      },
      { created: [], updated: { "issuer-script": ["bindings"] }, replaced: [], deleted: ["issuer-kek"], retained: [] },
    );
    assert.deepEqual(kekBindings(cloud), { current: g2, previous: undefined });
    assert.equal(kekInState(cloud, "issuer-kek"), undefined);
    assert.equal(kekInState(cloud, "issuer-kek-g2"), g2);
    assert.deepEqual(issuerIdentity(cloud), issuer);
    assertNoChange((await deployProgram(withKek(ROTATED), { cloud, nowMs: T0 + 7 * HOUR_MS })).plan, "a redeploy");
  });

  it("the next rotation, {generation: 3, previous: 2}, then {generation: 3}, works the same way", async () => {
    const first = await deployProgram(withKek({ generation: 3, previous: 2 }), { cloud, nowMs: T0 + 8 * HOUR_MS });
    assertSafe(first.plan, "the next rotation's first deploy");
    assert.deepEqual(names(first.plan.created), ["issuer-kek-g3"]);
    const g3 = kekInState(cloud, "issuer-kek-g3");
    assert.deepEqual(kekBindings(cloud), { current: g3, previous: g2 });
    cloud.unprotect(RANDOM_BYTES, "issuer-kek-g2");
    const second = await deployProgram(withKek({ generation: 3 }), { cloud, nowMs: T0 + 9 * HOUR_MS });
    assertSafe(second.plan, "the next rotation's second deploy");
    assert.deepEqual(names(second.plan.deleted), ["issuer-kek-g2"]);
    assert.deepEqual(kekBindings(cloud), { current: g3, previous: undefined });
  });
});

describe("deploy sequence: the key-encryption key's mistakes, refused or recoverable", function () {
  this.timeout(120_000);

  it("a new generation without previous (1 → 2): the engine refuses to delete generation 1, and setting previous recovers", async () => {
    const cloud = await deployedAtGenerationOne();
    const g1 = kekInState(cloud, "issuer-kek");
    const { plan } = await deployProgram(withKek(ROTATED), { cloud, nowMs: T0 + 2 * HOUR_MS });
    assert.equal(plan.refusals.length, 1);
    assert.match(plan.refusals[0]!.detail, PROTECTED_DELETE);
    assert.deepEqual(plan.deleted, []);
    assert.equal(kekInState(cloud, "issuer-kek"), g1, "generation 1 stays in the stack, unchanged");
    // `pulumi up` stops at its preview here, applying nothing; the fake applies the updates as
    // `--skip-preview` would (the script then binds generation 2 alone and fails closed with
    // ERR_KEY_ENCRYPTION_KEY). Either way, the next deploy with previous binds both again.
    const recovered = await deployProgram(withKek(ROTATING), { cloud, nowMs: T0 + 3 * HOUR_MS });
    assertSafe(recovered.plan, "previous set again");
    assert.deepEqual(names(recovered.plan.deleted), []);
    assert.deepEqual(kekBindings(cloud), { current: kekInState(cloud, "issuer-kek-g2"), previous: g1 });
  });

  it("previous removed without unprotecting it first: refused the same way, generation 1 kept", async () => {
    const cloud = await deployedAtGenerationOne();
    const g1 = kekInState(cloud, "issuer-kek");
    assertSafe((await deployProgram(withKek(ROTATING), { cloud, nowMs: T0 + 2 * HOUR_MS })).plan, "rotation");
    const { plan } = await deployProgram(withKek(ROTATED), { cloud, nowMs: T0 + 3 * HOUR_MS });
    assert.equal(plan.refusals.length, 1);
    assert.match(plan.refusals[0]!.detail, PROTECTED_DELETE);
    assert.deepEqual(plan.deleted, []);
    assert.equal(kekInState(cloud, "issuer-kek"), g1);
  });

  it("a skipped generation ({generation: 3, previous: 1}) is refused by the validator before anything is declared", async () => {
    const cloud = await deployedAtGenerationOne();
    const before = cloud.resources().map((r) => [r.name, r.id, r.generation]);
    await assert.rejects(
      deployProgram(withKek({ generation: 3, previous: 1 }), { cloud, nowMs: T0 + 2 * HOUR_MS }),
      (error: Error & { code?: string }) => {
        assert.equal(error.code, "ERR_STACK_CONFIG");
        assert.match(error.message, /worker-identity:keyEncryptionKey\.previous: is 1, but must be 2/);
        return true;
      },
    );
    assert.deepEqual(
      cloud.resources().map((r) => [r.name, r.id, r.generation]),
      before,
    );
  });
});
