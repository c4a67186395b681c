// Faults: the issuer's KV namespace (PUBLISHED) hangs on reads, writes, or both, under load, in
// workerd: a call that never answers (test/support/fault-bindings.ts holds it until the fault
// ends, then fails it). Each is run as kv-fault-scenario.ts runs a failing KV, with the same
// deadlines: no token request, JWKS answer or rotation waits on a KV call past the issuer's own
// deadlines (worker/publishing/kv-deadline.ts), which turn a hang into the failure it stands for.

import { IssuerHarness } from "../support/issuer-harness.js";
import { type KvFaultCase, runKvFault } from "./kv-fault-scenario.js";

const CASES: readonly KvFaultCase[] = [
  { mode: "hang-reads", reads: true, writes: false, counted: "hung" },
  { mode: "hang-writes", reads: false, writes: true, counted: "hung" },
  { mode: "hang", reads: true, writes: true, counted: "hung" },
];

describe("faults: KV reads and writes hang, under load", function () {
  this.timeout(90_000);
  let issuer: IssuerHarness | undefined;

  afterEach(async () => {
    await issuer?.dispose();
    issuer = undefined;
  });

  for (const fault of CASES) {
    it(`${fault.mode}: every answer comes within its deadline, tokens verify, and a rotation's key is published only once KV takes it`, async () => {
      issuer = await IssuerHarness.start({ kvFaults: true });
      await runKvFault(issuer, fault);
    });
  }
});
