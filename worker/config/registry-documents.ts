// The registry kept outside the stack config: the `registry` stack key names a file or folder of
// YAML/JSON documents (relative to the project directory) holding `workloads:` and/or
// `workflows:` maps in exactly the stack keys' shape. A large registry does not fit Pulumi's
// single 128 KiB config variable; files do. Reading the files is the Node side's job
// (worker/config-files/registry-files.ts); this module is pure: it reads the parsed documents
// through the very readers of the stack keys (readWorkloads, readWorkflows), keys every problem
// by file and path (`registry/payments.yaml: workloads.billing.audiences[0]`), and merges the
// entries with the stack keys', refusing a name defined twice and naming both places.

import type { ConfigIssue } from "./errors.js";
import type { FieldTable } from "./fields.js";
import { describeValue, type FieldReader, isPlainObject, readString } from "./fields.js";
import type { IssueCollector } from "./issues.js";
import type { RegistryEntry } from "./registry.js";
import { closestName } from "./suggest.js";
import { readWorkflows, type WorkflowEntry } from "./workflows.js";
import { readWorkloads, type WorkloadEntry } from "./workloads.js";

/** One parsed registry file, as the Node side hands it over. */
export interface RegistryDocument {
  /** The file's path relative to the project directory, with '/' (e.g. registry/payments.yaml): the key of its problems. */
  readonly source: string;
  /** The parsed document (YAML or JSON). */
  readonly content: unknown;
}

/** What the Node side read for the `registry` key: the documents, and the problems of files it could not read. */
export interface RegistrySource {
  readonly documents: readonly RegistryDocument[];
  readonly problems: readonly ConfigIssue[];
}

const REGISTRY_SECTIONS = ["workloads", "workflows"] as const;

/** The `registry` stack key: a path relative to the project directory; "" means none. */
export const readRegistryPath: FieldReader<string> = (value, key, issues) => {
  const path = readString(
    value,
    key,
    issues,
    "the path of a registry file or folder, relative to the project directory",
  );
  if (path === undefined) return undefined;
  if (path.startsWith("/") || /^[A-Za-z]:[\\/]/.test(path) || path.startsWith("\\")) {
    issues.add(
      key,
      `is ${describeValue(path)}, an absolute path; write it relative to the project directory (where ` +
        "Pulumi.yaml is), e.g. registry/, so every checkout of the project finds the same files",
    );
    return undefined;
  }
  return path;
};

export interface RegistryFileEntries {
  readonly workloads: readonly WorkloadEntry[];
  readonly workflows: readonly WorkflowEntry[];
}

/** Every document's entries, read as the stack keys are; problems keyed `<file>: <path>`. */
export function readRegistryDocuments(source: RegistrySource, issues: IssueCollector): RegistryFileEntries {
  for (const problem of source.problems) issues.add(problem.key, problem.message);
  const workloads: WorkloadEntry[] = [];
  const workflows: WorkflowEntry[] = [];
  for (const document of source.documents) {
    const { content } = document;
    if (!isPlainObject(content)) {
      issues.add(
        document.source,
        `is ${content === null || content === undefined ? "empty" : describeValue(content)}, but a ` +
          "registry file must be a map with workloads: and/or workflows:, shaped as the stack keys of the same names " +
          "(e.g. workloads: {billing: {audiences: [sts.amazonaws.com]}})",
      );
      continue;
    }
    for (const name of Object.keys(content)) {
      if ((REGISTRY_SECTIONS as readonly string[]).includes(name)) continue;
      const suggestion = closestName(name, REGISTRY_SECTIONS);
      issues.add(
        `${document.source}: ${name}`,
        `is not a registry section; a registry file holds only workloads: and ` +
          `workflows:${suggestion === undefined ? "" : ` (did you mean '${suggestion}'?)`}; other settings stay in the stack config`,
      );
    }
    if (content.workloads !== undefined) {
      workloads.push(...(readWorkloads(content.workloads, `${document.source}: workloads`, issues) ?? []));
    }
    if (content.workflows !== undefined) {
      workflows.push(...(readWorkflows(content.workflows, `${document.source}: workflows`, issues) ?? []));
    }
  }
  return { workloads, workflows };
}

/**
 * The entries of every place, in order (the stack key first), each name once: a name defined
 * again is refused at its second place, naming the first, and left out.
 */
export function mergeRegistryEntries<T extends FieldTable>(
  places: readonly (readonly RegistryEntry<T>[])[],
  noun: "workload" | "workflow",
  issues: IssueCollector,
): RegistryEntry<T>[] {
  const first = new Map<string, string>();
  const merged: RegistryEntry<T>[] = [];
  for (const entries of places) {
    for (const entry of entries) {
      const earlier = first.get(entry.name);
      if (earlier !== undefined) {
        issues.add(
          entry.key,
          `defines ${noun} '${entry.name}' again: it is already defined at ${earlier}; keep one of the two`,
        );
        continue;
      }
      first.set(entry.name, entry.key);
      merged.push(entry);
    }
  }
  return merged;
}
