// Reading a fake deploy's plan in assertions: resources by name, and the failures a deploy must
// never have (a provider refusal, a live certificate deleted) spelt out in one message.

import assert from "node:assert/strict";
import type { Plan, PlanEntry } from "../../support/fakes/engine.js";

export const DAY_MS = 86_400_000;

export function names(entries: readonly PlanEntry[]): string[] {
  return entries.map((e) => e.name).sort();
}

/** `name: properties` of updated or replaced resources. */
export function changes(entries: readonly PlanEntry[]): Record<string, readonly string[]> {
  return Object.fromEntries(entries.map((e) => [e.name, e.properties ?? []]));
}

/** No refusal, no live certificate deleted. */
export function assertSafe(plan: Plan, what: string): void {
  assert.deepEqual(
    plan.refusals.map((r) => r.message),
    [],
    `${what}: the providers refused the deploy`,
  );
  assert.deepEqual(plan.violations, [], `${what}: the deploy deleted what it must keep`);
}

/** Nothing created, updated, replaced, deleted or retained. */
export function assertNoChange(plan: Plan, what: string): void {
  assertSafe(plan, what);
  assert.deepEqual(
    {
      created: names(plan.created),
      updated: changes(plan.updated),
      replaced: changes(plan.replaced),
      deleted: names(plan.deleted),
      retained: names(plan.retained),
    },
    { created: [], updated: {}, replaced: {}, deleted: [], retained: [] },
    `${what}: a deploy of an unchanged stack changed resources`,
  );
}
