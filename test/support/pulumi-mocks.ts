// The Pulumi mocks every program test runs under: a façade over the provider-faithful fakes
// (fakes/), which refuse what the real providers refuse and keep state from one deploy to the
// next, and act on the resource options the program registers. `installMocks` starts a deploy (on a fresh fake cloud unless one is given); `recorded`
// lists what the program declared in it, with its inputs as the providers received them.

import * as pulumi from "@pulumi/pulumi";
import { FakeCloud, type FakeDeploy } from "./fakes/engine.js";
import { setFakeMocks } from "./fakes/monitor.js";
import { unwrapSecrets } from "./fakes/properties.js";

export interface RecordedResource {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, unknown>;
}

export const recorded: RecordedResource[] = [];

/**
 * The clock of a deploy that names none (ms since the epoch), so no program test reads the real
 * clock: 2023-03-24T06:00Z, the deploy sequences' T0. Day 19,440 = 4 × lcm(9, 20, 243) opens a
 * renewal window of each dev-stack certificate (billing renews every 9 days, edge-api every 20,
 * the CA every 243), so a deploy at it, or in the few days after, straddles no renewal boundary.
 */
export const DEFAULT_DEPLOY_MS = Date.UTC(2023, 2, 24, 6);

export interface MockOptions {
  /** The cloud earlier deploys left; default a fresh one. */
  readonly cloud?: FakeCloud;
  /** The deploy's clock (ms); default DEFAULT_DEPLOY_MS. */
  readonly nowMs?: number;
}

/** Installs the fakes for one deploy of `project`/`stack` and returns it (`finish()` yields its plan). */
export function installMocks(project: string, stack: string, options: MockOptions = {}): FakeDeploy {
  recorded.length = 0;
  const deploy = (options.cloud ?? new FakeCloud()).begin(options.nowMs ?? DEFAULT_DEPLOY_MS);
  setFakeMocks(
    {
      newResource(args) {
        const result = deploy.register(args);
        recorded.push({
          type: args.type,
          name: args.name,
          inputs: unwrapSecrets(args.inputs) as Record<string, unknown>,
        });
        return result;
      },
      call(args) {
        return deploy.call(args);
      },
    },
    deploy,
    project,
    stack,
  );
  return deploy;
}

/** Resolves an Output (or plain value) in a test. */
export function resolved<T>(value: pulumi.Input<T> | undefined): Promise<T | undefined> {
  return new Promise((resolve) => pulumi.output(value).apply((v) => resolve(v as T | undefined)));
}

export function ofType(type: string): RecordedResource[] {
  return recorded.filter((r) => r.type === type);
}
