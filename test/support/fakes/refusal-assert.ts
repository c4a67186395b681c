// For the fakes' own tests: the call is refused by a fake provider with a message matching `message`.

import assert from "node:assert/strict";
import { ProviderRefusal } from "./refusal.js";

export function refused(run: () => unknown, message: RegExp): ProviderRefusal {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof ProviderRefusal, `expected a provider refusal, got ${String(caught)}`);
  assert.match(caught.message, message);
  return caught;
}
