// The issuer's first token from a fresh isolate (issue #13), against a static Worker's first
// response in the same run. A fresh isolate is what a deploy, a new location or an evicted
// isolate starts from: the bundle is loaded and evaluated, and the first call reads whatever
// the Worker derives from its bindings before it can answer.
//
// Method. Every sample is a new Miniflare instance (a new workerd process, so new isolates): the
// subject runs the issuer stack of Pulumi.dev.yaml with a driver bound to the first workload's
// entrypoint, the baseline runs the same driver bound to a Worker returning a static response
// (bench/workers/static.ts). Each sample is timed from creating the instance to the driver's
// answer to its first request (one token, or one GET), split into the start-up (until
// `mf.ready`: workerd loads and evaluates every script) and the first call. Subject and baseline
// alternate, round by round, and the rows give medians. The key store is persisted across the
// subject's instances (seeded by the warm-up), so the first token reads a sealed key rather than
// generating one: the isolate is fresh, the deployment is not.

import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { Miniflare, type WorkerOptions } from "miniflare";
import { driver } from "./drivers.js";
import { type Measurement, median } from "./measure.js";
import { startStack } from "./stack.js";

const ROUNDS = 15;
const DRIVER_ROUTE = "*/first/*";

interface FirstResponse {
  readonly startupMs: number;
  readonly firstCallMs: number;
}

async function firstCall(mf: Miniflare, url: string): Promise<number> {
  const started = performance.now();
  const response = await mf.dispatchFetch(url);
  const body = await response.text();
  if (!response.ok) throw new Error(`${url}: ${response.status} ${body}`);
  return performance.now() - started;
}

/** A fresh issuer stack's start-up and first token; the key store lives in `persistDir`. */
async function issuerFirstToken(port: number, persistDir: string, keyEncryptionKey: string): Promise<FirstResponse> {
  const stack = await startStack({
    algorithm: "RS256",
    port,
    persistDir,
    keyEncryptionKey,
    drivers: async (context) => [
      await driver({
        name: "bench-first",
        source: "first-driver.ts",
        routes: [DRIVER_ROUTE],
        bindings: { AUDIENCE: context.workload.audiences[0]! },
        serviceBindings: { ISSUER: { ...context.issuerBinding } },
      }),
    ],
  });
  try {
    return { startupMs: stack.startupMs, firstCallMs: await firstCall(stack.mf, `${stack.issuerUrl}/first/token`) };
  } finally {
    await stack.dispose();
  }
}

/** A fresh workerd running only the driver and the static Worker: its start-up and first GET. */
async function staticFirstResponse(port: number, workers: readonly WorkerOptions[]): Promise<FirstResponse> {
  const started = performance.now();
  const mf = new Miniflare({
    workers: [...workers],
    host: "127.0.0.1",
    port,
    handleRuntimeStdio: (stdout: Readable, stderr: Readable) => void [stdout.resume(), stderr.resume()],
  });
  try {
    await mf.ready;
    const startupMs = performance.now() - started;
    return { startupMs, firstCallMs: await firstCall(mf, `http://127.0.0.1:${port}/first/static`) };
  } finally {
    await mf.dispose();
  }
}

function summary(samples: readonly FirstResponse[], part: (s: FirstResponse) => number): number {
  return median(samples.map(part));
}

function row(
  name: string,
  subject: number,
  baseline: string,
  baselineValue: number,
  detail: string,
  baselineDetail: string,
): Measurement {
  return {
    name,
    value: `${subject.toFixed(1)} ms${detail}`,
    baseline,
    baselineValue: `${baselineValue.toFixed(1)} ms${baselineDetail}`,
    ratio: subject / baselineValue,
    target: "report",
    met: true,
  };
}

export async function measureFirstToken(port: number): Promise<Measurement[]> {
  const persistDir = mkdtempSync(join(tmpdir(), "wid-bench-first-"));
  const keyEncryptionKey = randomBytes(32).toString("base64");
  const staticWorkers = [
    await driver({
      name: "bench-first",
      source: "first-driver.ts",
      routes: [DRIVER_ROUTE],
      serviceBindings: { STATIC: { name: "bench-static" } },
    }),
    await driver({ name: "bench-static", source: "static.ts", routes: [] }),
  ];
  try {
    // Warm-up: bundles every script, and the first issuer instance generates the keys the later ones read.
    await issuerFirstToken(port, persistDir, keyEncryptionKey);
    await staticFirstResponse(port, staticWorkers);
    const issuer: FirstResponse[] = [];
    const statics: FirstResponse[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      issuer.push(await issuerFirstToken(port, persistDir, keyEncryptionKey));
      statics.push(await staticFirstResponse(port, staticWorkers));
    }
    const total = (s: FirstResponse) => s.startupMs + s.firstCallMs;
    const call = (s: FirstResponse) => s.firstCallMs;
    const startup = (s: FirstResponse) => s.startupMs;
    const split = (samples: readonly FirstResponse[]) =>
      ` (start-up ${summary(samples, startup).toFixed(1)} + first call ${summary(samples, call).toFixed(1)})`;
    return [
      row(
        "issuer's first token from a fresh isolate, RS256 (new workerd: start-up + first RPC token)",
        summary(issuer, total),
        "a static Worker's first response (new workerd: start-up + first GET)",
        summary(statics, total),
        split(issuer),
        split(statics),
      ),
      row(
        "issuer's first token from a fresh isolate, RS256 (the first RPC token alone, after ready)",
        summary(issuer, call),
        "a static Worker's first response (the first GET alone, after ready)",
        summary(statics, call),
        "",
        "",
      ),
    ];
  } finally {
    rmSync(persistDir, { recursive: true, force: true });
  }
}
