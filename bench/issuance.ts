// Issuance throughput: cold (every token signed) against raw signatures of the same algorithm in
// the same isolate, and warm (served from the isolate's token cache) against a no-op RPC over
// the same kind of binding.

import { driver, workloadBindings } from "./drivers.js";
import { compare, type Measurement, throughputRow } from "./measure.js";
import { type BenchAlgorithm, startStack } from "./stack.js";

const TARGETS: Record<BenchAlgorithm, number> = { RS256: 0.8, ES256: 0.5 };
/** Twice the default: single rounds of 200 swung the cold ratios by ±0.1 on a busy machine. */
const OPS = 400;

export async function measureIssuance(algorithm: BenchAlgorithm, port: number): Promise<Measurement[]> {
  const stack = await startStack({
    algorithm,
    port,
    drivers: async (context) => {
      const { bindings, serviceBindings } = workloadBindings(context);
      return [
        await driver({
          name: "bench-driver",
          source: "driver.ts",
          routes: ["*/bench/*"],
          bindings,
          serviceBindings: { ...serviceBindings, NOOP: { name: "bench-noop", entrypoint: "Noop" } },
        }),
        // Only its Noop entrypoint is called: it needs no bindings.
        await driver({ name: "bench-noop", source: "driver.ts", routes: [] }),
      ];
    },
  });
  const { mf, issuerUrl: url } = stack;
  try {
    const rows: Measurement[] = [];
    // Cold issuance against raw signatures, then against an RPC whose callee only signs: an issuer
    // reached over RPC can go no faster, the baseline that separates the issuer's own cost from
    // the binding's (bench/RESULTS.md).
    const baselines = [
      { path: "bench/sign", what: `raw WebCrypto ${algorithm} signatures` },
      { path: "bench/sign-rpc", what: `an RPC whose callee signs once (${algorithm})` },
    ];
    for (const baseline of baselines) {
      const query = `&alg=${algorithm}`;
      const [cold, base] = await compare(mf, url, { path: "bench/issue-cold" }, { path: baseline.path, query }, OPS);
      rows.push(
        throughputRow(`token issuance, cold cache, ${algorithm}`, cold, baseline.what, base, TARGETS[algorithm]),
      );
    }
    if (algorithm === "RS256") {
      const [warm, noop] = await compare(mf, url, { path: "bench/issue-warm" }, { path: "bench/noop-rpc" }, OPS);
      rows.push(throughputRow("token issuance, warm cache", warm, "no-op RPC over a service binding", noop, 0.5));
    }
    return rows;
  } finally {
    await stack.dispose();
  }
}
