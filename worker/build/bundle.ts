// Bundles Worker code with esbuild for workerd: one ES module, `cloudflare:*` left external.
// The issuer bundle depends on the workload registry (its generated entrypoints), so it is built
// per stack config, by the local stack, the tests and the Pulumi program alike.

import { build, type BuildOptions } from "esbuild";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { WorkflowConfig, WorkloadConfig } from "../config/types.js";
import { entrypointsModuleSource } from "./entrypoints.js";

export const WORKER_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const ISSUER_MODULE = resolve(WORKER_ROOT, "issuer/index.ts");
/** The edge middleware Worker (bundle it with bundleWorker). */
export const MIDDLEWARE_MODULE = resolve(WORKER_ROOT, "middleware/worker.ts");
/** The compatibility date every Worker of the product is built and deployed with. */
export const COMPATIBILITY_DATE = "2026-04-01";

const COMMON: BuildOptions = {
  bundle: true,
  format: "esm",
  platform: "neutral",
  target: "es2022",
  conditions: ["workerd", "worker", "browser"],
  mainFields: ["module", "main"],
  external: ["cloudflare:*"],
  write: false,
  logLevel: "silent",
  legalComments: "none",
};

// One process bundles each input once: the local stack, the test harnesses and the benches build
// the same Workers many times, and the sources do not change while a process runs.
const bundles = new Map<string, Promise<string>>();

function once(key: string, options: BuildOptions): Promise<string> {
  let bundle = bundles.get(key);
  if (!bundle) {
    bundle = build({ ...COMMON, ...options }).then((result) => outputOf(result.outputFiles));
    bundle.catch(() => bundles.delete(key));
    bundles.set(key, bundle);
  }
  return bundle;
}

export function bundleIssuer(
  workloads: readonly Pick<WorkloadConfig, "name" | "entrypoint">[],
  workflows: readonly Pick<WorkflowConfig, "name" | "entrypoint">[] = [],
): Promise<string> {
  return bundleSource(entrypointsModuleSource(workloads, ISSUER_MODULE, workflows), "issuer-entry.ts");
}

export function bundleWorker(entryFile: string): Promise<string> {
  return once(`file:${entryFile}`, { entryPoints: [entryFile] });
}

/** Bundles a generated entry module (`contents`), resolving its imports from the worker folder. */
export function bundleSource(contents: string, sourcefile: string): Promise<string> {
  return once(`source:${sourcefile}:${contents}`, { stdin: { contents, resolveDir: WORKER_ROOT, sourcefile, loader: "ts" } });
}

function outputOf(files: { text: string }[] | undefined): string {
  const file = files?.[0];
  if (!file) throw new Error("esbuild produced no output");
  return file.text;
}
