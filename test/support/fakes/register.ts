// For the fakes' own tests: declare resources on a fake deploy directly, as the Pulumi mocks do.

import { FakeCloud, type FakeDeploy } from "./engine.js";
import { NO_OPTIONS, type Properties, type RegisteredOptions } from "./model.js";

export const NOW = Date.UTC(2027, 0, 1);

export function freshDeploy(cloud: FakeCloud = new FakeCloud(), nowMs: number = NOW): FakeDeploy {
  return cloud.begin(nowMs);
}

export function declare(deploy: FakeDeploy, type: string, name: string, inputs: Properties): Properties {
  return deploy.register({ type, name, inputs, custom: true }).state;
}

/** Declares with resource options, as the mock monitor hands them over before registering. */
export function declareWith(deploy: FakeDeploy, type: string, name: string, inputs: Properties, options: Partial<RegisteredOptions>): Properties {
  deploy.options(type, name, { ...NO_OPTIONS, ...options });
  return declare(deploy, type, name, inputs);
}
