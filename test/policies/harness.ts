// Runs policies the way @pulumi/policy's analyzer server does, without the engine: the props go
// through the same unknown-checking proxy, `isType` compares Pulumi type tokens, `notApplicable`
// throws, and the policy's config comes from getConfig. Whatever a policy reports is collected.

import type { ReportViolation, ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import * as policy from "@pulumi/policy";
import { unknownValue } from "@pulumi/pulumi/runtime/rpc.js";
import { policies } from "../../policies/pack.js";

/** What the engine sends for an input it does not know yet (preview). */
export const UNKNOWN_DURING_PREVIEW = unknownValue;

export interface TestResource {
  readonly type: string;
  readonly props: Readonly<Record<string, unknown>>;
}

export const NOT_APPLICABLE = "not applicable";

// Typed loosely by @pulumi/policy (its proxy module's typings are empty).
const unknownCheckingProxy = policy.unknownCheckingProxy as <T extends object>(props: T) => T;

/** A copy of `props` behind the unknown-checking proxy, as the analyzer server hands props to a policy. */
export function proxiedProps(props: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return unknownCheckingProxy(structuredClone(props) as Record<string, unknown>);
}

/** The resource options of a resource declared with none. */
export function noResourceOptions(): ResourceValidationArgs["opts"] {
  return {
    protect: false,
    ignoreChanges: [],
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [],
  };
}

class NotApplicable extends Error {}

type ResourceClass = Parameters<ResourceValidationArgs["isType"]>[0];

function isTypeOf(type: string, resourceClass: ResourceClass): boolean {
  // The analyzer server compares the class's __pulumiType (generated SDKs set it) with the type.
  const token = (resourceClass as unknown as { __pulumiType?: unknown }).__pulumiType;
  return typeof token === "string" && token === type;
}

/** The messages the policy reports on the resource, or NOT_APPLICABLE. */
export async function runPolicy(
  subject: ResourceValidationPolicy,
  resource: TestResource,
  config: object = {},
): Promise<readonly string[] | typeof NOT_APPLICABLE> {
  const messages: string[] = [];
  const report: ReportViolation = (message) => void messages.push(message);
  const validations = subject.validateResource === undefined ? [] : [subject.validateResource].flat();
  let applicable = false;
  for (const validate of validations) {
    const props = proxiedProps(resource.props);
    const args: ResourceValidationArgs = {
      type: resource.type,
      props,
      urn: `urn:pulumi:test::worker-identity::${resource.type}::resource`,
      name: "resource",
      opts: noResourceOptions(),
      stackTags: new Map(),
      isType: (resourceClass) => isTypeOf(resource.type, resourceClass),
      asType: () => undefined,
      getConfig: <T extends object>() => config as T,
      notApplicable: (reason?: string): never => {
        throw new NotApplicable(reason);
      },
    };
    try {
      await validate(args, report);
      applicable = true;
    } catch (error) {
      if (!(error instanceof NotApplicable)) throw error;
    }
  }
  return applicable ? messages : NOT_APPLICABLE;
}

/** Every policy of the pack that reports on the resource, with its messages. */
export async function runPack(
  resource: TestResource,
  config: Readonly<Record<string, object>> = {},
): Promise<Map<string, readonly string[]>> {
  const reported = new Map<string, readonly string[]>();
  for (const each of policies) {
    const outcome = await runPolicy(each, resource, config[each.name] ?? {});
    if (outcome !== NOT_APPLICABLE && outcome.length > 0) reported.set(each.name, outcome);
  }
  return reported;
}

/** The messages, asserting the policy applied to the resource. */
export async function violations(
  subject: ResourceValidationPolicy,
  resource: TestResource,
  config: object = {},
): Promise<readonly string[]> {
  const outcome = await runPolicy(subject, resource, config);
  if (outcome === NOT_APPLICABLE) throw new Error(`${subject.name} did not apply to ${resource.type}`);
  return outcome;
}
