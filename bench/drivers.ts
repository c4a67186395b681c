// Driver Workers, bundled once per run, and the WorkerOptions that place them beside the issuer.

import { resolve } from "node:path";
import type { WorkerOptions } from "miniflare";
import { bundleWorker, COMPATIBILITY_DATE } from "../worker/build/bundle.js";
import type { BenchStackContext } from "./stack.js";

export interface DriverSpec {
  /** Worker name. */
  readonly name: string;
  /** Source file under bench/workers/. */
  readonly source: string;
  /** Routes (e.g. "*\/bench/*") through which dispatchFetch reaches it. */
  readonly routes: readonly string[];
  readonly bindings?: Readonly<Record<string, string>>;
  readonly serviceBindings?: WorkerOptions["serviceBindings"];
}

export async function driver(spec: DriverSpec): Promise<WorkerOptions> {
  const code = await bundleWorker(resolve(import.meta.dirname, "workers", spec.source));
  return {
    name: spec.name,
    modules: [{ type: "ESModule", path: `${spec.name}.js`, contents: code }],
    compatibilityDate: COMPATIBILITY_DATE,
    bindings: { ...spec.bindings },
    serviceBindings: spec.serviceBindings,
    routes: [...spec.routes],
  };
}

/** Bindings every driver standing for the first workload gets: its audience and the issuer. */
export function workloadBindings(context: BenchStackContext): {
  readonly bindings: Readonly<Record<string, string>>;
  readonly serviceBindings: Record<string, { name: string; entrypoint: string }>;
} {
  return {
    bindings: { AUDIENCE: context.workload.audiences[0]!, ISSUER_URL: context.issuerUrl },
    serviceBindings: { ISSUER: { ...context.issuerBinding } },
  };
}
