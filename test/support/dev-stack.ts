// The repository's Pulumi.dev.yaml as tests use it: the raw config map, the same map as the
// Pulumi engine hands it to a program (every value as text), and the program run under mocks.

import { resolve } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { readStackConfigMap } from "../../worker/config/stack-file.js";
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

/** Runs the program under mocks and waits until every resource has been declared. */
export async function runProgram(config: Record<string, string>) {
  installMocks(dev.project, dev.stack);
  pulumi.runtime.setAllConfig(config);
  const { defineProgram } = await import("../../infra/program.js");
  const deployment = defineProgram();
  await resolved(deployment.issuer.script.scriptName);
  for (const workload of Object.values(deployment.workloads)) {
    await resolved(workload.awsRoleArn);
    await resolved(workload.gcpServiceAccount);
  }
  await new Promise((r) => setTimeout(r, 50));
  return deployment;
}
