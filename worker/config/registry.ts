// What the two registries, workloads (workloads.ts) and workflows (workflows.ts), share: reading
// a map from name to settings through a field table, the token-lifetime fields, and resolving
// those lifetimes against the issuer's.

import {
  describeValue,
  type FieldTable,
  type FieldValues,
  integerField,
  isPlainObject,
  parseJsonText,
  readSection,
} from "./fields.js";
import type { IssueCollector } from "./issues.js";
import { memberKey } from "./key-path.js";
import {
  DEFAULT_TOKEN_LIFETIME_SECONDS,
  MAX_TOKEN_LIFETIME_CAP_SECONDS,
  MIN_TOKEN_LIFETIME_SECONDS,
} from "./limits.js";
import type { TokenSettings } from "./types.js";

/** The lifetime fields of an entry's table; both default to the issuer's settings. */
export const LIFETIME_FIELDS = {
  tokenLifetimeSeconds: integerField({
    min: MIN_TOKEN_LIFETIME_SECONDS,
    max: MAX_TOKEN_LIFETIME_CAP_SECONDS,
    unit: "seconds",
    fix: "set it to 300 (5 minutes), or remove it to use the issuer's tokenLifetimeSeconds",
  }),
  maxTokenLifetimeSeconds: integerField({
    min: MIN_TOKEN_LIFETIME_SECONDS,
    max: MAX_TOKEN_LIFETIME_CAP_SECONDS,
    unit: "seconds",
    fix: "set it to 900 (15 minutes), or remove it to use the issuer's maxTokenLifetimeSeconds",
  }),
} as const;

/** An entry as read from its own settings, before anything that depends on the issuer. */
export interface RegistryEntry<T extends FieldTable> {
  readonly name: string;
  readonly key: string;
  readonly fields: FieldValues<T>;
  /** The fields written, valid or not: a cloud section is checked against the stack even when invalid. */
  readonly written: ReadonlySet<string>;
}

export interface RegistryOptions {
  /** What an entry is, in messages: "workload", "workflow". */
  readonly noun: string;
  /** Why a name cannot be an entry's (with the fix), or undefined when it can. */
  readonly nameProblem: (name: string) => string | undefined;
  /** The fix when the value is text that is not JSON. */
  readonly jsonFix: string;
  /** Completes "must be …" when the value is not a map. */
  readonly mapShape: string;
  /** An example entry's settings, for "must be the <noun>'s settings, e.g. …". */
  readonly settingsExample: string;
  /** The message when the map has no entries; without it an empty map is valid. */
  readonly empty?: string;
}

/**
 * A registry key: a map from name to settings (or its JSON text, as `pulumi config set` stores
 * it), each entry's settings read through `table`. Entries with an invalid name are left out.
 */
export function readRegistry<T extends FieldTable>(
  value: unknown,
  key: string,
  issues: IssueCollector,
  table: T,
  options: RegistryOptions,
): RegistryEntry<T>[] | undefined {
  const map = typeof value === "string" ? parseJsonText(value, key, issues, options.jsonFix) : value;
  if (map === undefined) return undefined;
  if (!isPlainObject(map)) {
    issues.add(key, `is ${Array.isArray(map) ? "a list" : describeValue(map)}, but must be ${options.mapShape}`);
    return undefined;
  }
  if (options.empty !== undefined && Object.keys(map).length === 0) {
    issues.add(key, options.empty);
    return undefined;
  }
  const entries: RegistryEntry<T>[] = [];
  for (const [name, settings] of Object.entries(map)) {
    const entryKey = memberKey(key, name);
    const nameProblem = options.nameProblem(name);
    if (nameProblem !== undefined) issues.add(entryKey, nameProblem);
    if (!isPlainObject(settings)) {
      issues.add(
        entryKey,
        `is ${describeValue(settings)}, but must be the ${options.noun}'s settings, ` +
          `e.g. ${options.settingsExample}`,
      );
      continue;
    }
    const fields = readSection(Object.entries(settings), table, issues, {
      what: `a ${options.noun} field (${Object.keys(table).join(", ")})`,
      keyOf: (field) => memberKey(entryKey, field),
    });
    const written = new Set(Object.keys(settings).filter((field) => settings[field] !== undefined));
    if (nameProblem === undefined) entries.push({ name, key: entryKey, fields, written });
  }
  return entries;
}

/** The entries sorted by name (code-unit order, as the resolved config lists them). */
export function sortedByName<T extends { readonly name: string }>(entries: readonly T[]): T[] {
  return [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The issuer's lifetime settings; undefined when invalid (already reported). */
export interface IssuerLifetimes {
  readonly tokenLifetimeSeconds: number | undefined;
  readonly maxTokenLifetimeSeconds: number | undefined;
}

export type Lifetimes = Pick<TokenSettings, "tokenLifetimeSeconds" | "maxTokenLifetimeSeconds">;

/**
 * An entry's lifetimes, defaulted from the issuer's and checked against its cap; undefined after
 * reporting one that is too long. `whoseMax` names the cap a token lifetime exceeds, given
 * whether the entry wrote its own maxTokenLifetimeSeconds.
 */
export function resolveLifetimes(
  key: string,
  fields: { readonly tokenLifetimeSeconds?: number; readonly maxTokenLifetimeSeconds?: number },
  issuer: IssuerLifetimes,
  whoseMax: (written: boolean) => string,
  issues: IssueCollector,
): Lifetimes | undefined {
  const issuerMax = issuer.maxTokenLifetimeSeconds;
  const max = fields.maxTokenLifetimeSeconds ?? issuerMax ?? MAX_TOKEN_LIFETIME_CAP_SECONDS;
  if (issuerMax !== undefined && max > issuerMax) {
    issues.add(
      memberKey(key, "maxTokenLifetimeSeconds"),
      `is ${max}, above the issuer's maxTokenLifetimeSeconds ` +
        `(${issuerMax}); lower it to at most ${issuerMax}, or raise the issuer's maxTokenLifetimeSeconds`,
    );
    return undefined;
  }
  const token =
    fields.tokenLifetimeSeconds ?? Math.min(issuer.tokenLifetimeSeconds ?? DEFAULT_TOKEN_LIFETIME_SECONDS, max);
  if (token > max) {
    const whose = whoseMax(fields.maxTokenLifetimeSeconds !== undefined);
    issues.add(
      memberKey(key, "tokenLifetimeSeconds"),
      `is ${token}, above ${whose} (${max}); ` + `lower it to at most ${max}, or raise maxTokenLifetimeSeconds`,
    );
    return undefined;
  }
  return { tokenLifetimeSeconds: token, maxTokenLifetimeSeconds: max };
}
