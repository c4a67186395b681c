// The Pulumi program's view of the stack config: every key of the project's namespace, as the
// engine hands them over, validated by the one validator before any resource is declared.

import * as pulumi from "@pulumi/pulumi";
import { validateStackConfig } from "../../worker/config/validate.js";
import type { StackConfig } from "../../worker/config/types.js";

/** Keys whose values are maps; the engine hands every value over as text. */
const STRUCTURED_KEYS = new Set(["workloads", "aws", "gcp"]);

export interface ProgramConfig {
  readonly project: string;
  readonly stack: string;
  /** The raw `config:` map, structured values parsed back from their JSON text. */
  readonly raw: Readonly<Record<string, unknown>>;
  readonly config: StackConfig;
}

/** Reads and validates the stack config; throws ConfigError listing every problem. */
export function readProgramConfig(): ProgramConfig {
  const project = pulumi.getProject();
  const stack = pulumi.getStack();
  const raw = rawConfigMap(project, pulumi.runtime.allConfig());
  return { project, stack, raw, config: validateStackConfig(raw, { project, stack }) };
}

export function rawConfigMap(project: string, all: Readonly<Record<string, string>>): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(all)) {
    const name = key.startsWith(`${project}:`) ? key.slice(project.length + 1) : undefined;
    raw[key] = name !== undefined && STRUCTURED_KEYS.has(name) ? parseStructured(value) : value;
  }
  return raw;
}

/** JSON text back to a map; text that is not JSON stays text, for the validator to name. */
function parseStructured(value: string): unknown {
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}
