// Workflows in the local stack. The issuer gets one Workflows binding per registered workflow
// (WORKFLOW_<name>, to read instance status), as `pulumi up` gives it; and, unless turned off,
// each script that defines workflows runs as the example workflow Worker (examples/workflow.ts),
// exporting the example class under every className registered for it and bound to the issuer
// through each workflow's own Workflow_<name> entrypoint.

import { resolve } from "node:path";
import type { WorkerOptions } from "miniflare";
import { bundleSource, COMPATIBILITY_DATE, WORKER_ROOT } from "../build/bundle.js";
import type { StackConfig, WorkflowConfig } from "../config/types.js";

type WorkflowsOption = NonNullable<WorkerOptions["workflows"]>;

const EXAMPLE_MODULE = resolve(WORKER_ROOT, "examples/workflow.ts");

/** The Workflows bindings of any Worker that steers or reads `workflows` (issuer and scripts alike). */
export function workflowBindings(workflows: readonly WorkflowConfig[]): WorkflowsOption {
  const bindings: WorkflowsOption = {};
  for (const w of workflows) bindings[w.binding] = { name: w.name, className: w.className, scriptName: w.script };
  return bindings;
}

/** The example module re-exporting its class under each of `classNames`. */
export function exampleWorkflowModuleSource(classNames: readonly string[]): string {
  for (const name of classNames) {
    if (name === "default")
      throw new Error("a Workflow class cannot be named 'default'; rename className in the stack config");
  }
  const names = [...new Set(classNames)].map((name) =>
    name === "ExampleWorkflow" ? name : `ExampleWorkflow as ${name}`,
  );
  return [
    `export { default } from ${JSON.stringify(EXAMPLE_MODULE)};`,
    `export { ${names.join(", ")} } from ${JSON.stringify(EXAMPLE_MODULE)};`,
    "",
  ].join("\n");
}

/** One example Worker per script defining workflows; refuses a script that is also a workload's. */
export async function exampleWorkflowWorkers(config: StackConfig): Promise<WorkerOptions[]> {
  const byScript = new Map<string, WorkflowConfig[]>();
  for (const w of config.workflows) byScript.set(w.script, [...(byScript.get(w.script) ?? []), w]);
  const workers: WorkerOptions[] = [];
  for (const [script, workflows] of byScript) {
    if (config.workloads.some((w) => w.name === script)) {
      throw new Error(
        `the local stack runs an example Worker for workload '${script}' and cannot run the example workflow script ` +
          "under the same name; pass exampleWorkflows: false and supply the script through extraWorkers",
      );
    }
    const source = exampleWorkflowModuleSource(workflows.map((w) => w.className));
    const code = bundleSource(source, "example-workflows.ts"); // memoized per source by bundle.ts
    const serviceBindings: NonNullable<WorkerOptions["serviceBindings"]> = {};
    for (const w of workflows) {
      serviceBindings[`ISSUER_${w.binding.slice("WORKFLOW_".length)}`] = {
        name: config.issuer.scriptName,
        entrypoint: w.entrypoint,
      };
    }
    workers.push({
      name: script,
      modules: [{ type: "ESModule", path: "workflow.js", contents: await code }],
      compatibilityDate: COMPATIBILITY_DATE,
      workflows: workflowBindings(workflows),
      serviceBindings,
      kvNamespaces: { RESULTS: `example-workflow-results-${script}` },
      routes: workflows.map((w) => `*/workflows/${w.name}/*`),
    });
  }
  return workers;
}
