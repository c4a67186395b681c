// The Pulumi program's view of the stack config: every key of the project's namespace, as the
// engine hands them over, validated by the one validator before any resource is declared.

import * as pulumi from "@pulumi/pulumi";
import { validateStackConfig } from "../../worker/config/validate.js";
import type { StackConfig } from "../../worker/config/types.js";

export interface ProgramConfig {
  readonly project: string;
  readonly stack: string;
  /** The raw `config:` map as the engine hands it over (structured values as JSON text, which the validator reads). */
  readonly raw: Readonly<Record<string, unknown>>;
  readonly config: StackConfig;
}

/** Reads and validates the stack config; throws ConfigError listing every problem. */
export function readProgramConfig(): ProgramConfig {
  const project = pulumi.getProject();
  const stack = pulumi.getStack();
  const raw = { ...pulumi.runtime.allConfig() };
  return { project, stack, raw, config: validateStackConfig(raw, { project, stack }) };
}
