// The program's body, callable (tests run it under mocks): validate the whole stack config
// first (a half-valid config creates nothing), then declare the deployment, whose issuer bundle
// carries one entrypoint per registered workload and the stack's runtime config
// (worker-identity.ts builds it once the mTLS certificates' thumbprints are known).

import { readProgramConfig } from "./config/stack-config.js";
import { WorkerIdentity } from "./worker-identity.js";

export interface ProgramOptions {
  /** The deploy's clock, ms since the epoch (default now): which mTLS renewal window the certificates are in. */
  readonly nowMs?: number;
}

export function defineProgram(options: ProgramOptions = {}): WorkerIdentity {
  const program = readProgramConfig();
  return new WorkerIdentity("worker-identity", {
    stack: program.stack,
    config: program.config,
    ...(options.nowMs === undefined ? {} : { nowMs: options.nowMs }),
  });
}
