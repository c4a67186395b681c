// Puts the test-only fault switch (test/fixtures/workers/key-store-faults.ts) in front of the key
// store of a running IssuerHarness: the issuer Worker's modules become a small entry module, the
// issuer bundle unchanged, and the switch, with the entry exporting `KeyStore` as the bundle's own
// class wrapped by the switch. Nothing of the product is rebuilt or edited.
//
// The harness has no hook for replacing the issuer's modules (it builds its runtime in a private
// static `build`), so this rebuilds the harness's own options through it and swaps the issuer's
// modules before `mf.setOptions`: a restart of the runtime, persisted state kept. The switch lasts
// until the harness's next `restart()`, which rebuilds the plain issuer.

import { resolve } from "node:path";
import type { MiniflareOptions, WorkerOptions } from "miniflare";
import { bundleWorker } from "../../worker/build/bundle.js";
import type { LocalStackInput } from "../../worker/local/stack.js";
import type { Fault } from "../fixtures/workers/key-store-fault-types.js";
import type { IssuerHarness } from "../support/issuer-harness.js";

export type { Fault } from "../fixtures/workers/key-store-fault-types.js";

const ENTRY = `import * as issuer from "./issuer.js";
import { faultRoute, withFaults } from "./key-store-faults.js";
export * from "./issuer.js";
export const KeyStore = withFaults(issuer.KeyStore);
export default {
  async fetch(request, env, ctx) {
    return (await faultRoute(request, env)) ?? issuer.default.fetch(request, env, ctx);
  },
};
`;

interface HarnessInternals {
  readonly input: LocalStackInput;
  /** The harness's own fault bindings (test/support/fault-bindings.ts), passed through as they are. */
  readonly faults: unknown;
}
interface HarnessBuild {
  build(input: LocalStackInput, logs: string[], faults: unknown): Promise<{ readonly mfOptions: MiniflareOptions }>;
}

export interface FaultSwitch {
  /** Arms one fault; it fires at the next point it names, once. */
  arm(fault: Fault): Promise<void>;
  /** The faults fired so far in this runtime. */
  fired(): Promise<Fault[]>;
}

export async function installFaultSwitch(issuer: IssuerHarness): Promise<FaultSwitch> {
  const { input, faults } = issuer as unknown as HarnessInternals;
  const harnessClass = issuer.constructor as unknown as HarnessBuild;
  const { mfOptions } = await harnessClass.build(input, issuer.logs, faults);
  const switchCode = await bundleWorker(resolve(import.meta.dirname, "../fixtures/workers/key-store-faults.ts"));
  const issuerName = issuer.config.issuer.scriptName;
  const workers = (mfOptions as { workers: WorkerOptions[] }).workers.map((worker) => {
    if (worker.name !== issuerName) return worker;
    const modules = worker.modules as { type: "ESModule"; path: string; contents: string }[];
    const bundle = modules.find((m) => m.path === "issuer.js");
    if (!bundle || modules.length !== 1) throw new Error("the issuer Worker is no longer one issuer.js module");
    return {
      ...worker,
      modules: [
        { type: "ESModule" as const, path: "entry.js", contents: ENTRY },
        bundle,
        { type: "ESModule" as const, path: "key-store-faults.js", contents: switchCode },
      ],
    } satisfies WorkerOptions;
  });
  await issuer.mf.setOptions({ ...mfOptions, workers } as MiniflareOptions);
  return {
    async arm(fault) {
      const response = await issuer.fetch("/__faults/arm", { method: "POST", body: JSON.stringify(fault) });
      if (response.status !== 204) throw new Error(`arming ${JSON.stringify(fault)}: ${response.status}`);
    },
    async fired() {
      const response = await issuer.fetch("/__faults/fired");
      return ((await response.json()) as { fired: Fault[] }).fired;
    },
  };
}
