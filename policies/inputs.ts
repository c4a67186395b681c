// The resource inputs a policy sees, as plain data. During `pulumi preview` some inputs are not
// known yet (an ARN the provider has not assigned); @pulumi/policy hands policies a proxy that
// throws when such a value is read. Rules never read the proxy: they get a plain copy in which
// every unknown value is UNKNOWN, and skip whatever depends on one instead of reporting it.

import * as policy from "@pulumi/policy";
import { unknownValue } from "@pulumi/pulumi/runtime/rpc.js";

export { isRecord } from "../worker/options/is-record.js";

/** A value the engine does not know yet (preview). */
export const UNKNOWN: unique symbol = Symbol("unknown during preview");
export type Unknown = typeof UNKNOWN;

// @pulumi/policy exports the class at runtime, but its typings leave the module out (internal).
const UnknownValueError = policy.UnknownValueError as new (...args: never[]) => Error;

/** A deep plain copy of `value`, with every unknown value replaced by UNKNOWN. */
export function plainInputs(value: unknown): unknown {
  if (value === unknownValue) return UNKNOWN;
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return Array.from({ length: value.length }, (_, index) => readField(value, index));
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) copy[key] = readField(value, key);
  return copy;
}

function readField(container: object, key: string | number): unknown {
  let field: unknown;
  try {
    field = (container as Readonly<Record<string | number, unknown>>)[key];
  } catch (error) {
    if (error instanceof UnknownValueError) return UNKNOWN;
    throw error;
  }
  return plainInputs(field);
}

export function isUnknown(value: unknown): value is Unknown {
  return value === UNKNOWN;
}

/** Whether any part of a plain value is unknown. */
export function containsUnknown(value: unknown): boolean {
  if (value === UNKNOWN) return true;
  if (typeof value !== "object" || value === null) return false;
  return Object.values(value).some(containsUnknown);
}

/** IAM documents allow one value or a list wherever a list is meant. */
export function listOf(value: unknown): readonly unknown[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
