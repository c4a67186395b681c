// The repository's Pulumi.dev.yaml as tests use it: the raw config map, the same map as the
// Pulumi engine hands it to a program (every value as text), and the program run as one
// `pulumi up` against the provider fakes: on a fresh fake cloud, or on the cloud earlier deploys
// left, at a given clock (default DEFAULT_DEPLOY_MS, never the real one).

import { resolve } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { WorkerIdentity } from "../../infra/worker-identity.js";
import { readStackConfigMap } from "../../worker/config-files/stack-file.js";
import type { FakeCloud, Plan } from "./fakes/engine.js";
import { checkEngineConfig } from "./fakes/engine-config.js";
import { settled } from "./fakes/settled.js";
import { installMocks, resolved } from "./pulumi-mocks.js";
import { REPO_ROOT } from "./run-tsx.js";

export const dev = readStackConfigMap(resolve(REPO_ROOT, "Pulumi.dev.yaml"));

export function engineConfig(overrides: Record<string, unknown> = {}, remove: string[] = []): Record<string, string> {
  const all: Record<string, string> = {};
  for (const [key, value] of Object.entries({ ...dev.config, ...overrides })) {
    if (remove.includes(key)) continue;
    all[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return all;
}

export interface DeployOptions {
  /** The cloud earlier deploys left; default a fresh one. */
  readonly cloud?: FakeCloud;
  /** The deploy's clock, ms since the epoch; default DEFAULT_DEPLOY_MS (pulumi-mocks.ts). */
  readonly nowMs?: number;
}

export interface Deployed {
  readonly deployment: WorkerIdentity;
  /** What this `pulumi up` did, refusals included. */
  readonly plan: Plan;
}

/**
 * One `pulumi up`: the engine refuses a config it cannot hand over (EngineRefusal, thrown), then
 * the program runs under the fakes until every resource is declared or a provider refuses one,
 * and the deploy commits. Refusals are in the plan, not thrown.
 */
export async function deployProgram(config: Record<string, string>, options: DeployOptions = {}): Promise<Deployed> {
  checkEngineConfig(config);
  const deploy = installMocks(dev.project, dev.stack, options);
  pulumi.runtime.setAllConfig(config);
  const { defineProgram } = await import("../../infra/program.js");
  // An error of the program itself (a throwing apply) surfaces as an unhandled rejection: fail
  // the deploy with it instead of waiting for outputs that never resolve. After a refusal, the
  // refused resource's dependents reject too; the refusal is the cause.
  let onProgramError: ((reason: unknown) => void) | undefined;
  const programError = new Promise<never>((_, reject) => {
    onProgramError = (reason) => {
      if (deploy.refusals.length === 0) reject(reason);
    };
    process.on("unhandledRejection", onProgramError);
  });
  // Pulumi captures a stack trace for every promise it makes (debuggable.ts), and under tsx each
  // is source-mapped: most of a 500-workload run. Deploys capture none; a refusal's message says it all.
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    // The deploy's clock reaches the program only through this option (the mTLS windows are
    // computed from it); nothing patches Date.now, so a read of the real clock would show.
    const deployment = defineProgram({ nowMs: deploy.nowMs });
    await Promise.race([declaredEverything(deployment), deploy.refused(), programError]);
    // Registrations no awaited output reaches (and those still in flight) end before the plan,
    // or the next plan would read them as deletions.
    await settled(Promise.race([deploy.refused(), programError]));
    return { deployment, plan: deploy.finish() };
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
    process.off("unhandledRejection", onProgramError!);
  }
}

/** Runs the program under the fakes and waits until every resource has been declared; throws what a provider refused. */
export async function runProgram(config: Record<string, string>, options: DeployOptions = {}): Promise<WorkerIdentity> {
  const { deployment, plan } = await deployProgram(config, options);
  if (plan.refusals.length > 0) {
    throw new Error(`the providers refused the deploy:\n  - ${plan.refusals.map((r) => r.message).join("\n  - ")}`);
  }
  return deployment;
}

async function declaredEverything(deployment: WorkerIdentity): Promise<void> {
  await resolved(deployment.issuer.script.scriptName);
  await resolved(deployment.issuer.introspectionSecrets);
  for (const workload of Object.values(deployment.workloads)) {
    await resolved(workload.awsRoleArn);
    await resolved(workload.gcpServiceAccount);
    await resolved(workload.mtls?.certificateId);
  }
  for (const workflow of Object.values(deployment.workflows)) {
    await resolved(workflow.awsRoleArn);
    await resolved(workflow.gcpServiceAccount);
  }
}
