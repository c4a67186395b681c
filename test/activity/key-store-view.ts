// The issuer's key store as a test reads it: adminView() and recordActivity() through Miniflare's
// own Durable Object binding (the operator page reads the same adminView, in one call).

import assert from "node:assert/strict";
import type { Miniflare } from "miniflare";
import type { ActivityCount, ActivitySummary } from "../../worker/activity/types.js";

/** worker/keys/key-store-stub.ts KEY_STORE_NAME (that module's types are the Worker's, outside this tsconfig). */
const KEY_STORE_NAME = "signing-keys";

/** What these tests read of worker/keys/admin-view.ts AdminView. */
interface AdminView {
  readonly keys: unknown;
  readonly revocations: unknown;
  readonly activity: ActivitySummary;
}

/** adminView() of the issuer's key store, through Miniflare's binding to it. */
export async function adminViewOf(mf: Miniflare, scriptName: string): Promise<AdminView> {
  const namespace = await mf.getDurableObjectNamespace("KEY_STORE", scriptName);
  const stub = namespace.get(namespace.idFromName(KEY_STORE_NAME)) as unknown as { adminView(): Promise<AdminView> };
  return stub.adminView();
}

/** recordActivity() of the issuer's key store, as an isolate would call it (a batch: worker/activity/types.ts). */
export async function recordActivity(mf: Miniflare, scriptName: string, batch: unknown): Promise<void> {
  const namespace = await mf.getDurableObjectNamespace("KEY_STORE", scriptName);
  const stub = namespace.get(namespace.idFromName(KEY_STORE_NAME)) as unknown as {
    recordActivity(batch: unknown): Promise<void>;
  };
  await stub.recordActivity(batch);
}

/** A batch of `events` as an isolate counts them: one row per event (the store merges equal ones). */
export function batchOf(events: readonly Record<string, unknown>[], recent: readonly unknown[] = events): unknown {
  return {
    counts: events.map(({ at, channel: _, ...identity }) => ({ ...identity, count: 1, firstAt: at, lastAt: at })),
    recent,
    uncounted: 0,
  };
}

/** Polls adminView until `ready` holds: the log is written after the answer, under waitUntil. */
export async function activityWhen(
  mf: Miniflare,
  scriptName: string,
  ready: (activity: ActivitySummary) => boolean,
): Promise<ActivitySummary> {
  let last: ActivitySummary | undefined;
  for (let attempt = 0; attempt < 50; attempt++) {
    last = (await adminViewOf(mf, scriptName)).activity;
    if (ready(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(`the issuance log never got there: ${JSON.stringify(last)}`);
}

export function countOf(activity: ActivitySummary, row: Partial<ActivityCount>): number {
  const found = activity.counts.filter((c) =>
    Object.entries(row).every(([k, v]) => (c as unknown as Record<string, unknown>)[k] === v),
  );
  return found.reduce((sum, c) => sum + c.count, 0);
}
