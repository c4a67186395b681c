// The Pulumi program on the provider fakes for 50 and 500 workloads (500 is the most one
// Cloudflare account runs: the registry can hold no more), kept in registry files as a stack of
// that size must: an AWS role for each, a GCP service account for every fifth (the default quota
// is 100 per project). The time ratio shows whether the program's cost grows linearly with the
// registry (target ≤ 12 for 10x).
//
// A sound ratio needs both sizes measured alike: a warm-up run first (module loading, lazy
// provider modules, JIT, esbuild's service), then alternating rounds (small and large, in
// alternating order) compared by their medians. Each run starts from a collected heap, so no run
// pays for the previous one's garbage, and uses workload names of its own, so every run bundles
// its issuer (bundle.ts caches bundles per entry module for the whole process).

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import * as pulumi from "@pulumi/pulumi";
import { defineProgram } from "../infra/program.js";
import { installMocks, recorded, resolved } from "../test/support/pulumi-mocks.js";
import { median } from "./measure.js";

const ACCOUNT = "0123456789abcdef0123456789abcdef";
const GCP_AUDIENCE =
  "//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/worker-identity/providers/worker-identity";

const SMALL = 50;
const LARGE = 500;
/** Workloads per registry file. */
const PER_FILE = 50;
/** One workload in this many gets a GCP service account. */
const GCP_EVERY = 5;
/** Rounds stop once the next one would end past this (the whole bench suite has 5 minutes). */
const BUDGET_MS = 60_000;
const MIN_ROUNDS = 2;
const MAX_ROUNDS = 5;

/**
 * The stack config of `count` workloads, their entries in registry files under `directory`.
 * `run` (one digit) keeps every run's names, and so its bundle, its own at equal length.
 */
function configFor(count: number, run: number, directory: string): Record<string, string> {
  const registry = join(directory, `r${run}-${count}`);
  mkdirSync(registry, { recursive: true });
  for (let first = 0; first < count; first += PER_FILE) {
    const workloads: Record<string, unknown> = {};
    for (let i = first; i < Math.min(count, first + PER_FILE); i++) {
      const gcp = i % GCP_EVERY === 0;
      workloads[`svc-r${run}-${String(i).padStart(4, "0")}`] = {
        audiences: gcp ? ["sts.amazonaws.com", GCP_AUDIENCE] : ["sts.amazonaws.com"],
        aws: { managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"] },
        ...(gcp ? { gcp: { projectRoles: ["roles/viewer"] } } : {}),
      };
    }
    writeFileSync(join(registry, `workloads-${String(first).padStart(4, "0")}.json`), JSON.stringify({ workloads }));
  }
  return {
    "worker-identity:accountId": ACCOUNT,
    "worker-identity:issuerHostname": "id.example.dev",
    "worker-identity:aws": "{}",
    "worker-identity:gcp": JSON.stringify({ projectId: "example-identity-dev", projectNumber: "123456789012" }),
    // Relative to the project directory, as the validator requires (the mocks' is the working directory).
    "worker-identity:registry": relative(process.cwd(), registry),
  };
}

/** A full collection between runs (V8's gc, exposed for this process without a command-line flag). */
const collectGarbage: () => void = (() => {
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
})();

interface Run {
  readonly ms: number;
  /** CPU time of this process (main and GC threads; esbuild's own process not included). */
  readonly cpuMs: number;
  readonly resources: number;
}

async function timeProgram(count: number, run: number, directory: string): Promise<Run> {
  installMocks("worker-identity", "bench");
  pulumi.runtime.setAllConfig(configFor(count, run, directory));
  collectGarbage();
  const cpu = process.cpuUsage();
  const started = performance.now();
  const deployment = defineProgram();
  await resolved(deployment.issuer.script.scriptName);
  for (const workload of Object.values(deployment.workloads)) {
    await resolved(workload.awsRoleArn);
    await resolved(workload.gcpServiceAccount);
  }
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { ms, cpuMs: (used.user + used.system) / 1_000, resources: recorded.length };
}

export interface PulumiProgramResult {
  /** Workloads of the small and large runs. */
  readonly smallCount: number;
  readonly largeCount: number;
  /** Median wall time (ms) of the small and large runs, and their ratio. */
  readonly small: number;
  readonly large: number;
  readonly ratio: number;
  /** Resources the large program declares. */
  readonly resources: number;
  readonly rounds: number;
  /** Every run's wall time (ms), in order. */
  readonly smallRuns: readonly number[];
  readonly largeRuns: readonly number[];
  /** The ratio of the median CPU times: less sensitive than wall time to other load on the machine. */
  readonly cpuRatio: number;
}

export async function benchPulumiProgram(): Promise<PulumiProgramResult> {
  const started = performance.now();
  const directory = mkdtempSync(join(tmpdir(), "wid-bench-registry-"));
  const small: Run[] = [];
  const large: Run[] = [];
  try {
    await timeProgram(SMALL, 0, directory); // warm-up at the small size: module loading, JIT, esbuild's service
    for (let round = 1; round <= MAX_ROUNDS; round++) {
      const roundStarted = performance.now();
      if (round % 2 === 1) {
        small.push(await timeProgram(SMALL, round, directory));
        large.push(await timeProgram(LARGE, round, directory));
      } else {
        large.push(await timeProgram(LARGE, round, directory));
        small.push(await timeProgram(SMALL, round, directory));
      }
      const roundMs = performance.now() - roundStarted;
      if (round >= MIN_ROUNDS && performance.now() - started + roundMs > BUDGET_MS) break;
    }
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
  const smallMs = median(small.map((r) => r.ms));
  const largeMs = median(large.map((r) => r.ms));
  return {
    smallCount: SMALL,
    largeCount: LARGE,
    small: smallMs,
    large: largeMs,
    ratio: largeMs / smallMs,
    resources: large[0]!.resources,
    rounds: small.length,
    smallRuns: small.map((r) => r.ms),
    largeRuns: large.map((r) => r.ms),
    cpuRatio: median(large.map((r) => r.cpuMs)) / median(small.map((r) => r.cpuMs)),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await benchPulumiProgram();
  const runs = (values: readonly number[]): string => values.map((v) => v.toFixed(0)).join(", ");
  console.log(
    `Pulumi program on the provider fakes, medians of ${result.rounds} rounds: ${SMALL} workloads ${result.small.toFixed(0)} ms ` +
      `(${runs(result.smallRuns)}), ${LARGE.toLocaleString("en")} workloads ${result.large.toFixed(0)} ms (${runs(result.largeRuns)}; ` +
      `${result.resources} resources), ratio ${result.ratio.toFixed(2)} (target ≤ 12), CPU-time ratio ${result.cpuRatio.toFixed(2)}`,
  );
}
