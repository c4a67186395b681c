// `npm run bench`: every measurement beside its baseline measured in the same run, printed as
// ratios against issue #9's targets. These machines are noisy: compare ratios, not absolute
// numbers, and never assert on them in tests. bench/RESULTS.md records the latest run.

import { measureIssuance } from "./issuance.js";
import { printTable, ROUNDS, OPS_PER_ROUND, type Measurement } from "./measure.js";
import { benchPulumiProgram } from "./pulumi-program.js";
import { measureVerification } from "./verification.js";

async function main(): Promise<void> {
  const started = performance.now();
  const rows: Measurement[] = [];
  rows.push(...(await measureIssuance("RS256", 18_787)));
  rows.push(...(await measureIssuance("ES256", 18_788)));
  rows.push(...(await measureVerification(18_789)));

  const program = await benchPulumiProgram();
  rows.push({
    name: `Pulumi program under mocks, 1,000 workloads (${program.resources} resources)`,
    value: `${(program.large / 1_000).toFixed(1)} s`,
    baseline: "the same program with 100 workloads",
    baselineValue: `${(program.small / 1_000).toFixed(1)} s`,
    ratio: program.ratio,
    target: "≤ 12",
    met: program.ratio <= 12,
  });

  printTable(rows);
  console.log(
    `\nWorkers: ${ROUNDS} interleaved rounds of ${OPS_PER_ROUND} operations each, medians. ` +
      `node ${process.version}, ${(performance.now() - started) / 1_000 | 0} s in all.`,
  );
}

await main();
