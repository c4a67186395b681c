// Which entries of a stack's `config:` map are this project's: Pulumi reads an unqualified key of
// a stack file as the project's, so we do too.

import type { IssueCollector } from "./issues.js";
import { topLevelKey } from "./key-path.js";
import { closestName } from "./suggest.js";

/**
 * The entries of our namespace, by unqualified name. Pulumi reads an unqualified key of a
 * stack file as the project's, so we do too; other namespaces (aws:, gcp:, cloudflare:) are
 * not ours to judge, unless the namespace looks like a misspelling of the project's.
 */
export function ourEntries(
  raw: Readonly<Record<string, unknown>>,
  project: string,
  issues: IssueCollector,
): Map<string, unknown> {
  const entries = new Map<string, unknown>();
  for (const [fullKey, value] of Object.entries(raw)) {
    const colon = fullKey.indexOf(":");
    const namespace = colon === -1 ? project : fullKey.slice(0, colon);
    const name = colon === -1 ? fullKey : fullKey.slice(colon + 1);
    if (namespace !== project) {
      if (closestName(namespace, [project]) !== undefined) {
        issues.add(
          fullKey,
          `is in namespace '${namespace}', not this project's; did you mean '${topLevelKey(project, name)}'?`,
        );
      }
      continue;
    }
    if (entries.has(name)) {
      issues.add(
        topLevelKey(project, name),
        `is set twice (as '${name}' and as '${topLevelKey(project, name)}'); keep one`,
      );
      continue;
    }
    entries.set(name, value);
  }
  return entries;
}
