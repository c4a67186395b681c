// Reading a Pulumi stack file from disk (Node only; the Worker gets the map, not the file).
// The project name comes from Pulumi.yaml beside the stack file, the stack name from the file
// name, and the map from its `config:` section, read as Pulumi reads it: a top-level plain
// value is its text (Pulumi hands programs strings: `rotationPeriodDays: 30` is "30" and an
// all-digit account id keeps its leading zeros), while maps and lists keep their JSON types.
// When the config names registry files (`<project>:registry`), they are read here too, relative
// to the project directory, for the validator (worker/config-files/registry-files.ts).

import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { type Document, isMap, isScalar, parseDocument } from "yaml";
import { ConfigError } from "../config/errors.js";
import { IssueCollector } from "../config/issues.js";
import type { RegistrySource } from "../config/registry-documents.js";
import type { StackConfig } from "../config/types.js";
import { validateStackConfig } from "../config/validate.js";
import { readRegistryFiles } from "./registry-files.js";

export interface StackConfigMap {
  readonly project: string;
  readonly stack: string;
  /** The stack file's `config:` map, unvalidated, every namespace included. */
  readonly config: Readonly<Record<string, unknown>>;
  /** The registry files `<project>:registry` names, read (absent when the key is unset). */
  readonly registry?: RegistrySource;
}

const STACK_FILE_NAME = /^Pulumi\.(.+)\.ya?ml$/;
const PROJECT_FILE_NAMES = ["Pulumi.yaml", "Pulumi.yml"];

/** Reads `Pulumi.<stack>.yaml` and its project's name, without validating the config. */
export function readStackConfigMap(path: string): StackConfigMap {
  const issues = new IssueCollector();
  const stack = STACK_FILE_NAME.exec(basename(path))?.[1];
  if (stack === undefined) {
    issues.add(path, "is not named like a stack file; name it Pulumi.<stack>.yaml (e.g. Pulumi.dev.yaml)");
  }
  const project = readProjectName(dirname(path), issues);
  const config = readConfigSection(path, issues);
  issues.throwIfAny(path);
  if (stack === undefined || project === undefined || config === undefined) throw new Error("unreachable");
  const registry = registryOf(config, project, dirname(path));
  return registry === undefined ? { project, stack, config } : { project, stack, config, registry };
}

/**
 * The registry files the config names, read relative to `projectDir`; undefined when the key is
 * unset or not text (the validator reports the latter). The program and every loader use this.
 */
export function registryOf(
  config: Readonly<Record<string, unknown>>,
  project: string,
  projectDir: string,
): RegistrySource | undefined {
  const path = config[`${project}:registry`] ?? config.registry;
  return typeof path === "string" && path !== "" ? readRegistryFiles(projectDir, path) : undefined;
}

/** Reads and validates `Pulumi.<stack>.yaml`; every problem is reported against the file. */
export function loadStackConfigFile(path: string, options: { readonly localIssuerUrl?: string } = {}): StackConfig {
  const { project, stack, config, registry } = readStackConfigMap(path);
  try {
    return validateStackConfig(config, {
      project,
      stack,
      ...(options.localIssuerUrl === undefined ? {} : { localIssuerUrl: options.localIssuerUrl }),
      ...(registry === undefined ? {} : { registry }),
    });
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError(error.issues, path);
    throw error;
  }
}

function readProjectName(directory: string, issues: IssueCollector): string | undefined {
  const candidates = PROJECT_FILE_NAMES.map((name) => join(directory, name));
  const found = candidates.find((candidate) => existsSync(candidate));
  if (found === undefined) {
    issues.add(
      candidates[0] ?? directory,
      "does not exist; the project file must sit beside the stack file " +
        "(run from the repository root, or create it with 'name: worker-identity')",
    );
    return undefined;
  }
  const document = parseYaml(found, issues);
  if (document === undefined) return undefined;
  const name: unknown = document.get("name");
  if (typeof name === "string" && name !== "") return name;
  issues.add(found, "has no 'name:'; add the project name (name: worker-identity), the namespace of the config keys");
  return undefined;
}

function readConfigSection(path: string, issues: IssueCollector): Record<string, unknown> | undefined {
  const document = parseYaml(path, issues);
  if (document === undefined) return undefined;
  const section: unknown = document.get("config", true);
  if (!isMap(section)) {
    issues.add(
      path,
      "has no 'config:' map; add one with the worker-identity:* keys (Pulumi.dev.yaml is a complete example)",
    );
    return undefined;
  }
  const plain = document.toJS() as { config: Record<string, unknown> };
  const config = { ...plain.config };
  // Top-level plain values are text to Pulumi; keep what the file says, not what YAML made of it.
  for (const pair of section.items) {
    if (
      isScalar(pair.key) &&
      isScalar(pair.value) &&
      typeof pair.value.source === "string" &&
      typeof pair.value.value !== "string" &&
      pair.value.value !== null
    ) {
      config[String(pair.key.value)] = pair.value.source;
    }
  }
  return config;
}

function parseYaml(path: string, issues: IssueCollector): Document | undefined {
  const text = readText(path, issues);
  if (text === undefined) return undefined;
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    for (const error of document.errors) {
      // The first line is the reason and its position ("… at line 3, column 3:"); the rest is a snippet.
      const reason = (error.message.split("\n")[0] ?? error.code).replace(/:$/, "");
      issues.add(
        path,
        `is not valid YAML: ${reason}; fix the syntax there (indentation, quoting, a missing ':' or ']')`,
      );
    }
    return undefined;
  }
  return document;
}

/** The file's text, or undefined after reporting why it cannot be read. */
function readText(path: string, issues: IssueCollector): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") {
      issues.add(
        path,
        "does not exist; pass the path of a stack file (e.g. Pulumi.dev.yaml), or create it with " +
          "pulumi stack init <stack> and pulumi config set",
      );
    } else {
      issues.add(path, `cannot be read (${code ?? String(error)}); check the path and its permissions`);
    }
    return undefined;
  }
}
