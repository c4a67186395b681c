// Faults: the issuer's KV namespace (PUBLISHED) refuses reads, writes, or both, under load, in
// workerd (kv-fault-scenario.ts runs each: a restart and a rotation during the fault, deadlines on
// every answer, the promises checked afterwards). And the one promise KV failing breaks: an
// emergency rotation cannot wait for KV, so relying parties meet its key only once KV takes it.

import assert from "node:assert/strict";
import { IssuerHarness } from "../support/issuer-harness.js";
import { startLoad } from "../support/load.js";
import { AWS_AUDIENCE } from "../support/stack-fixture.js";
import { type KvFaultCase, REPUBLISHED_WITHIN_MS, runKvFault } from "./kv-fault-scenario.js";
import {
  assertPromisesKept,
  assertRecovers,
  edgeCacheLifetimePasses,
  eventually,
  keyListing,
  sleep,
} from "./promises-after-fault.js";

const CASES: readonly KvFaultCase[] = [
  { mode: "fail-reads", reads: true, writes: false, counted: "fail" },
  { mode: "fail-writes", reads: false, writes: true, counted: "fail" },
  { mode: "fail", reads: true, writes: true, counted: "fail" },
];

describe("faults: KV reads and writes fail, under load", function () {
  this.timeout(90_000);
  let issuer: IssuerHarness | undefined;

  afterEach(async () => {
    await issuer?.dispose();
    issuer = undefined;
  });

  for (const fault of CASES) {
    it(`${fault.mode}: tokens keep coming and verify, the JWKS is served, and a rotation's key is published only once KV takes it`, async () => {
      issuer = await IssuerHarness.start({ kvFaults: true });
      await runKvFault(issuer, fault);
    });
  }

  it("an emergency rotation while KV refuses writes: the new key signs at once, and relying parties can verify its tokens once KV takes the JWKS (the bound)", async () => {
    const harness = await IssuerHarness.start({ kvFaults: true });
    issuer = harness;
    await harness.token("billing", AWS_AUDIENCE);
    const before = await keyListing(harness);
    const old = before.keys.find((k) => k.state === "active")?.kid;
    await harness.setKvFault("fail-writes");
    const load = startLoad(harness);
    await sleep(500);
    const rotation = await harness.admin("/admin/keys/rotate", { method: "POST", body: '{"emergency": true}' });
    assert.equal(rotation.status, 200, await rotation.clone().text());
    await sleep(1_500);
    const recoveredAt = Date.now();
    await harness.setKvFault("ok");
    const report = await load.stop();
    const fresh = (await keyListing(harness)).keys.find((k) => k.state === "active");
    assert.ok(fresh !== undefined && fresh.kid !== old, "a new key is active");
    assert.deepEqual(report.untyped, []);
    assert.deepEqual(report.refusals, {});
    // The bound: until KV takes the JWKS, a relying party's refetch finds KV's old copy.
    for (const { kid, reason } of report.unverifiable) {
      assert.equal(kid, fresh.kid, "only the emergency key's tokens can go unverified");
      assert.match(reason, /ERR_JWKS_NO_MATCHING_KEY/);
    }
    await eventually("the emergency key published once KV is back", REPUBLISHED_WITHIN_MS, async () => {
      const key = (await keyListing(harness)).keys.find((k) => k.kid === fresh.kid);
      return key?.publishedAt ?? undefined;
    });
    const publishedAt = (await keyListing(harness)).keys.find((k) => k.kid === fresh.kid)?.publishedAt ?? 0;
    assert.ok(publishedAt >= recoveredAt && publishedAt <= recoveredAt + REPUBLISHED_WITHIN_MS);
    await edgeCacheLifetimePasses(harness);
    await assertPromisesKept(harness, {
      report,
      before,
      after: await keyListing(harness),
      unverifiedAtIssuanceKid: fresh.kid,
    });
    await assertRecovers(harness);
  });
});
