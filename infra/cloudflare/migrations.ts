// The issuer script's Durable Object migrations as data: the ordered history of tagged steps this
// program has ever shipped, and the one pure decision of what to send on an upload. Cloudflare
// refuses an upload whose migrations do not start at the script's current tag ("Migration tag
// precondition failed", code 10079) and the provider sends the configured migrations on every
// upload, so the program reads the deployed tag (getWorkersScripts) and sends only what is
// pending: nothing once the script is current, as wrangler does.

import type { types } from "@pulumi/cloudflare";
import { ProgramError } from "../program-error.js";
import { KEY_STORE_CLASS } from "./issuer-bindings.js";

type WorkersScriptMigrations = types.input.WorkersScriptMigrations;

/** One tagged migration: the classes it creates (SQLite-backed or not), deletes or renames. */
export interface Migration {
  readonly tag: string;
  readonly newSqliteClasses?: readonly string[];
  readonly newClasses?: readonly string[];
  readonly deletedClasses?: readonly string[];
  readonly renamedClasses?: readonly { readonly from: string; readonly to: string }[];
}

/**
 * Every migration the issuer script has had, oldest first. Append only: a deployed script's tag
 * must stay in this list, and a step never changes once shipped.
 */
export const ISSUER_MIGRATIONS: readonly Migration[] = Object.freeze([
  { tag: "v1", newSqliteClasses: [KEY_STORE_CLASS] },
]);

export class MigrationTagError extends ProgramError {
  readonly code = "ERR_MIGRATION_TAG";
}

/**
 * The `migrations` input for an upload to a script whose current tag is `currentTag` (undefined or
 * "" for a script that does not exist yet or has none): undefined when the script is current; the
 * pending migration with `oldTag` = the current tag; or, with several pending, all of them as `steps`.
 */
export function migrationsFor(
  currentTag: string | undefined,
  history: readonly Migration[] = ISSUER_MIGRATIONS,
): WorkersScriptMigrations | undefined {
  const tags = history.map((m) => m.tag);
  if (tags.length === 0 || tags.some((tag, i) => tag === "" || tags.indexOf(tag) !== i)) {
    throw new TypeError(`migrationsFor: the history's tags must be non-empty and unique, got ${JSON.stringify(tags)}`);
  }
  const current = currentTag === undefined || currentTag === "" ? undefined : currentTag;
  const applied = current === undefined ? 0 : tags.indexOf(current) + 1;
  if (current !== undefined && applied === 0) {
    throw new MigrationTagError(
      `the deployed issuer script has Durable Object migration tag '${current}', which this program never wrote ` +
        `(its migrations: ${tags.join(", ")}). The script was migrated by another version of worker-identity or outside ` +
        `Pulumi: deploy with the version that wrote '${current}', or add its migration to infra/cloudflare/migrations.ts`,
    );
  }
  const pending = history.slice(applied);
  const last = pending.at(-1);
  if (last === undefined) return undefined;
  const from = current === undefined ? {} : { oldTag: current };
  if (pending.length === 1) return { ...from, newTag: last.tag, ...classChanges(last) };
  return { ...from, newTag: last.tag, steps: pending.map(classChanges) };
}

/** The migration tag of `scriptName` among an account's scripts (getWorkersScripts results); undefined when absent or untagged. */
export function deployedMigrationTag(
  scripts: readonly { readonly id: string; readonly migrationTag?: string | null }[],
  scriptName: string,
): string | undefined {
  const tag = scripts.find((script) => script.id === scriptName)?.migrationTag;
  return tag === null || tag === "" ? undefined : tag;
}

function classChanges(migration: Migration): Omit<WorkersScriptMigrations, "oldTag" | "newTag" | "steps"> {
  return {
    ...(migration.newSqliteClasses ? { newSqliteClasses: [...migration.newSqliteClasses] } : {}),
    ...(migration.newClasses ? { newClasses: [...migration.newClasses] } : {}),
    ...(migration.deletedClasses ? { deletedClasses: [...migration.deletedClasses] } : {}),
    ...(migration.renamedClasses
      ? { renamedClasses: migration.renamedClasses.map((r) => ({ from: r.from, to: r.to })) }
      : {}),
  };
}
