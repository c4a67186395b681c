// Reusable field readers. A reader takes a raw value and its key, returns the typed value, or
// reports why not (with the fix) and returns undefined; it never throws, so one pass finds
// every problem. A section of the config (the top level, a workload, awsSessionTags) is a table
// of named readers, so adding a section or a field is adding a table entry.

import { isPlainObject } from "../options/is-record.js";
import type { IssueCollector } from "./issues.js";
import { elementKey, memberKey } from "./key-path.js";
import { closestName } from "./suggest.js";

/** A map as YAML or JSON produce it (not an array, not a class instance). */
export { isPlainObject };

export type FieldReader<T> = (value: unknown, key: string, issues: IssueCollector) => T | undefined;

export interface FieldSpec<T> {
  readonly read: FieldReader<T>;
  /** Present on required fields: the message (what to add) when the field is missing. */
  readonly required?: string;
  /** The message when the field is written with no value (YAML null), if not the generic one. */
  readonly empty?: string;
}

export type FieldTable = Readonly<Record<string, FieldSpec<unknown>>>;

/** What a table read: each field's typed value, absent when missing or invalid. */
export type FieldValues<T extends FieldTable> = {
  -readonly [K in keyof T]?: T[K] extends FieldSpec<infer V> ? V : never;
};

export interface SectionOptions {
  /** How a known name is described in "is not …": "a worker-identity setting", "a workload field". */
  readonly what: string;
  /** The full key of a field of this section. */
  readonly keyOf: (name: string) => string;
}

/**
 * Reads a section through its table: unknown names (with a suggestion), secrets, empty values
 * and missing required fields are reported here; each present value goes to its reader.
 */
export function readSection<T extends FieldTable>(
  entries: Iterable<readonly [string, unknown]>,
  table: T,
  issues: IssueCollector,
  options: SectionOptions,
): FieldValues<T> {
  const values: Record<string, unknown> = {};
  const present = new Set<string>();
  for (const [name, value] of entries) {
    if (value === undefined) continue;
    const key = options.keyOf(name);
    const spec = Object.hasOwn(table, name) ? table[name] : undefined;
    if (spec === undefined) {
      issues.add(key, unknownNameMessage(name, Object.keys(table), options.what));
      continue;
    }
    present.add(name);
    if (isSecureValue(value)) {
      issues.add(key, SECURE_VALUE_MESSAGE);
    } else if (value === null) {
      issues.add(key, spec.empty ?? "is empty; give it a value or delete the line");
    } else {
      const result = spec.read(value, key, issues);
      if (result !== undefined) values[name] = result;
    }
  }
  for (const [name, spec] of Object.entries(table)) {
    if (!present.has(name) && spec.required !== undefined) issues.add(options.keyOf(name), spec.required);
  }
  return values as FieldValues<T>;
}

export interface MapSectionOptions extends Omit<SectionOptions, "keyOf"> {
  /** The full key of a field of this section; by default the field as a member of the section's key. */
  readonly keyOf?: (name: string) => string;
  /** The shape, completing "must be …", e.g. "a map like {audience: sts.amazonaws.com}". */
  readonly shape: string;
  /** Accept the map's JSON text too (a top-level key, as `pulumi config set` stores a map). */
  readonly jsonText?: boolean;
}

/**
 * A section written as a map (or, with `jsonText`, as its JSON text): each field read through
 * `table`; undefined when the section failed (not a map, or any of its fields has a problem), so a
 * caller never compares issue counts to know whether its own section was valid.
 */
export function readMapSection<T extends FieldTable>(
  value: unknown,
  key: string,
  issues: IssueCollector,
  table: T,
  options: MapSectionOptions,
): FieldValues<T> | undefined {
  const map =
    typeof value === "string" && options.jsonText === true
      ? parseJsonText(value, key, issues, `write it in the stack file as ${options.shape}`)
      : value;
  if (map === undefined) return undefined;
  if (!isPlainObject(map)) {
    issues.add(key, `is ${Array.isArray(map) ? "a list" : describeValue(map)}, but must be ${options.shape}`);
    return undefined;
  }
  const keyOf = options.keyOf ?? ((name: string) => memberKey(key, name));
  return issues.checked(() => readSection(Object.entries(map), table, issues, { ...options, keyOf }));
}

/** What JSON text stands for, or undefined after reporting why it is not JSON, and `fix`. */
export function parseJsonText(text: string, key: string, issues: IssueCollector, fix: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    issues.add(key, `is a string that is not valid JSON (${reason}); ${fix}`);
    return undefined;
  }
}

function unknownNameMessage(name: string, known: readonly string[], what: string): string {
  const suggestion = closestName(name, known);
  if (suggestion !== undefined) return `is not ${what}; did you mean '${suggestion}'? Rename the key.`;
  return `is not ${what}; remove it (known: ${known.join(", ")})`;
}

