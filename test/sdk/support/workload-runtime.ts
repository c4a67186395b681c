// The SDK's workerd tests run a workload Worker beside one Worker of stand-in services: its
// bindings (the issuer, a native token binding) are entrypoints of that Worker, and it is also the
// workload's outbound fetch (STS, Google). Further Workers (a caller) may sit in front.

import { resolve } from "node:path";
import type { Readable } from "node:stream";
import { Miniflare, type WorkerOptions } from "miniflare";
import { bundleWorker, COMPATIBILITY_DATE } from "../../../worker/build/bundle.js";

/** A test Worker of test/fixtures/workers, bundled. */
export const fixtureWorker = (name: string) =>
  bundleWorker(resolve(import.meta.dirname, `../../fixtures/workers/${name}.ts`));

export interface WorkloadRuntime {
  /** The workload's module source. */
  readonly workload: string;
  /** The stand-in services' module source. */
  readonly services: string;
  /** The workload's bindings, each an entrypoint of the services Worker. */
  readonly entrypoints: Readonly<Record<string, string>>;
  /** Workers before the workload (each listed first, so the first is the default). */
  readonly front?: readonly WorkerOptions[];
}

export async function workloadRuntime(runtime: WorkloadRuntime): Promise<Miniflare> {
  const serviceBindings = Object.fromEntries(
    Object.entries(runtime.entrypoints).map(([binding, entrypoint]) => [binding, { name: "services", entrypoint }]),
  );
  const mf = new Miniflare({
    workers: [
      ...(runtime.front ?? []),
      {
        name: "workload",
        modules: [{ type: "ESModule", path: "workload.js", contents: runtime.workload }],
        compatibilityDate: COMPATIBILITY_DATE,
        serviceBindings,
        outboundService: "services",
      },
      {
        name: "services",
        modules: [{ type: "ESModule", path: "services.js", contents: runtime.services }],
        compatibilityDate: COMPATIBILITY_DATE,
      },
    ],
    handleRuntimeStdio: (stdout: Readable, stderr: Readable) => (stdout.resume(), stderr.resume()),
  });
  await mf.ready;
  return mf;
}
