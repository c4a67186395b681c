// The mock resource monitor the fakes run under: Pulumi's own MockMonitor, which hands a mocks'
// `newResource` the type, name and inputs of each RegisterResourceRequest but none of its options,
// extended to hand the deploy the options the engine would act on (protect, retainOnDelete,
// replaceOnChanges, deleteBeforeReplace, aliases) before the resource is registered, and each
// registration's URN, parent and dependencies (the order the engine would create in) after; the
// dependencies also before, so a provider fake can refuse what a missing wait breaks.

import { createRequire } from "node:module";
import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks.js";
import { setMockOptions } from "@pulumi/pulumi/runtime/settings.js";
import type { RegisteredOptions } from "./model.js";

/** What the fake engine reads of a RegisterResourceRequest (resource_pb.d.ts). */
interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getDependenciesList(): string[];
  getProtect(): boolean | undefined;
  getRetainondelete(): boolean | undefined;
  getReplaceonchangesList(): string[];
  getDeletebeforereplace(): boolean;
  getAliasesList(): { getUrn(): string; getSpec(): { getName(): string; getType(): string } | undefined }[];
}

/** A registration the monitor answered: components included. */
export interface Registration {
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  /** The parent's URN ("" for none). */
  readonly parent: string;
  /** URNs the resource waits for (its inputs' resources and dependsOn). */
  readonly dependencies: readonly string[];
}

export interface OptionsSink {
  options(type: string, name: string, options: RegisteredOptions): void;
  /** The URNs the resource waits for, handed over before it is registered (a provider may check them). */
  dependencies(type: string, name: string, urns: readonly string[]): void;
  registered(registration: Registration): void;
}

/** The options of one request: an alias is `type::name` (its type defaults to the resource's). */
function registeredOptions(req: RegisterRequest): RegisteredOptions {
  const type = req.getType();
  const aliases = req.getAliasesList().map((alias) => {
    const spec = alias.getSpec();
    if (spec === undefined) {
      // An alias given as a URN: urn:pulumi:<stack>::<project>::<qualified type>::<name>.
      const [, , qualified = "", name = ""] = alias.getUrn().split("::");
      return { type: qualified.split("$").pop() ?? "", name };
    }
    return { type: spec.getType() === "" ? type : spec.getType(), name: spec.getName() };
  });
  return {
    protect: req.getProtect() === true,
    retainOnDelete: req.getRetainondelete() === true,
    replaceOnChanges: req.getReplaceonchangesList(),
    deleteBeforeReplace: req.getDeletebeforereplace(),
    aliases,
  };
}

class OptionsMonitor extends MockMonitor {
  readonly #sink: OptionsSink;

  constructor(mocks: pulumi.runtime.Mocks, sink: OptionsSink) {
    super(mocks);
    this.#sink = sink;
  }

  override registerResource(
    req: RegisterRequest,
    callback: (err: unknown, response: { getUrn(): string } | undefined) => void,
  ): Promise<void> {
    this.#sink.options(req.getType(), req.getName(), registeredOptions(req));
    this.#sink.dependencies(req.getType(), req.getName(), req.getDependenciesList());
    return super.registerResource(req, (err: unknown, response: { getUrn(): string } | undefined) => {
      if (response !== undefined) {
        this.#sink.registered({
          type: req.getType(),
          name: req.getName(),
          urn: response.getUrn(),
          parent: req.getParent(),
          dependencies: req.getDependenciesList(),
        });
      }
      callback(err, response);
    });
  }
}

/** The runtime's store, where setMocks records which monitor features the SDK may use. */
const state = createRequire(import.meta.url)("@pulumi/pulumi/runtime/state.js") as {
  getStore(): Record<string, unknown>;
};

/**
 * pulumi.runtime.setMocks with the options-forwarding monitor: setMocks sets the feature flags
 * mocks run with (alias specs, secrets, resource references), setMockOptions installs the monitor
 * but resets those flags, so they are put back as setMocks left them.
 */
export function setFakeMocks(mocks: pulumi.runtime.Mocks, sink: OptionsSink, project: string, stack: string): void {
  void pulumi.runtime.setMocks(mocks, project, stack, false);
  const store = state.getStore();
  const flags = Object.entries(store).filter(([key]) => key.startsWith("supports"));
  setMockOptions(new OptionsMonitor(mocks, sink), project, stack, false);
  for (const [key, value] of flags) store[key] = value;
}
