// `npm run bench`: every measurement beside its baseline measured in the same run, printed as
// ratios against issue #9's targets. These machines are noisy: compare ratios, not absolute
// numbers, and never assert on them in tests. bench/RESULTS.md records the latest run.
//
//   npm run bench                      every group (under 5 minutes on 2 cores)
//   npm run bench -- verification      only the named groups (names below)
//   npm run bench -- soak              the soak run under injected faults (bench/soak.ts), about 90 s

import { measureEndpoints } from "./endpoints.js";
import { measureFirstToken } from "./first-token.js";
import { measureIssuance } from "./issuance.js";
import { measureIssuanceLatency } from "./latency.js";
import { type Measurement, printTable } from "./measure.js";
import { measureIssuerMemory } from "./memory.js";
import { measureMiddleware } from "./middleware.js";
import { benchPulumiProgram } from "./pulumi-program.js";
import { measureRotation } from "./rotation.js";
import { measureSoak } from "./soak.js";
import { measureVerification } from "./verification.js";

/** Each group starts its own stack on its own port, so groups never share an isolate. */
const GROUPS: Readonly<Record<string, () => Promise<Measurement[]>>> = {
  issuance: async () => [...(await measureIssuance("RS256", 18_787)), ...(await measureIssuance("ES256", 18_788))],
  latency: () => measureIssuanceLatency(18_810),
  rotation: async () => [...(await measureRotation("RS256", 18_811)), ...(await measureRotation("ES256", 18_813))],
  endpoints: () => measureEndpoints(18_812),
  "first-token": () => measureFirstToken(18_814),
  verification: () => measureVerification(18_789),
  middleware: () => measureMiddleware(18_790),
  memory: () => measureIssuerMemory(18_800),
  soak: () => measureSoak(),
  pulumi: async () => {
    const program = await benchPulumiProgram();
    return [
      {
        name: `Pulumi program on the provider fakes, ${program.largeCount} workloads in registry files (${program.resources} resources)`,
        value: `${(program.large / 1_000).toFixed(1)} s`,
        baseline: `the same program with ${program.smallCount} workloads`,
        baselineValue: `${(program.small / 1_000).toFixed(1)} s`,
        ratio: program.ratio,
        target: "≤ 12",
        met: program.ratio <= 12,
      },
    ];
  },
};

async function main(): Promise<void> {
  const requested = process.argv.slice(2);
  const unknown = requested.filter((name) => !(name in GROUPS));
  if (unknown.length > 0) {
    console.error(`unknown benchmark group ${unknown.join(", ")}; the groups are ${Object.keys(GROUPS).join(", ")}`);
    process.exit(2);
  }
  const started = performance.now();
  const rows: Measurement[] = [];
  for (const [name, measure] of Object.entries(GROUPS)) {
    if (requested.length > 0 && !requested.includes(name)) continue;
    const groupStarted = performance.now();
    rows.push(...(await measure()));
    console.error(`${name}: ${((performance.now() - groupStarted) / 1_000).toFixed(0)} s`);
  }
  printTable(rows);
  console.log(`\nnode ${process.version}, ${((performance.now() - started) / 1_000).toFixed(0)} s in all.`);
}

await main();
