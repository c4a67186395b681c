// Online KEK rotation (issue 20, item 1) in workerd: keys sealed under KEK A keep signing once the
// issuer restarts with KEY_ENCRYPTION_KEY=B and KEY_ENCRYPTION_KEY_PREVIOUS=A; new keys are sealed
// under B; POST /admin/keys/rewrap re-seals the rest, after which A can go. Without A before the
// rewrap, the issuer fails closed (ERR_KEY_ENCRYPTION_KEY) and loses nothing.

import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from "jose";
import type { KeyListing as Listing, RewrapReport } from "../../worker/keys/key-store-types.js";
import { type IssuedToken, IssuerHarness } from "../support/issuer-harness.js";
import { AWS_AUDIENCE, randomKek } from "../support/stack-fixture.js";

describe("issuer in workerd: rotating the key-encryption key online", function () {
  this.timeout(120_000);
  let dir: string;
  let issuer: IssuerHarness;
  const kekA = randomKek();
  const kekB = randomKek();

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "wid-kek-rotation-"));
    issuer = await IssuerHarness.start({ persistDir: dir, keyEncryptionKey: kekA });
  });
  afterEach(async () => {
    await issuer?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  async function jwks(): Promise<JSONWebKeySet> {
    return (await (await issuer.fetch("/.well-known/jwks.json")).json()) as JSONWebKeySet;
  }

  async function listing(): Promise<Listing> {
    const response = await issuer.admin("/admin/keys");
    assert.equal(response.status, 200);
    return (await response.json()) as Listing;
  }

  async function rewrap(): Promise<{ status: number; type: string | null; body: unknown }> {
    const response = await issuer.admin("/admin/keys/rewrap", { method: "POST" });
    return { status: response.status, type: response.headers.get("content-type"), body: await response.json() };
  }

  /** `n` requests at once, each for a distinct lifetime so none is served from the token cache. */
  function burst(n: number, offset: number): Promise<IssuedToken>[] {
    return Array.from({ length: n }, (_, i) =>
      issuer.token(i % 2 === 0 ? "billing" : "ledger-sync", AWS_AUDIENCE, { lifetimeSeconds: 60 + offset + i }),
    );
  }

  async function verifyAll(tokens: readonly IssuedToken[]): Promise<void> {
    const verifier = createLocalJWKSet(await jwks());
    for (const { token } of tokens) await jwtVerify(token, verifier, { audience: AWS_AUDIENCE });
  }

  it("keeps issuing through B with A as previous, seals new keys under B, rewraps the rest, then runs on B alone", async () => {
    const underA = await Promise.all(burst(10, 0));
    const kidsUnderA = new Set((await listing()).keys.map((k) => k.kid));
    assert.ok(kidsUnderA.size > 0);

    // Requests sent as the runtime restarts with the ring (the harness lets those running finish and
    // holds the rest for the new runtime, as a deploy does), and many at once to the cold isolate
    // and key store after it: every one succeeds, opening the key sealed under A.
    const during = burst(30, 100);
    await issuer.restart({ keyEncryptionKey: kekB, keyEncryptionKeyPrevious: kekA });
    const ring = await Promise.all([...during, ...burst(60, 130)]);
    assert.equal(
      new Set(ring.map((t) => decodeProtectedHeader(t.token).kid)).size,
      1,
      "the key active under A still signs",
    );
    assert.ok(kidsUnderA.has(decodeProtectedHeader(ring[0]!.token).kid as string));

    const rotated = await issuer.admin("/admin/keys/rotate", {
      method: "POST",
      body: JSON.stringify({ emergency: true }),
    });
    assert.equal(rotated.status, 200);
    const afterRotation = await Promise.all(burst(10, 200));
    const newKid = decodeProtectedHeader(afterRotation[0]!.token).kid as string;
    assert.ok(!kidsUnderA.has(newKid), "the rotation made a new key");
    await verifyAll([...underA, ...ring, ...afterRotation]);

    const beforeRewrap = await listing();
    const kidsNow = beforeRewrap.keys.map((k) => k.kid);
    const stillUnderA = kidsNow.filter((kid) => kidsUnderA.has(kid)).length;
    assert.ok(kidsNow.length > stillUnderA, "keys were created under the ring");
    // GET /admin/keys says how many keys still depend on A, and which KEK seals each.
    const sealing = beforeRewrap.sealing;
    assert.ok(sealing !== null);
    assert.equal(sealing.underPrevious, stillUnderA);
    assert.equal(sealing.underCurrent, kidsNow.length - stillUnderA);
    assert.equal(sealing.underNeither, 0);
    for (const key of beforeRewrap.keys)
      assert.equal(key.kekId, kidsUnderA.has(key.kid) ? sealing.previousKekId : sealing.currentKekId, key.kid);
    const first = await rewrap();
    assert.equal(first.status, 200);
    const report = first.body as RewrapReport;
    // Only the rows made under A are re-sealed: the keys created since were sealed under B already.
    assert.equal(report.rewrapped, stillUnderA);
    assert.equal(report.underPrevious, 0);
    assert.equal(report.removable, true);
    assert.match(report.currentKekId, /^[0-9a-f]{16}$/);
    assert.match(report.previousKekId ?? "", /^[0-9a-f]{16}$/);
    assert.notEqual(report.currentKekId, report.previousKekId);

    const afterRewrap = (await listing()).sealing;
    assert.deepEqual(afterRewrap, { ...sealing, underCurrent: kidsNow.length, underPrevious: 0 });

    const second = (await rewrap()).body as RewrapReport;
    assert.deepEqual(second, { ...report, rewrapped: 0 }, "a second rewrap finds nothing to do");

    await issuer.restart({ keyEncryptionKey: kekB, keyEncryptionKeyPrevious: undefined });
    const alone = await Promise.all(burst(20, 300));
    await verifyAll([...underA, ...ring, ...afterRotation, ...alone]);
    const onB = (await rewrap()).body as RewrapReport;
    assert.deepEqual(onB, {
      currentKekId: report.currentKekId,
      rewrapped: 0,
      underPrevious: 0,
      previousKekId: null,
      removable: true,
    });
    // With A gone, the store still creates keys: no row depends on A any more.
    assert.equal((await issuer.admin("/admin/keys/rotate", { method: "POST" })).status, 200);
  });

  it("without A before the rewrap: fails closed naming both fingerprints, loses nothing, and recovers with A as previous", async () => {
    const underA = await issuer.token("billing", AWS_AUDIENCE, { lifetimeSeconds: 600 });
    const kidsBefore = (await listing()).keys.map((k) => k.kid);

    await issuer.restart({ keyEncryptionKey: kekB });
    const refused = await issuer.call("ENTRY_billing", "token", AWS_AUDIENCE, { lifetimeSeconds: 400 });
    assert.equal(refused.result, undefined);
    assert.match(
      refused.error?.message ?? "",
      /\[ERR_KEY_ENCRYPTION_KEY\] signing key \S+ was sealed with KEK [0-9a-f]{16}, but KEY_ENCRYPTION_KEY is KEK [0-9a-f]{16} and KEY_ENCRYPTION_KEY_PREVIOUS is not set; restore/,
    );
    const failed = await rewrap();
    assert.equal(failed.status, 503);
    assert.equal(failed.type, "application/problem+json");
    assert.match(JSON.stringify(failed.body), /ERR_KEY_ENCRYPTION_KEY/);
    // Neither a rotation nor the rewrap may replace or drop what cannot be opened.
    const rotation = await issuer.admin("/admin/keys/rotate", { method: "POST", body: '{"emergency":true}' });
    assert.equal(rotation.status, 503);
    const stranded = await listing();
    assert.deepEqual(
      stranded.keys.map((k) => k.kid),
      kidsBefore,
    );
    // The listing still answers, and counts the keys no KEK the issuer holds can open.
    assert.deepEqual(stranded.sealing && { ...stranded.sealing, currentKekId: "" }, {
      currentKekId: "",
      previousKekId: null,
      underCurrent: 0,
      underPrevious: 0,
      underNeither: kidsBefore.length,
    });
    await jwtVerify(underA.token, createLocalJWKSet(await jwks()), { audience: AWS_AUDIENCE });

    await issuer.restart({ keyEncryptionKey: kekB, keyEncryptionKeyPrevious: kekA });
    const recovered = await Promise.all(burst(20, 0));
    await verifyAll([underA, ...recovered]);
    const report = (await rewrap()).body as RewrapReport;
    assert.equal(report.rewrapped, kidsBefore.length);
    assert.equal(report.removable, true);
  });

  it("refuses a previous KEK equal to the current one, or malformed, with a typed error", async () => {
    await issuer.restart({ keyEncryptionKey: kekA, keyEncryptionKeyPrevious: kekA });
    const same = await issuer.call("ENTRY_billing", "token", AWS_AUDIENCE);
    assert.match(
      same.error?.message ?? "",
      /\[ERR_KEY_ENCRYPTION_KEY\] KEY_ENCRYPTION_KEY_PREVIOUS is the same KEK as KEY_ENCRYPTION_KEY/,
    );
    await issuer.restart({ keyEncryptionKey: kekA, keyEncryptionKeyPrevious: "too short" });
    const malformed = await issuer.call("ENTRY_billing", "token", AWS_AUDIENCE);
    assert.match(
      malformed.error?.message ?? "",
      /\[ERR_KEY_ENCRYPTION_KEY\] KEY_ENCRYPTION_KEY_PREVIOUS must be exactly 32 bytes/,
    );
    const failed = await rewrap();
    assert.equal(failed.status, 503);
    assert.equal(failed.type, "application/problem+json");
    // The listing answers without a sealing summary rather than failing: the error names the cause.
    assert.equal((await listing()).sealing, null);
  });
});
