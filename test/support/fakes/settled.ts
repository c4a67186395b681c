// When a deploy under the fakes has declared everything: the test of Pulumi's own language host
// (runtime/settings.ts waitForRPCs), not a clock. Every registerResource, registerResourceOutputs
// and invoke takes an rpcKeepAlive as it starts (synchronously, in the resource's constructor)
// and releases it once its outputs are resolved; each keep-alive replaces the store's `rpcDone`
// promise. A registration made in an apply starts in a microtask after its input resolved, so
// once the chain has resolved, the microtask queue has drained (setImmediate runs after it) and
// no keep-alive was taken meanwhile, nothing is in flight and nothing more can start.
//
// After a failure (a refusal, a throwing apply) the resources downstream of it wait forever: a
// resource whose inputs rejected never resolves its outputs, so what reads them never registers
// (the real engine ends the program there). Given the failure, the wait ends once nothing moves
// any more: no keep-alive taken or released across a drained microtask queue.

import { createRequire } from "node:module";

interface RuntimeStore {
  readonly settings: { readonly rpcDone: Promise<unknown> };
}

const state = createRequire(import.meta.url)("@pulumi/pulumi/runtime/state.js") as { getStore(): RuntimeStore };

const drained = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Resolves once no registration or invoke is in flight and none started since the last one
 * ended; once `failure` has settled, as soon as what is still in flight has stopped moving.
 */
export async function settled(failure?: Promise<unknown>): Promise<void> {
  let failed = false;
  const failedNow = failure?.then(
    () => {
      failed = true;
    },
    () => {
      failed = true;
    },
  );
  for (;;) {
    const pending = state.getStore().settings.rpcDone;
    let done = false;
    void pending.then(() => {
      done = true;
    });
    await drained();
    if (state.getStore().settings.rpcDone !== pending) continue;
    if (done || failed) return;
    // In flight and waiting on I/O or a timer (or on the failure): wait for either.
    await (failedNow === undefined ? pending : Promise.race([pending, failedNow]));
  }
}
