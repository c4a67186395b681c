// Puts the test-only fault switch (test/fixtures/workers/key-store-faults.ts) in front of the key
// store of a running IssuerHarness: the issuer Worker's modules become a small entry module, the
// issuer bundle unchanged, and the switch, with the entry exporting `KeyStore` as the bundle's own
// class wrapped by the switch. Nothing of the product is rebuilt or edited.
//
// It is installed by a restart of the runtime (IssuerHarness.restart's `issuerModules`: drained
// like a deploy, persisted state and switched-on faults kept) and lasts until the harness's next
// restart, which runs the plain issuer again.

import { resolve } from "node:path";
import { bundleWorker } from "../../worker/build/bundle.js";
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

export interface FaultSwitch {
  /** Arms one fault; it fires at the next point it names, once. */
  arm(fault: Fault): Promise<void>;
  /** The faults fired so far in this runtime. */
  fired(): Promise<Fault[]>;
}

export async function installFaultSwitch(issuer: IssuerHarness): Promise<FaultSwitch> {
  const switchCode = await bundleWorker(resolve(import.meta.dirname, "../fixtures/workers/key-store-faults.ts"));
  await issuer.restart(
    {},
    {
      issuerModules: (bundle) => [
        { type: "ESModule", path: "entry.js", contents: ENTRY },
        bundle,
        { type: "ESModule", path: "key-store-faults.js", contents: switchCode },
      ],
    },
  );
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
