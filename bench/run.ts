// `npm run bench`: issuance throughput in workerd, each measurement beside its baseline measured
// in the same run (interleaved rounds, median of rounds), printed as ratios. These machines are
// noisy: compare ratios, not absolute numbers, and never assert on them in tests.

import { Miniflare, type WorkerOptions } from "miniflare";
import { randomBytes } from "node:crypto";
import { resolve } from "node:path";
import type { Readable } from "node:stream";
import { bundleWorker, COMPATIBILITY_DATE } from "../worker/build/bundle.js";
import { readStackConfigMap } from "../worker/config/stack-file.js";
import { localStack } from "../worker/local/stack.js";
import { benchPulumiProgram } from "./pulumi-program.js";

const ROUNDS = 7;
const OPS_PER_ROUND = 200;
const WARMUP_OPS = 100;

interface Measurement {
  readonly name: string;
  readonly baseline: string;
  readonly opsPerSecond: number;
  readonly baselineOpsPerSecond: number;
  readonly target: string;
}

async function startStack(algorithm: "RS256" | "ES256", port: number): Promise<{ mf: Miniflare; url: string }> {
  const raw = readStackConfigMap(resolve("Pulumi.dev.yaml"));
  const config = { ...raw.config, [`${raw.project}:signingAlgorithm`]: algorithm };
  const driverCode = await bundleWorker(resolve(import.meta.dirname, "workers/driver.ts"));
  const verifyCode = await bundleWorker(resolve(import.meta.dirname, "workers/verify-driver.ts"));
  const issuerUrl = `http://127.0.0.1:${port}`;
  const probe = await localStack({ project: raw.project, stack: raw.stack, config, issuerUrl, exampleWorkloads: false });
  const workload = probe.config.workloads[0]!;
  const driver = (name: string, routes: string[]): WorkerOptions => ({
    name,
    modules: [{ type: "ESModule", path: "driver.js", contents: driverCode }],
    compatibilityDate: COMPATIBILITY_DATE,
    bindings: { AUDIENCE: workload.audiences[0]! },
    serviceBindings: {
      ISSUER: { name: probe.config.issuer.scriptName, entrypoint: workload.entrypoint },
      NOOP: { name: "bench-noop", entrypoint: "Noop" },
    },
    routes,
  });
  const { options } = await localStack({
    project: raw.project,
    stack: raw.stack,
    config,
    issuerUrl,
    keyEncryptionKey: randomBytes(32).toString("base64"),
    exampleWorkloads: false,
    extraWorkers: [
      driver("bench-driver", ["*/bench/*"]),
      driver("bench-noop", []),
      {
        name: "bench-verify",
        modules: [{ type: "ESModule", path: "verify.js", contents: verifyCode }],
        compatibilityDate: COMPATIBILITY_DATE,
        bindings: { AUDIENCE: workload.audiences[0]!, ISSUER_URL: issuerUrl },
        serviceBindings: { ISSUER: { name: probe.config.issuer.scriptName, entrypoint: workload.entrypoint } },
        routes: ["*/bench-verify/*"],
      },
    ],
  });
  // The issuer logs a line per token; drain the runtime's output rather than print it.
  const mf = new Miniflare({ ...options, handleRuntimeStdio: (stdout: Readable, stderr: Readable) => void [stdout.resume(), stderr.resume()] });
  await mf.ready;
  return { mf, url: issuerUrl };
}

async function run(mf: Miniflare, url: string, kind: string, n: number, query = ""): Promise<number> {
  const started = performance.now();
  const path = kind.includes("/") ? kind : `bench/${kind}`;
  const response = await mf.dispatchFetch(`${url}/${path}?n=${n}${query}`);
  if (!response.ok) throw new Error(`${kind}: ${response.status} ${await response.text()}`);
  await response.arrayBuffer();
  return performance.now() - started;
}

/** Median ops/s of subject and baseline, measured in alternating rounds. */
async function compare(
  mf: Miniflare,
  url: string,
  subject: [string, string?],
  baseline: [string, string?],
): Promise<[number, number]> {
  await run(mf, url, subject[0], WARMUP_OPS, subject[1]);
  await run(mf, url, baseline[0], WARMUP_OPS, baseline[1]);
  const s: number[] = [];
  const b: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    s.push((OPS_PER_ROUND / (await run(mf, url, subject[0], OPS_PER_ROUND, subject[1]))) * 1_000);
    b.push((OPS_PER_ROUND / (await run(mf, url, baseline[0], OPS_PER_ROUND, baseline[1]))) * 1_000);
  }
  return [median(s), median(b)];
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

async function main(): Promise<void> {
  const results: Measurement[] = [];
  for (const [alg, port, target] of [["RS256", 18_787, "≥ 0.8"], ["ES256", 18_788, "≥ 0.5"]] as const) {
    const { mf, url } = await startStack(alg, port);
    try {
      const [cold, sign] = await compare(mf, url, ["issue-cold"], ["sign", `&alg=${alg}`]);
      results.push({
        name: `token issuance, cold cache, ${alg}`,
        baseline: `raw WebCrypto ${alg} signatures`,
        opsPerSecond: cold,
        baselineOpsPerSecond: sign,
        target,
      });
      if (alg === "RS256") {
        const [verified, raw] = await compare(mf, url, ["bench-verify/verifier"], ["bench-verify/raw"]);
        results.push({
          name: "verification, warm JWKS (verifier)",
          baseline: "raw WebCrypto RS256 verification",
          opsPerSecond: verified,
          baselineOpsPerSecond: raw,
          target: "≥ 0.7",
        });
        const [verifiedAgain, seed003] = await compare(mf, url, ["bench-verify/verifier"], ["bench-verify/seed003"]);
        results.push({
          name: "verification, warm JWKS (verifier)",
          baseline: "seed-003: remote key set per request",
          opsPerSecond: verifiedAgain,
          baselineOpsPerSecond: seed003,
          target: "≥ 20",
        });
        const [warm, noop] = await compare(mf, url, ["issue-warm"], ["noop-rpc"]);
        results.push({
          name: "token issuance, warm cache",
          baseline: "no-op RPC over a service binding",
          opsPerSecond: warm,
          baselineOpsPerSecond: noop,
          target: "≥ 0.5",
        });
      }
    } finally {
      await mf.dispose();
    }
  }
  const rows = results.map((r) => [
    r.name,
    r.opsPerSecond.toFixed(0),
    r.baseline,
    r.baselineOpsPerSecond.toFixed(0),
    (r.opsPerSecond / r.baselineOpsPerSecond).toFixed(2),
    r.target,
  ]);
  const header = ["measurement", "ops/s", "baseline", "baseline ops/s", "ratio", "target"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ");
  console.log(line(header));
  for (const row of rows) console.log(line(row));
  console.log(`\n${ROUNDS} interleaved rounds of ${OPS_PER_ROUND} operations each, medians; node ${process.version}`);

  const program = await benchPulumiProgram();
  console.log(
    `\nPulumi program under mocks (AWS + GCP per workload): 100 workloads ${program.small.toFixed(0)} ms, ` +
      `1,000 workloads ${program.large.toFixed(0)} ms (${program.resources} resources): ratio ${program.ratio.toFixed(2)}, target ≤ 12`,
  );
}

await main();
