// Reading the registry files the `registry` stack key names (Node only; the validator gets the
// parsed documents, worker/config/registry-documents.ts). The key names a file, or a folder whose *.yaml,
// *.yml and *.json files (in sub-folders too, dot-files skipped) are read in path order. Paths
// are relative to the project directory, the folder of Pulumi.yaml; every problem is keyed by
// the file's path as the user wrote it.

import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { parseDocument } from "yaml";
import type { ConfigIssue } from "../config/errors.js";
import type { RegistryDocument, RegistrySource } from "../config/registry-documents.js";

const REGISTRY_FILE = /\.(ya?ml|json)$/i;

/** The registry documents under `path` (relative to `projectDir`), or the problems reading them. */
export function readRegistryFiles(projectDir: string, path: string): RegistrySource {
  const problems: ConfigIssue[] = [];
  const documents: RegistryDocument[] = [];
  const root = resolve(projectDir, path);
  const shown = (file: string) => relative(projectDir, file).split(sep).join("/") || path;
  let files: string[];
  try {
    files = statSync(root).isDirectory() ? filesUnder(root) : [root];
  } catch (error) {
    problems.push({ key: path, message: missing(error, path) });
    return { documents, problems };
  }
  if (files.length === 0) {
    problems.push({
      key: path,
      message:
        "is a folder without *.yaml, *.yml or *.json files; add the registry files " +
        "there (workloads: and/or workflows: maps), or point the registry key at the right folder",
    });
  }
  for (const file of files) {
    const source = shown(file);
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      problems.push({ key: source, message: missing(error, source) });
      continue;
    }
    const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
    if (document.errors.length > 0) {
      for (const error of document.errors) {
        const reason = (error.message.split("\n")[0] ?? error.code).replace(/:$/, "");
        problems.push({ key: source, message: `is not valid YAML or JSON: ${reason}; fix the syntax there` });
      }
      continue;
    }
    documents.push({ source, content: document.toJS() as unknown });
  }
  return { documents, problems };
}

function filesUnder(directory: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(directory, { withFileTypes: true }).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  )) {
    if (entry.name.startsWith(".")) continue;
    const full = join(directory, entry.name);
    if (entry.isDirectory()) found.push(...filesUnder(full));
    else if (entry.isFile() && REGISTRY_FILE.test(entry.name)) found.push(full);
  }
  return found;
}

function missing(error: unknown, shown: string): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code === "ENOENT"
    ? `does not exist; create ${shown} (a file or folder of workloads:/workflows: documents, relative to the project ` +
        "directory), or correct the registry key"
    : `cannot be read (${code ?? String(error)}); check the path and its permissions`;
}