// ---- values -----------------------------------------------------------------------------
export const SECURE_VALUE_MESSAGE =
  "is an encrypted secret (secure:), but this setting is not secret and the issuer reads it in plain text; " +
  "set it as plain config (pulumi config set without --secret)";

/** `{ secure: "v1:…" }`: how Pulumi stores a value set with `pulumi config set --secret`. */
export function isSecureValue(value: unknown): boolean {
  return isPlainObject(value) && Object.keys(value).length === 1 && typeof value.secure === "string";
}

const MAX_SHOWN_VALUE_LENGTH = 60;

/** A received value as shown in a message: JSON, cut short. */
export function describeValue(value: unknown): string {
  let shown: string;
  try {
    shown = JSON.stringify(value) ?? String(value);
  } catch {
    shown = String(value);
  }
  return shown.length > MAX_SHOWN_VALUE_LENGTH ? `${shown.slice(0, MAX_SHOWN_VALUE_LENGTH - 1)}…` : shown;
}

/** Length in Unicode characters (code points), as AWS and humans count them. */
export function characterCount(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

const utf8 = new TextEncoder();

/** Length in UTF-8 bytes (no Buffer: this runs in workerd). */
export function utf8Length(text: string): number {
  return utf8.encode(text).length;
}

// ---- readers ----------------------------------------------------------------------------
/** A string; `expected` completes "must be …" (e.g. "a DNS hostname such as id.example.com"). */
export interface DistinctStrings {
  /** What each element must be, for readString's message. */
  readonly expected: string;
  /** What is wrong with a string element, or undefined when nothing is. */
  readonly problem?: (text: string) => string | undefined;
  /** The message for an element equal to an earlier one, at index `first`. */
  readonly repeated: (text: string, first: number) => string;
}

/**
 * The distinct strings of a list, in order: each element is read as a string, checked, and
 * refused when it repeats an earlier one (each problem keyed at its element).
 */
export function readDistinctStrings(
  list: readonly unknown[],
  key: string,
  issues: IssueCollector,
  rule: DistinctStrings,
): string[] {
  const firstIndex = new Map<string, number>();
  list.forEach((element: unknown, index) => {
    const path = elementKey(key, index);
    const text = readString(element, path, issues, rule.expected);
    if (text === undefined) return;
    const problem = rule.problem?.(text);
    const first = firstIndex.get(text);
    if (problem !== undefined) issues.add(path, problem);
    else if (first !== undefined) issues.add(path, rule.repeated(text, first));
    else firstIndex.set(text, index);
  });
  return [...firstIndex.keys()];
}

export function readString(value: unknown, key: string, issues: IssueCollector, expected: string): string | undefined {
  if (typeof value === "string") return value;
  if (isSecureValue(value)) {
    issues.add(key, SECURE_VALUE_MESSAGE);
  } else if (typeof value === "number" || typeof value === "boolean") {
    issues.add(
      key,
      `is the ${typeof value} ${describeValue(value)}, but must be ${expected}; quote it in the stack file`,
    );
  } else {
    issues.add(key, `is ${describeValue(value)}, but must be ${expected}`);
  }
  return undefined;
}

/**
 * A reader of a string (`expected`, as readString says it) that must match `pattern`; `problem`
 * is the issue of one that does not.
 */
export function patternString(
  expected: string,
  pattern: RegExp,
  problem: (text: string) => string,
): FieldReader<string> {
  return (value, key, issues) => {
    const text = readString(value, key, issues, expected);
    if (text === undefined || pattern.test(text)) return text;
    issues.add(key, problem(text));
    return undefined;
  };
}

export interface IntegerRule {
  readonly min: number;
  readonly max: number;
  /** "days", "seconds". */
  readonly unit: string;
  /** The fix, e.g. "set it to 30 for monthly rotation". */
  readonly fix: string;
}

const INTEGER_TEXT = /^-?\d+$/;

/** A safe integer, given as a number or as its decimal text (`pulumi config set` stores strings); else undefined. */
export function integerValue(value: unknown): number | undefined {
  const number =
    typeof value === "number"
      ? value
      : typeof value === "string" && INTEGER_TEXT.test(value)
        ? Number(value)
        : Number.NaN;
  return Number.isSafeInteger(number) ? number : undefined;
}

/** An integer within the rule's bounds; `"30"` counts, as `pulumi config set` stores strings. */
export function readInteger(
  value: unknown,
  key: string,
  issues: IssueCollector,
  rule: IntegerRule,
): number | undefined {
  const number = integerValue(value);
  if (number !== undefined && number >= rule.min && number <= rule.max) return number;
  const shown = isSecureValue(value) ? "an encrypted secret" : describeValue(value);
  issues.add(
    key,
    `is ${shown}, but must be an integer number of ${rule.unit} between ${rule.min} and ${rule.max}; ${rule.fix}`,
  );
  return undefined;
}

/** A table entry for an optional integer field. */
export function integerField(rule: IntegerRule): FieldSpec<number> {
  return { read: (value, key, issues) => readInteger(value, key, issues, rule) };
}
