// The KEK rotation's deploys as both its deploy-sequence test and its end-to-end test run them:
// the stack config of each step, and the key-encryption keys a deploy left on the fake cloud (each
// generation's RandomBytes in the stack's state, and what the issuer script binds).

import assert from "node:assert/strict";
import { engineConfig } from "../../support/dev-stack.js";
import type { FakeCloud } from "../../support/fakes/engine.js";

export const SCRIPT = "cloudflare:index/workersScript:WorkersScript";
export const KV = "cloudflare:index/workersKvNamespace:WorkersKvNamespace";
export const RANDOM_BYTES = "random:index/randomBytes:RandomBytes";
/** A window start of every dev-stack certificate (redeploy.test.ts): nothing renews for days. */
export const T0 = Date.UTC(2023, 2, 24, 6);

const KEY = "worker-identity:keyEncryptionKey";
/** The stack config with `keyEncryptionKey` set to `value` (absent: undefined). */
export function withKek(value?: unknown): Record<string, string> {
  return value === undefined ? engineConfig({}, [KEY]) : engineConfig({ [KEY]: value });
}

/** Step 1 of the rotation: generation 2 seals, generation 1 still opens. */
export const ROTATING = { generation: 2, previous: 1 } as const;
/** Step 3: generation 2 alone. */
export const ROTATED = { generation: 2 } as const;

/** The issuer script's two KEK bindings as the last deploy left them. */
export function kekBindings(cloud: FakeCloud): { readonly current: string; readonly previous: string | undefined } {
  const script = cloud.resource(SCRIPT, "issuer-script");
  assert.ok(script, "the stack holds the issuer script");
  const bindings = script.inputs.bindings as { readonly name: string; readonly type: string; readonly text?: string }[];
  const text = (name: string) => {
    const binding = bindings.find((b) => b.name === name);
    if (binding !== undefined) assert.equal(binding.type, "secret_text", name);
    return binding?.text;
  };
  const current = text("KEY_ENCRYPTION_KEY");
  assert.ok(current, "the script binds KEY_ENCRYPTION_KEY");
  return { current, previous: text("KEY_ENCRYPTION_KEY_PREVIOUS") };
}

/** The value of a KEK generation's RandomBytes in the stack's state, or undefined when the stack holds none. */
export function kekInState(cloud: FakeCloud, name: string): string | undefined {
  const value = cloud.resource(RANDOM_BYTES, name)?.outputs.base64;
  return value === undefined ? undefined : String(value);
}
