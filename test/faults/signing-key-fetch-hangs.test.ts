// Faults: the key store Durable Object fails or never answers an isolate's fetch of the active
// signing key (KeyStore.signingKey), under load, in workerd. test/support/fault-bindings.ts wraps
// the issuer's KEY_STORE binding so that only signingKey meets the fault. The runtime restarts as
// the fault begins (a deploy, or isolates evicted), so no isolate holds a key and every token
// request must fetch one. What must hold: each is refused with ERR_KEY_STORE_UNAVAILABLE
// (typed, through RPC), a hung fetch no later than its deadline (SIGNING_KEY_FETCH_DEADLINE_MS),
// never a token signed with a key no isolate could fetch; and issuance recovers once the store
// answers again, every token verifying and nothing lost from the store.

import assert from "node:assert/strict";
import { SIGNING_KEY_FETCH_DEADLINE_MS } from "../../worker/keys/timeline.js";
import type { KeyStoreCallFaultMode } from "../support/fault-bindings.js";
import { IssuerHarness } from "../support/issuer-harness.js";
import { type LoadReport, startLoad } from "../support/load.js";
import { AWS_AUDIENCE } from "../support/stack-fixture.js";
import { assertPromisesKept, assertRecovers, keyListing, sleep } from "./promises-after-fault.js";

/** A request sent just before the restart may still be answered by the old runtime after it. */
const IN_FLIGHT_SLACK_MS = 300;
/** Past the deadline (and the restart's hold): the rest of a token request's work, under load. */
const ANSWER_SLACK_MS = 2_000;

const CASES: readonly { mode: KeyStoreCallFaultMode; counted: "fail" | "hung" }[] = [
  { mode: "fail", counted: "fail" },
  { mode: "hang", counted: "hung" },
];

describe("faults: the key store fails or hangs on signing-key fetches, under load", function () {
  this.timeout(90_000);
  let issuer: IssuerHarness | undefined;

  afterEach(async () => {
    await issuer?.dispose();
    issuer = undefined;
  });

  for (const fault of CASES) {
    it(`${fault.mode}: every token request is refused ERR_KEY_STORE_UNAVAILABLE within the fetch's deadline and nothing is signed; issuance recovers`, async () => {
      issuer = await IssuerHarness.start({ keyStoreFaults: true });
      await runSigningKeyFault(issuer, fault);
    });
  }
});

async function runSigningKeyFault(issuer: IssuerHarness, fault: (typeof CASES)[number]): Promise<void> {
  await issuer.token("billing", AWS_AUDIENCE);
  const before = await keyListing(issuer);
  const load = startLoad(issuer, { concurrency: 4 });
  let report: LoadReport | undefined;
  let bound = 0;
  let faultFrom = 0;
  let faultUntil = 0;
  try {
    await sleep(1_000);
    await issuer.setSigningKeyFault(fault.mode);
    const restartFrom = Date.now();
    await issuer.restart({});
    faultFrom = Date.now();
    // A request held by the restart waits that long before it reaches the new runtime.
    bound = faultFrom - restartFrom + SIGNING_KEY_FETCH_DEADLINE_MS + ANSWER_SLACK_MS;
    // Hung, the fault lasts past the bound: without the deadline a request would wait longer.
    await sleep(fault.mode === "hang" ? bound + 2_000 : 3_000);
    faultUntil = Date.now();
    await issuer.setSigningKeyFault("ok");
    await sleep(2_000);
    report = await load.stop();
  } finally {
    if (report === undefined) void load.stop();
  }

  const refused = report.refusals.ERR_KEY_STORE_UNAVAILABLE ?? 0;
  assert.ok(refused > 0, `token requests met the fault: ${JSON.stringify(report.refusals)}`);
  const counts = await issuer.faultCounts();
  assert.equal(
    counts[`signingKey:${fault.counted}`],
    refused,
    `each refusal is one fetch the store did not answer: ${JSON.stringify(counts)}`,
  );
  assert.ok(
    report.slowestMs <= bound,
    `the slowest token request took ${report.slowestMs} ms, past the fetch's deadline (${SIGNING_KEY_FETCH_DEADLINE_MS} ms), the restart's hold and ${ANSWER_SLACK_MS} ms`,
  );
  const during = report.issued.filter((r) => r.at > faultFrom + IN_FLIGHT_SLACK_MS && r.at < faultUntil);
  assert.equal(during.length, 0, "no token was signed while no isolate could fetch the key");
  assert.ok(
    report.issued.some((r) => r.at > faultUntil + IN_FLIGHT_SLACK_MS),
    "issuance resumed once the store answered",
  );
  await assertPromisesKept(issuer, {
    report,
    before,
    after: await keyListing(issuer),
    allowedRefusals: ["ERR_KEY_STORE_UNAVAILABLE"],
  });
  await assertRecovers(issuer);
}
