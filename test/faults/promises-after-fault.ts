// What every fault test of KV, the edge cache and the replay store asserts once its fault ended
// (test/faults/kv-*, edge-cache-*, replay-store-*): every token the load was handed verified when
// it was issued and still verifies against the JWKS served now (keys revoked on purpose aside), no
// revoked key signed after its revocation answered, the key store lost no key, every refusal was
// typed (and one the test expects), and issuance recovers once the fault is over.

import assert from "node:assert/strict";
import type { KeyInfo, KeyListing } from "../../worker/keys/key-store-types.js";
import type { IssuerHarness } from "../support/issuer-harness.js";
import { type LoadOptions, type LoadReport, reverify, startLoad } from "../support/load.js";

export async function keyListing(issuer: IssuerHarness): Promise<KeyListing> {
  const response = await issuer.admin("/admin/keys");
  assert.equal(response.status, 200, await response.clone().text());
  return (await response.json()) as KeyListing;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` every 250 ms until it returns a value, for at most `ms`; fails naming `what`. */
export async function eventually<T>(what: string, ms: number, check: () => Promise<T | undefined>): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const found = await check();
    if (found !== undefined) return found;
    if (Date.now() > until) assert.fail(`${what}: not within ${ms} ms`);
    await sleep(250);
  }
}

export interface RevokedKey {
  readonly kid: string;
  /** Date.now() when the revocation answered. */
  readonly at: number;
}

export interface AfterFault {
  readonly report: LoadReport;
  readonly before: KeyListing;
  readonly after: KeyListing;
  /** Keys the test revoked on purpose: left out of the re-verification, and must sign nothing after `at`. */
  readonly revoked?: readonly RevokedKey[];
  /** Refusal codes the fault may cause (each typed); any other refusal fails. Default: none. */
  readonly allowedRefusals?: readonly string[];
  /**
   * A key whose tokens relying parties may fail to verify when issued, under a fault whose bound
   * the test asserts itself (an emergency rotation while KV refuses writes): they must verify now.
   */
  readonly unverifiedAtIssuanceKid?: string;
}

/** A request in flight when a revocation answered may still carry the key it fetched before. */
const IN_FLIGHT_SLACK_MS = 1_000;

export async function assertPromisesKept(issuer: IssuerHarness, outcome: AfterFault): Promise<void> {
  const { report, before, after } = outcome;
  const revoked = outcome.revoked ?? [];
  assert.deepEqual(report.untyped, [], "every failure was a typed refusal");
  const unverified = report.unverifiable.filter((u) => u.kid !== outcome.unverifiedAtIssuanceKid);
  assert.deepEqual(unverified, [], "every token verified when it was issued");
  assert.equal(report.verified + report.unverifiable.length, report.issued.length, "every token was verified");
  assert.ok(report.issued.length > 0, "the load got tokens");
  const allowed = new Set(outcome.allowedRefusals ?? []);
  for (const [code, count] of Object.entries(report.refusals)) {
    assert.ok(
      allowed.has(code),
      `${count} refusals ${code}, not one this fault may cause (${[...allowed].join(", ")})`,
    );
  }
  const again = await reverify(issuer, report, { excludeKids: revoked.map((r) => r.kid) });
  assert.deepEqual(again.unverifiable, [], "every token handed out still verifies against the JWKS served now");
  for (const { kid, at } of revoked) {
    const late = report.issued.filter((r) => r.kid === kid && r.at > at + IN_FLIGHT_SLACK_MS);
    assert.equal(late.length, 0, `${late.length} tokens signed by the revoked key ${kid} after its revocation`);
  }
  assertNothingLost(before, after, revoked);
}

/** Every key listed before is listed after, unchanged, unless revoked or unpublished on its schedule. */
export function assertNothingLost(before: KeyListing, after: KeyListing, revoked: readonly RevokedKey[] = []): void {
  const gone = new Set(revoked.map((r) => r.kid));
  const afterByKid = new Map(after.keys.map((k) => [k.kid, k]));
  for (const key of before.keys) {
    if (gone.has(key.kid)) continue;
    const kept = afterByKid.get(key.kid);
    if (kept === undefined) {
      assert.ok(
        key.unpublishAt !== null && key.unpublishAt <= after.now,
        `key ${key.kid} (${key.state}) left the store before its time`,
      );
      continue;
    }
    assert.deepEqual(lasting(kept), lasting(key), `key ${key.kid} kept its identity`);
  }
  assert.equal(after.keys.filter((k) => k.state === "active").length, 1, "one key is active");
}

function lasting(key: KeyInfo): Pick<KeyInfo, "kid" | "alg" | "createdAt"> {
  return { kid: key.kid, alg: key.alg, createdAt: key.createdAt };
}

/** Issuance recovered: a short load gets tokens, every one verifies, nothing is refused. */
export async function assertRecovers(issuer: IssuerHarness, options: LoadOptions = {}, ms = 1_500): Promise<void> {
  const load = startLoad(issuer, { concurrency: 4, ...options });
  await sleep(ms);
  const report = await load.stop();
  assert.ok(report.issued.length > 0, "issuance recovered");
  assert.deepEqual(report.refusals, {}, "nothing refused once the fault ended");
  assert.deepEqual(report.untyped, []);
  assert.deepEqual(report.unverifiable, []);
}

/** The JWKS entry of this location's edge cache expires (as it does EDGE_CACHE_MS after its put). */
export async function expireEdgeJwks(issuer: IssuerHarness): Promise<void> {
  const caches = await issuer.mf.getCaches();
  await caches.default.delete(`${issuer.url}/.well-known/jwks.json`);
}

/**
 * EDGE_CACHE_MS (60 s) passes, without waiting for it: the edge cache's JWKS entry expires and
 * with it each isolate's mirror of it (worker/discovery/jwks-endpoint.ts), here by a restart.
 */
export async function edgeCacheLifetimePasses(issuer: IssuerHarness): Promise<void> {
  await issuer.restart({});
  await expireEdgeJwks(issuer);
}

/** `promise`'s value, or a failure naming `what` when it takes longer than `ms`. */
export async function within<T>(what: string, ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new assert.AssertionError({ message: `${what}: no answer within ${ms} ms` })), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}
