// Small readers and measures the provider fakes share: inputs arrive as the engine deserialized
// them (secrets already unwrapped by the engine), so every reader checks the type it expects.

import type { ProviderLimit } from "../../../worker/config/provider-limits.js";
import type { Properties, RegisterContext, StoredResource } from "./model.js";

/** A string input, or undefined when it is absent. A value of another type is refused. */
export function optionalText(
  context: RegisterContext,
  key: string,
  from: Properties = context.inputs,
): string | undefined {
  const value = from[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string")
    context.refuse(`${key} must be a string, got ${typeof value}`, "the provider's schema (a string attribute)");
  return value;
}

export function requiredText(context: RegisterContext, key: string, from: Properties = context.inputs): string {
  const value = optionalText(context, key, from);
  if (value === undefined || value === "")
    context.refuse(`${key} is required`, "the provider's schema (a required attribute)");
  return value;
}

export function list(context: RegisterContext, key: string, from: Properties = context.inputs): unknown[] {
  const value = from[key];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) context.refuse(`${key} must be a list`, "the provider's schema (a list attribute)");
  return value;
}

export function record(
  context: RegisterContext,
  key: string,
  from: Properties = context.inputs,
): Record<string, unknown> {
  const value = from[key];
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value))
    context.refuse(`${key} must be an object`, "the provider's schema (a map attribute)");
  return value as Record<string, unknown>;
}

export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

/** Characters as IAM counts a policy's size: white space is not counted. */
export function charactersWithoutWhitespace(text: string): number {
  return text.replace(/\s/g, "").length;
}

export function atMost(
  context: RegisterContext,
  what: string,
  size: number,
  limit: ProviderLimit<number>,
  unit: string,
): void {
  if (size > limit.value) context.refuse(`${what} is ${size} ${unit}; at most ${limit.value} allowed`, limit);
}

export function matching(context: RegisterContext, what: string, value: string, limit: ProviderLimit<RegExp>): void {
  if (!limit.value.test(value))
    context.refuse(`${what} ${JSON.stringify(value)} does not match ${limit.value.source}`, limit);
}

export function within(
  context: RegisterContext,
  what: string,
  value: number,
  limit: ProviderLimit<{ readonly min: number; readonly max: number }>,
): void {
  if (!Number.isInteger(value) || value < limit.value.min || value > limit.value.max) {
    context.refuse(`${what} is ${value}; it must be an integer from ${limit.value.min} to ${limit.value.max}`, limit);
  }
}

/**
 * Another live resource of `type` that `same` matches: declared in this deploy under another name,
 * or still in the cloud (Pulumi creates before it deletes, so a renamed or replaced resource's old
 * self still exists when the new one is created). Names that must be unique collide with both.
 */
export function takenElsewhere(
  context: RegisterContext,
  type: string,
  same: (resource: StoredResource) => boolean,
): boolean {
  const declared = context.deploy.declared(type);
  const claimed = context.deploy.claimed(type);
  // The resource's old self (under its name, or the alias it was found by) is gone only when
  // it is not being replaced, or when the replacement deletes it first.
  const self = context.prior?.name ?? context.name;
  const oldSelfRemains = context.replacing && !context.deleteBeforeReplace;
  return (
    declared.some((r) => r.name !== context.name && same(r)) ||
    context.deploy
      .committed(type)
      .some((r) => (r.retained === true || (r.name !== self ? !claimed.has(r.name) : oldSelfRemains)) && same(r))
  );
}
