// For the fakes' own tests: declare resources on a fake deploy directly, as the Pulumi mocks do.

import { FakeCloud, type FakeDeploy } from "./engine.js";
import { NO_OPTIONS, type Properties, type RegisteredOptions } from "./model.js";

export const NOW = Date.UTC(2027, 0, 1);

export function freshDeploy(cloud: FakeCloud = new FakeCloud(), nowMs: number = NOW): FakeDeploy {
  return cloud.begin(nowMs);
}

/** The URN a hand-declared resource is registered under (what `declareAfter` names). */
const urnOf = (type: string, name: string) => `urn:pulumi:test::fakes::${type}::${name}`;

export function declare(deploy: FakeDeploy, type: string, name: string, inputs: Properties): Properties {
  return declareAfter(deploy, type, name, inputs, []);
}

/** Declares a resource that waits for `after` (earlier hand-declared resources), as its inputs or dependsOn would make it. */
export function declareAfter(
  deploy: FakeDeploy,
  type: string,
  name: string,
  inputs: Properties,
  after: readonly { readonly type: string; readonly name: string }[],
): Properties {
  const dependencies = after.map((r) => urnOf(r.type, r.name));
  deploy.dependencies(type, name, dependencies);
  const state = deploy.register({ type, name, inputs, custom: true }).state;
  deploy.registered({ type, name, urn: urnOf(type, name), parent: "", dependencies });
  return state;
}

/** Declares with resource options, as the mock monitor hands them over before registering. */
export function declareWith(
  deploy: FakeDeploy,
  type: string,
  name: string,
  inputs: Properties,
  options: Partial<RegisteredOptions>,
): Properties {
  deploy.options(type, name, { ...NO_OPTIONS, ...options });
  return declare(deploy, type, name, inputs);
}
