// The program's body, callable (tests run it under mocks): validate the whole stack config
// first (a half-valid config creates nothing), bundle the issuer with one entrypoint per
// registered workload, then declare the deployment.

import * as pulumi from "@pulumi/pulumi";
import { bundleIssuer } from "../worker/build/bundle.js";
import { readProgramConfig } from "./config/stack-config.js";
import { WorkerIdentity } from "./worker-identity.js";

export function defineProgram(): WorkerIdentity {
  const program = readProgramConfig();
  return new WorkerIdentity("worker-identity", {
    project: program.project,
    stack: program.stack,
    config: program.config,
    raw: program.raw,
    bundle: pulumi.output(bundleIssuer(program.config.workloads, program.config.workflows)),
  });
}
