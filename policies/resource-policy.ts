// Wiring between the pure rules (functions of a resource's plain inputs, and the policy's config,
// returning violation messages) and @pulumi/policy. Nothing here decides anything.

import {
  type PolicyConfigSchema,
  type ReportViolation,
  type ResourceValidation,
  type ResourceValidationArgs,
  validateResourceOfType,
} from "@pulumi/policy";
import { plainInputs } from "./inputs.js";

export type ResourceClass = Parameters<ResourceValidationArgs["isType"]>[0];
/** A resource's inputs as the rules see them (plainProps). */
export type PlainInputs = Readonly<Record<string, unknown>>;

/** The resource's inputs as plain data, unknown values (preview) as UNKNOWN. */
export function plainProps(props: object): Readonly<Record<string, unknown>> {
  return plainInputs(props) as Readonly<Record<string, unknown>>;
}

export function reportAll(messages: readonly string[], reportViolation: ReportViolation): void {
  for (const message of messages) reportViolation(message);
}

/**
 * validateResourceOfType for a pure rule: every message `violations` returns for the resource's
 * plain inputs is reported. `args` is there for rules that read the policy's config.
 */
export function reportViolationsOfType(
  resourceClass: ResourceClass,
  violations: (inputs: PlainInputs, args: ResourceValidationArgs) => readonly string[],
): ResourceValidation {
  return validateResourceOfType(resourceClass, (props, args, reportViolation) => {
    reportAll(violations(plainProps(props), args), reportViolation);
  });
}

/** The same over several resource types (validateResourceOfTypes); the rule also gets the type token. */
export function reportViolationsOfTypes(
  classes: readonly ResourceClass[],
  description: string,
  violations: (type: string, inputs: PlainInputs) => readonly string[],
): ResourceValidation {
  return validateResourceOfTypes(classes, description, (args, reportViolation) => {
    reportAll(violations(args.type, plainProps(args.props)), reportViolation);
  });
}

/**
 * validateResourceOfType for a rule that covers several resource types (IAM grants exist as
 * members, bindings and whole policies, on service accounts and on projects).
 */
export function validateResourceOfTypes(
  classes: readonly ResourceClass[],
  description: string,
  validate: (args: ResourceValidationArgs, reportViolation: ReportViolation) => void,
): ResourceValidation {
  return (args, reportViolation) => {
    if (!classes.some((resourceClass) => args.isType(resourceClass))) {
      args.notApplicable(`Policy only applies to ${description}`);
    }
    validate(args, reportViolation);
  };
}

/** A whole-number setting of a policy's config: its key, bounds and default, and what it bounds. */
export interface IntegerSetting {
  readonly key: string;
  readonly min: number;
  readonly max: number;
  readonly default: number;
  /** The schema's description of the setting. */
  readonly description: string;
}

/** The setting's entry in the policy's configSchema. */
export function integerSchema(setting: IntegerSetting): PolicyConfigSchema["properties"][string] {
  return {
    type: "integer",
    minimum: setting.min,
    maximum: setting.max,
    default: setting.default,
    description: setting.description,
  };
}

/** The setting's whole number in [min, max] from the policy's config, or its default when it is absent. */
export function configInteger(raw: object, setting: IntegerSetting): number {
  const { key, min, max } = setting;
  const value = (raw as Record<string, unknown>)[key];
  if (value === undefined || value === null) return setting.default;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new TypeError(
      `policy config ${key} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}
