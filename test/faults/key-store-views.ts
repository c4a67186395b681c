// What the fault tests read of the issuer to judge it after a fault: the admin API's key listing
// and revocations, the JWKS as KV holds it (what every location reads behind its edge cache), and
// the load's reports checked as a whole.

import assert from "node:assert/strict";
import type { JSONWebKeySet } from "jose";
import type { KeyEvent, KeyListing } from "../../worker/keys/key-store-types.js";
import type { IssuerHarness } from "../support/issuer-harness.js";
import type { LoadReport } from "../support/load.js";

/** The admin API's key listing (GET /admin/keys), as the key store types it. */
export type Listing = KeyListing;
export type ListedEvent = KeyEvent;

export async function listing(issuer: IssuerHarness): Promise<Listing> {
  const response = await issuer.admin("/admin/keys");
  assert.equal(response.status, 200, "GET /admin/keys answers");
  return (await response.json()) as Listing;
}

/** {kid: state} of a listing, for comparing the store's keys before and after. */
export function states(keys: Listing): Record<string, string> {
  return Object.fromEntries(keys.keys.map((k) => [k.kid, k.state]));
}

export function activeKid(keys: Listing): string {
  const active = keys.keys.filter((k) => k.state === "active");
  assert.equal(active.length, 1, `exactly one active key: ${JSON.stringify(states(keys))}`);
  return active[0]!.kid;
}

/** The revocation entries in force (GET /admin/revocations), without the listing's `now`. */
export async function revocations(issuer: IssuerHarness): Promise<unknown[]> {
  const response = await issuer.admin("/admin/revocations");
  assert.equal(response.status, 200, "GET /admin/revocations answers");
  return ((await response.json()) as { entries: unknown[] }).entries;
}

/** The kids of the JWKS as KV holds it now (undefined: none published). */
export async function kvJwksKids(issuer: IssuerHarness): Promise<string[] | undefined> {
  const kv = await issuer.mf.getKVNamespace("PUBLISHED", issuer.config.issuer.scriptName);
  const body = await kv.get("jwks/v1");
  if (body === null) return undefined;
  return (JSON.parse(body) as JSONWebKeySet).keys.map((k) => String(k.kid));
}

/** Waits (up to `withinMs`) until KV's JWKS holds exactly the store's keys; answers how long it took. */
export async function publishedWithin(
  issuer: IssuerHarness,
  kids: readonly string[],
  withinMs: number,
): Promise<number> {
  const started = Date.now();
  const want = [...kids].sort();
  let seen: string[] | undefined;
  for (;;) {
    seen = (await kvJwksKids(issuer))?.sort();
    if (JSON.stringify(seen) === JSON.stringify(want)) return Date.now() - started;
    if (Date.now() - started > withinMs) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(`KV's JWKS should hold ${JSON.stringify(want)} within ${withinMs} ms; it holds ${JSON.stringify(seen)}`);
}

/** A load report's promises: every answer a token or a typed refusal, every token verified when issued. */
export function assertSound(report: LoadReport, label: string, allowedRefusals: readonly string[] = []): void {
  assert.deepEqual(report.untyped, [], `${label}: every refusal is typed`);
  assert.deepEqual(report.unverifiable, [], `${label}: every token verified when issued`);
  assert.equal(report.dropped, 0, `${label}: no request lost in transport`);
  for (const code of Object.keys(report.refusals)) {
    assert.ok(allowedRefusals.includes(code), `${label}: refusal ${code} (${report.refusals[code]}) not expected`);
  }
  assert.equal(report.verified, report.issued.length, `${label}: every token was verified`);
}

export async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}
