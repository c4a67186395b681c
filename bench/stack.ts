// The issuer of Pulumi.dev.yaml in workerd through Miniflare, with benchmark drivers beside it.
// Each measurement module adds its own driver Workers; they all bind to the first workload's
// per-workload entrypoint, as a deployed workload would.

import { randomBytes } from "node:crypto";
import { resolve } from "node:path";
import type { Readable } from "node:stream";
import { Miniflare, type WorkerOptions } from "miniflare";
import type { StackConfig, WorkloadConfig } from "../worker/config/types.js";
import { validateStackConfig } from "../worker/config/validate.js";
import { readStackConfigMap } from "../worker/config-files/stack-file.js";
import { localStack } from "../worker/local/stack.js";

export type BenchAlgorithm = "RS256" | "ES256";

/** What a driver needs to know to bind to the issuer. */
export interface BenchStackContext {
  readonly issuerUrl: string;
  readonly config: StackConfig;
  /** The workload the drivers stand for (the first of the registry). */
  readonly workload: WorkloadConfig;
  /** A service binding to the issuer as `workload`. */
  readonly issuerBinding: { readonly name: string; readonly entrypoint: string };
}

export interface BenchStack extends BenchStackContext {
  readonly mf: Miniflare;
  /** Milliseconds from creating the Miniflare instance to its ready (workerd started, every script loaded). */
  readonly startupMs: number;
  dispose(): Promise<void>;
}

export interface BenchStackOptions {
  readonly algorithm: BenchAlgorithm;
  readonly port: number;
  readonly drivers: (context: BenchStackContext) => Promise<readonly WorkerOptions[]>;
  /** Extra Miniflare options (e.g. an inspector port). */
  readonly miniflare?: { readonly inspectorPort?: number };
  /** The issuer's ADMIN_TOKEN; absent, the admin API is off. */
  readonly adminToken?: string;
  /** Extra stack config keys (project-prefixed), over Pulumi.dev.yaml's. */
  readonly config?: Readonly<Record<string, string>>;
  /** Directory for Durable Object and KV state, so a later stack finds the keys; in memory when absent. */
  readonly persistDir?: string;
  /** The issuer's KEY_ENCRYPTION_KEY; random when absent (a persisted key store needs the same one). */
  readonly keyEncryptionKey?: string;
}

export async function startStack(options: BenchStackOptions): Promise<BenchStack> {
  const raw = readStackConfigMap(resolve("Pulumi.dev.yaml"));
  const config = { ...raw.config, [`${raw.project}:signingAlgorithm`]: options.algorithm, ...options.config };
  const issuerUrl = `http://127.0.0.1:${options.port}`;
  // The validated config (as localStack will validate it) names the entrypoints the drivers bind to.
  const validated = validateStackConfig(config, { project: raw.project, stack: raw.stack, localIssuerUrl: issuerUrl });
  const workload = validated.workloads[0]!;
  const context: BenchStackContext = {
    issuerUrl,
    config: validated,
    workload,
    issuerBinding: { name: validated.issuer.scriptName, entrypoint: workload.entrypoint },
  };
  const { options: workers } = await localStack({
    project: raw.project,
    stack: raw.stack,
    config,
    issuerUrl,
    keyEncryptionKey: options.keyEncryptionKey ?? randomBytes(32).toString("base64"),
    ...(options.persistDir === undefined ? {} : { persistDir: options.persistDir }),
    ...(options.adminToken === undefined ? {} : { adminToken: options.adminToken }),
    exampleWorkloads: false,
    extraWorkers: await options.drivers(context),
  });
  // The issuer logs a line per token; drain the runtime's output rather than print it.
  const started = performance.now();
  const mf = new Miniflare({
    ...workers,
    ...options.miniflare,
    handleRuntimeStdio: (stdout: Readable, stderr: Readable) => void [stdout.resume(), stderr.resume()],
  });
  await mf.ready;
  const startupMs = performance.now() - started;
  return { ...context, mf, startupMs, dispose: () => mf.dispose() };
}
