// Faults: the token exchange's replay store (the key store Durable Object's `exchange_presented`
// table, worker/exchange/replays.ts) cannot be reached, under a load of exchanges (POST /token of
// native tokens from the stand-in issuer), in workerd. test/support/fault-bindings.ts wraps the
// issuer's KEY_STORE binding so that claimPresented fails as a call to an unreachable or reset
// object does, or hangs as one that never answers, while every other key store call goes through.
// The exchange cannot tell a first presentation from a replay then, so it must refuse each with
// 503 ERR_REPLAY_STORE_UNAVAILABLE (Retry-After, OAuth temporarily_unavailable) and issue nothing,
// a hung claim no later than its deadline (REPLAY_CLAIM_DEADLINE_MS); RPC issuance, which needs no
// replay store, goes on; and exchanges succeed again once the store is back.

import assert from "node:assert/strict";
import { REPLAY_CLAIM_DEADLINE_MS } from "../../worker/exchange/replay-claim.js";
import type { KeyStoreCallFaultMode } from "../support/fault-bindings.js";
import { IssuerHarness } from "../support/issuer-harness.js";
import { type LoadReport, startLoad } from "../support/load.js";
import { AWS_AUDIENCE } from "../support/stack-fixture.js";
import { assertPromisesKept, assertRecovers, keyListing, sleep } from "./promises-after-fault.js";

/** An exchange sent just before the fault was switched on may still be answered after it. */
const IN_FLIGHT_SLACK_MS = 300;

async function exchange(issuer: IssuerHarness, workload: string): Promise<Response> {
  const native = (await (
    await issuer.fetch(`/workloads/${workload}/native-token?audience=${encodeURIComponent(issuer.url)}`)
  ).json()) as { token: string };
  return issuer.fetch("/token", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
      subject_token: native.token,
      subject_token_type: "urn:ietf:params:oauth:token-type:jwt",
      audience: AWS_AUDIENCE,
    }).toString(),
  });
}

/** How a fault runs: the gate's mode, what the control Worker counts for it, how long it holds after the probe. */
const CASES: readonly { mode: KeyStoreCallFaultMode; counted: "fail" | "hung"; holdAfterProbeMs: number }[] = [
  { mode: "fail", counted: "fail", holdAfterProbeMs: 1_000 },
  // Long enough that an exchange waiting on a hung claim without the deadline would wait past SLOWEST_EXCHANGE_MS.
  { mode: "hang", counted: "hung", holdAfterProbeMs: 3_000 },
];

/** A hung claim is given up at its deadline; the exchange's own work and the load's other requests add the rest. */
const SLOWEST_EXCHANGE_MS = REPLAY_CLAIM_DEADLINE_MS + 2_000;

describe("faults: the exchange's replay store unreachable or hanging, under load", function () {
  this.timeout(90_000);
  let issuer: IssuerHarness | undefined;

  afterEach(async () => {
    await issuer?.dispose();
    issuer = undefined;
  });

  for (const fault of CASES) {
    it(`${fault.mode}: every exchange is refused 503 ERR_REPLAY_STORE_UNAVAILABLE within the claim's deadline and nothing is issued; RPC issuance goes on; exchanges recover`, async () => {
      issuer = await IssuerHarness.start({ keyStoreFaults: true });
      await runReplayStoreFault(issuer, fault);
    });
  }
});

async function runReplayStoreFault(issuer: IssuerHarness, fault: (typeof CASES)[number]): Promise<void> {
  const first = await exchange(issuer, "billing");
  assert.equal(first.status, 200, await first.clone().text());
  const before = await keyListing(issuer);

  const exchanges = startLoad(issuer, { channel: "exchange", concurrency: 4 });
  const rpc = startLoad(issuer, { concurrency: 2 });
  await sleep(1_000);
  await issuer.setReplayStoreFault(fault.mode);
  const faultFrom = Date.now();
  await sleep(1_000);
  const probeSent = Date.now();
  const probe = await exchange(issuer, "ledger-sync");
  const probeMs = Date.now() - probeSent;
  const probeBody = (await probe.json()) as Record<string, unknown>;
  await sleep(fault.holdAfterProbeMs);
  const faultUntil = Date.now();
  await issuer.setReplayStoreFault("ok");
  await sleep(1_000);
  let exchanged: LoadReport | undefined;
  let issued: LoadReport | undefined;
  try {
    exchanged = await exchanges.stop();
    issued = await rpc.stop();
  } finally {
    if (exchanged === undefined) void exchanges.stop();
    if (issued === undefined) void rpc.stop();
  }

  assert.equal(probe.status, 503);
  assert.equal(probe.headers.get("content-type"), "application/problem+json");
  assert.equal(probe.headers.get("retry-after"), "5");
  assert.equal(probeBody.code, "ERR_REPLAY_STORE_UNAVAILABLE");
  assert.equal(probeBody.error, "temporarily_unavailable");
  assert.equal(probeBody.access_token, undefined);

  const refused = exchanged.refusals.ERR_REPLAY_STORE_UNAVAILABLE ?? 0;
  assert.ok(refused > 0, `exchanges met the fault: ${JSON.stringify(exchanged.refusals)}`);
  const counts = await issuer.faultCounts();
  assert.equal(
    counts[`replayStore:${fault.counted}`],
    refused + 1,
    `each refusal is one claim the store did not answer (the probe's too): ${JSON.stringify(counts)}`,
  );
  assert.ok(probeMs <= SLOWEST_EXCHANGE_MS, `the probe was answered in ${probeMs} ms`);
  assert.ok(
    exchanged.slowestMs <= SLOWEST_EXCHANGE_MS,
    `the slowest exchange took ${exchanged.slowestMs} ms, past the claim's deadline (${REPLAY_CLAIM_DEADLINE_MS} ms) and ${SLOWEST_EXCHANGE_MS - REPLAY_CLAIM_DEADLINE_MS} ms of slack`,
  );
  const during = exchanged.issued.filter((r) => r.at > faultFrom + IN_FLIGHT_SLACK_MS && r.at < faultUntil);
  assert.equal(during.length, 0, "no token was exchanged while the replay store was unreachable");
  assert.ok(
    exchanged.issued.some((r) => r.at > faultUntil + IN_FLIGHT_SLACK_MS),
    "exchanges succeed again once the store is back",
  );
  assert.ok(
    issued.issued.some((r) => r.at > faultFrom + IN_FLIGHT_SLACK_MS && r.at < faultUntil),
    "RPC issuance went on during the fault",
  );
  const after = await keyListing(issuer);
  await assertPromisesKept(issuer, {
    report: exchanged,
    before,
    after,
    allowedRefusals: ["ERR_REPLAY_STORE_UNAVAILABLE"],
  });
  await assertPromisesKept(issuer, { report: issued, before, after });
  await assertRecovers(issuer, { channel: "exchange" });
}
