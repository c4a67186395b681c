// The KEK rotation end to end: the Pulumi program's deploys on the fake cloud (kek-rotation.test.ts
// checks their plans) give the issuer script its KEY_ENCRYPTION_KEY and KEY_ENCRYPTION_KEY_PREVIOUS;
// the real issuer in workerd runs on exactly those values, restarted as each deploy lands while
// token requests are in flight and more arrive at the cold runtime. With `wid keys rewrap`'s
// request between the two deploys of the rotation, every request succeeds and every token verifies
// against the JWKS, from before the rotation to after it.

import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from "jose";
import type { RewrapReport } from "../../../worker/keys/key-store-types.js";
import { deployProgram } from "../../support/dev-stack.js";
import { FakeCloud } from "../../support/fakes/engine.js";
import { type IssuedToken, IssuerHarness } from "../../support/issuer-harness.js";
import { AWS_AUDIENCE } from "../../support/stack-fixture.js";
import { kekBindings, RANDOM_BYTES, ROTATED, ROTATING, T0, withKek } from "./kek-sequence.js";
import { assertSafe } from "./plan-summary.js";

const HOUR_MS = 3_600_000;

describe("KEK rotation end to end: the program's deploys, the issuer in workerd on their bindings", function () {
  this.timeout(180_000);
  let dir: string;
  let issuer: IssuerHarness | undefined;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "wid-kek-deploys-"));
  });
  afterEach(async () => {
    await issuer?.dispose();
    issuer = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  /** `n` token requests at once, each for a distinct lifetime so none is served from the token cache. */
  function burst(n: number, offset: number): Promise<IssuedToken>[] {
    return Array.from({ length: n }, (_, i) =>
      issuer!.token(i % 2 === 0 ? "billing" : "ledger-sync", AWS_AUDIENCE, { lifetimeSeconds: 60 + offset + i }),
    );
  }

  /** The issuer restarted on the bindings the last deploy left, while `n` requests are in flight; then `n` more at the cold runtime. */
  async function landDeploy(cloud: FakeCloud, n: number, offset: number): Promise<IssuedToken[]> {
    const bindings = kekBindings(cloud);
    const during = burst(n, offset);
    await issuer!.restart({ keyEncryptionKey: bindings.current, keyEncryptionKeyPrevious: bindings.previous });
    return Promise.all([...during, ...burst(n, offset + n)]);
  }

  async function verifyAll(tokens: readonly IssuedToken[]): Promise<void> {
    const response = await issuer!.fetch("/.well-known/jwks.json");
    assert.equal(response.status, 200);
    const verifier = createLocalJWKSet((await response.json()) as JSONWebKeySet);
    for (const { token } of tokens) await jwtVerify(token, verifier, { audience: AWS_AUDIENCE });
  }

  async function rewrap(): Promise<RewrapReport> {
    const response = await issuer!.admin("/admin/keys/rewrap", { method: "POST" });
    assert.equal(response.status, 200, await response.clone().text());
    return (await response.json()) as RewrapReport;
  }

  it("generation 1, then {generation: 2, previous: 1}, a rewrap, then {generation: 2}: no request fails, every token verifies", async () => {
    const cloud = new FakeCloud();
    assertSafe((await deployProgram(withKek(), { cloud, nowMs: T0 })).plan, "first deploy");
    assertSafe((await deployProgram(withKek(), { cloud, nowMs: T0 + HOUR_MS })).plan, "second deploy");
    const first = kekBindings(cloud);
    issuer = await IssuerHarness.start({ persistDir: dir, keyEncryptionKey: first.current });
    const before = await Promise.all(burst(20, 0));
    const kidBefore = decodeProtectedHeader(before[0]!.token).kid;

    // Deploy 2: generation 2 seals, generation 1 still opens the key store's rows.
    assertSafe((await deployProgram(withKek(ROTATING), { cloud, nowMs: T0 + 2 * HOUR_MS })).plan, "rotation");
    const rotating = await landDeploy(cloud, 30, 100);
    assert.equal(
      decodeProtectedHeader(rotating[0]!.token).kid,
      kidBefore,
      "the key sealed under generation 1 signs on",
    );
    await verifyAll([...before, ...rotating]);

    // `wid keys rewrap` between the deploys, with requests running beside it.
    const beside = burst(30, 200);
    const report = await rewrap();
    const besideRewrap = await Promise.all(beside);
    assert.ok(report.rewrapped > 0, "the rows sealed under generation 1 are re-sealed");
    assert.equal(report.underPrevious, 0);
    assert.equal(report.removable, true);
    assert.notEqual(report.previousKekId, null);

    // Deploy 3, after the operator unprotected generation 1: generation 2 alone.
    cloud.unprotect(RANDOM_BYTES, "issuer-kek");
    assertSafe((await deployProgram(withKek(ROTATED), { cloud, nowMs: T0 + 3 * HOUR_MS })).plan, "rotation done");
    const rotated = await landDeploy(cloud, 30, 300);
    await verifyAll([...before, ...rotating, ...besideRewrap, ...rotated]);
    assert.deepEqual(await rewrap(), {
      currentKekId: report.currentKekId,
      rewrapped: 0,
      underPrevious: 0,
      previousKekId: null,
      removable: true,
    });
    // The store still makes keys: nothing depends on generation 1 any more.
    const rotation = await issuer.admin("/admin/keys/rotate", { method: "POST", body: '{"emergency":true}' });
    assert.equal(rotation.status, 200);
    await verifyAll(await Promise.all(burst(10, 400)));
  });

  it("a new generation without previous, applied (`pulumi up --skip-preview`): the issuer fails closed, and setting previous recovers every key", async () => {
    const cloud = new FakeCloud();
    assertSafe((await deployProgram(withKek(), { cloud, nowMs: T0 })).plan, "first deploy");
    assertSafe((await deployProgram(withKek(), { cloud, nowMs: T0 + HOUR_MS })).plan, "second deploy");
    issuer = await IssuerHarness.start({ persistDir: dir, keyEncryptionKey: kekBindings(cloud).current });
    const before = await Promise.all(burst(10, 0));

    // The engine refuses to delete generation 1 (protected); the updates before it are applied.
    const mistake = await deployProgram(withKek(ROTATED), { cloud, nowMs: T0 + 2 * HOUR_MS });
    assert.equal(mistake.plan.refusals.length, 1);
    const bindings = kekBindings(cloud);
    assert.equal(bindings.previous, undefined);
    await issuer.restart({ keyEncryptionKey: bindings.current, keyEncryptionKeyPrevious: undefined });
    const refused = await issuer.call("ENTRY_billing", "token", AWS_AUDIENCE, { lifetimeSeconds: 500 });
    assert.match(refused.error?.message ?? "", /^KeyEncryptionKeyError: \[ERR_KEY_ENCRYPTION_KEY\] signing key /);
    const refusedRewrap = await issuer.admin("/admin/keys/rewrap", { method: "POST" });
    assert.equal(refusedRewrap.status, 503);

    assertSafe((await deployProgram(withKek(ROTATING), { cloud, nowMs: T0 + 3 * HOUR_MS })).plan, "previous set again");
    const ring = kekBindings(cloud);
    await issuer.restart({ keyEncryptionKey: ring.current, keyEncryptionKeyPrevious: ring.previous });
    const recovered = await Promise.all(burst(20, 100));
    await verifyAll([...before, ...recovered]);
    assert.equal((await rewrap()).removable, true);
  });
});
