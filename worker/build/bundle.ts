// Bundles Worker code with esbuild for workerd: one ES module, `cloudflare:*` left external.
// The issuer bundle depends on the stack (its generated per-workload entrypoints, and its runtime
// config as the bundle's first line: worker/runtime-config/embedding.ts), so it is built per
// stack, by the local stack, `npm run build`, the tests and the Pulumi program alike.

import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type BuildOptions, build, type StdinOptions } from "esbuild";
import type { WorkflowConfig, WorkloadConfig } from "../config/types.js";
import { runtimeConfigBanner } from "../runtime-config/embedding.js";
import type { RuntimeConfig } from "../runtime-config/types.js";
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
  // The packages' TypeScript sources (their exports map's "@worker-identity/source"), not their dist.
  conditions: ["@worker-identity/source", "workerd", "worker", "browser"],
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

/** The registered identities the issuer bundle exports one entrypoint class each for. */
export interface IssuerRegistry {
  readonly workloads: readonly Pick<WorkloadConfig, "name" | "entrypoint">[];
  readonly workflows: readonly Pick<WorkflowConfig, "name" | "entrypoint">[];
}

/** The issuer bundle of a stack: `registry`'s entrypoints, and `runtime` (runtime-config/compute.ts) built in. */
export function bundleIssuer(registry: IssuerRegistry, runtime: RuntimeConfig): Promise<string> {
  return bundleIssuerEmbedding(registry, JSON.stringify(runtime));
}

/**
 * The issuer bundle with `documentText` where the runtime config goes, or none at all when it is
 * undefined: what a broken build produces, for the tests of the Worker's refusal.
 */
export function bundleIssuerEmbedding(registry: IssuerRegistry, documentText: string | undefined): Promise<string> {
  const contents = entrypointsModuleSource(registry.workloads, ISSUER_MODULE, registry.workflows);
  const banner = documentText === undefined ? {} : { banner: { js: runtimeConfigBanner(documentText) } };
  return once(`issuer:${documentText ?? ""}:${contents}`, { ...banner, stdin: issuerEntry(contents) });
}

/** The source files (relative to the working directory) the issuer bundle is made of, and the bytes each adds to it. */
export async function issuerBundleInputs(registry: IssuerRegistry): Promise<Readonly<Record<string, number>>> {
  const contents = entrypointsModuleSource(registry.workloads, ISSUER_MODULE, registry.workflows);
  const result = await build({ ...COMMON, metafile: true, stdin: issuerEntry(contents) });
  const output = Object.values(result.metafile?.outputs ?? {})[0];
  if (!output) throw new Error("esbuild produced no output");
  return Object.fromEntries(Object.entries(output.inputs).map(([path, input]) => [path, input.bytesInOutput]));
}

function issuerEntry(contents: string): StdinOptions {
  return { contents, resolveDir: WORKER_ROOT, sourcefile: "issuer-entry.ts", loader: "ts" };
}

export function bundleWorker(entryFile: string): Promise<string> {
  return once(`file:${entryFile}`, { entryPoints: [entryFile] });
}

/** Bundles a generated entry module (`contents`), resolving its imports from the worker folder. */
export function bundleSource(contents: string, sourcefile: string): Promise<string> {
  return once(`source:${sourcefile}:${contents}`, {
    stdin: { contents, resolveDir: WORKER_ROOT, sourcefile, loader: "ts" },
  });
}

function outputOf(files: { text: string }[] | undefined): string {
  const file = files?.[0];
  if (!file) throw new Error("esbuild produced no output");
  return file.text;
}
