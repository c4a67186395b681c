// One KV fault under load, as test/faults/kv-failures.test.ts and kv-timeouts.test.ts run it: the
// issuer's KV namespace (PUBLISHED) fails or hangs on reads, writes or both (test/support/
// fault-bindings.ts) while the load runs; during the fault the runtime restarts (a deploy, or
// isolates evicted: no isolate cache left, and the edge cache's JWKS entry expired, so every
// reader meets KV), and an administrator asks for a rotation. What must hold:
//   - within the deadlines relying parties and workloads keep (AWS gives an issuer 5 s), a token
//     request is answered with a token (the revocation list degrades to "none known"), the JWKS is
//     served (the key store's copy) and the rotation is answered: no KV call stalls any of them;
//   - a key KV did not take is not published: its publication delay starts once KV holds it, so
//     it signs nothing before every relying party can have it;
//   - afterwards, promises-after-fault.ts, and the next key reaches KV and relying parties alone.

import assert from "node:assert/strict";
import type { JSONWebKeySet } from "jose";
import { FAULTY_KV_WORKER, type KvFaultMode } from "../support/fault-bindings.js";
import type { IssuerHarness } from "../support/issuer-harness.js";
import { fetchServedJwks, type LoadReport, startLoad } from "../support/load.js";
import { AWS_AUDIENCE } from "../support/stack-fixture.js";
import {
  assertPromisesKept,
  assertRecovers,
  edgeCacheLifetimePasses,
  eventually,
  expireEdgeJwks,
  keyListing,
  sleep,
  within,
} from "./promises-after-fault.js";

/** AWS STS gives an issuer 5 s to answer discovery and the JWKS; a token request gets no longer. */
export const ANSWER_WITHIN_MS = 5_000;
/** The slowest token request of the load: ANSWER_WITHIN_MS, plus the restart holding requests back. */
export const SLOWEST_ANSWER_MS = ANSWER_WITHIN_MS + 2_000;
/** A rotation's answer, KV write included. */
export const ROTATION_WITHIN_MS = 10_000;
/** The key store retries a failed publication after 10 s (key-store.ts REPUBLISH_RETRY_MS), plus slack. */
export const REPUBLISHED_WITHIN_MS = 15_000;

export interface KvFaultCase {
  readonly mode: KvFaultMode;
  /** Reads and writes the fault affects, and what the gates count for them ("fail" or "hung"). */
  readonly reads: boolean;
  readonly writes: boolean;
  readonly counted: "fail" | "hung";
}

export async function runKvFault(harness: IssuerHarness, fault: KvFaultCase): Promise<void> {
  await harness.token("billing", AWS_AUDIENCE);
  const before = await keyListing(harness);
  const active = before.keys.find((k) => k.state === "active")?.kid;
  const load = startLoad(harness);
  let report: LoadReport | undefined;
  let during: { readonly next: string; readonly recoveredAt: number };
  try {
    during = await duringFault(harness, fault, active);
    report = await within("the load's last requests", 20_000, load.stop());
  } finally {
    // A failed step leaves the loops running against a runtime about to be disposed: stop them.
    if (report === undefined) void load.stop();
  }
  const { next, recoveredAt } = during;
  assert.ok(
    report.slowestMs < SLOWEST_ANSWER_MS,
    `a token request waited ${report.slowestMs} ms under the fault (at most ${SLOWEST_ANSWER_MS})`,
  );

  // Once KV takes writes again the store publishes on its own; only then does the delay start.
  const published = await eventually("the next key published once KV is back", REPUBLISHED_WITHIN_MS, async () => {
    const key = (await keyListing(harness)).keys.find((k) => k.kid === next);
    return key?.publishedAt ?? undefined;
  });
  console.log(
    `      ${fault.mode}: ${report.issued.length} tokens, slowest request ${report.slowestMs} ms, ` +
      `next key in KV ${published - recoveredAt} ms after KV recovered`,
  );
  if (fault.writes) assert.ok(published >= recoveredAt, "its publication counts from when KV held it");
  const inKv = await (await harness.mf.getKVNamespace("INNER", FAULTY_KV_WORKER)).get("jwks/v1");
  assert.ok(
    (JSON.parse(inKv ?? "{}") as JSONWebKeySet).keys?.some((k) => k.kid === next),
    "KV holds the next key",
  );
  await edgeCacheLifetimePasses(harness);
  const after = await fetchServedJwks(harness);
  assert.ok(
    after.keys.some((k) => k.kid === next),
    "relying parties see the next key once KV is back, within the edge cache's 60 s",
  );
  assert.deepEqual(
    [...new Set(report.issued.map((r) => r.kid))],
    [active],
    "only the active key signed: the next one was not published long enough",
  );

  await assertPromisesKept(harness, { report, before, after: await keyListing(harness) });
  await assertRecovers(harness);
}

/** The fault, from its start (with a restart) to its end: the answers it must not stall, and the rotation. */
async function duringFault(
  harness: IssuerHarness,
  fault: KvFaultCase,
  active: string | undefined,
): Promise<{ readonly next: string; readonly recoveredAt: number }> {
  await sleep(500);
  await harness.setKvFault(fault.mode);
  await harness.restart({});
  await expireEdgeJwks(harness);
  const probe = await within(
    "a token request during the fault",
    ANSWER_WITHIN_MS,
    harness.call("ENTRY_billing", "token", AWS_AUDIENCE, { fresh: true }),
  );
  assert.ok(probe.result !== undefined, `a token during the fault, not ${JSON.stringify(probe.error)}`);
  const served = await within("the JWKS during the fault", ANSWER_WITHIN_MS, fetchServedJwks(harness));
  assert.ok(
    served.keys.some((k) => k.kid === active),
    "the JWKS served during the fault holds the active key",
  );
  const rotation = await within(
    "a rotation during the fault",
    ROTATION_WITHIN_MS,
    harness.admin("/admin/keys/rotate", { method: "POST" }),
  );
  assert.equal(rotation.status, 200, await rotation.clone().text());
  const next = (await keyListing(harness)).keys.find((k) => k.state === "next");
  assert.ok(next !== undefined, "the rotation prepared a next key");
  if (fault.writes) assert.equal(next.publishedAt, null, "a key KV did not take is not published");
  else assert.notEqual(next.publishedAt, null, "KV took the next key");
  await sleep(1_500);

  const counts = await harness.faultCounts();
  const seen = (gate: string) => counts[`${gate}:${fault.counted}`] ?? 0;
  if (fault.reads) assert.ok(seen("kvReads") > 0, `KV reads met the fault: ${JSON.stringify(counts)}`);
  if (fault.writes) assert.ok(seen("kvWrites") > 0, `KV writes met the fault: ${JSON.stringify(counts)}`);
  const recoveredAt = Date.now();
  await harness.setKvFault("ok");
  return { next: next.kid, recoveredAt };
}
