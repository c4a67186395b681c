// The Pulumi program's view of the stack config: every key of the project's namespace, as the
// engine hands them over, and the registry files the `registry` key names (read relative to the
// project directory), validated by the one validator before any resource is declared. What is
// valid but will pass a default quota (or goes stale) is logged as a warning.

import { isAbsolute } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../../worker/config/types.js";
import { validateStackConfig } from "../../worker/config/validate.js";
import { type StackWarning, stackWarnings } from "../../worker/config/warnings.js";
import { registryOf } from "../../worker/config-files/stack-file.js";

export interface ProgramConfig {
  readonly project: string;
  readonly stack: string;
  readonly config: StackConfig;
  /** Logged with pulumi.log.warn when the config is read. */
  readonly warnings: readonly StackWarning[];
}

/** Reads and validates the stack config; throws ConfigError listing every problem. */
export function readProgramConfig(): ProgramConfig {
  const project = pulumi.getProject();
  const stack = pulumi.getStack();
  const raw = { ...pulumi.runtime.allConfig() };
  const registry = registryOf(raw, project, projectDirectory());
  const config = validateStackConfig(raw, { project, stack, ...(registry === undefined ? {} : { registry }) });
  const warnings = stackWarnings(config, raw);
  for (const warning of warnings) void pulumi.log.warn(`${warning.subject}: ${warning.message}`);
  return { project, stack, config, warnings };
}

/**
 * The folder of Pulumi.yaml, which the registry's paths are relative to: the engine names it
 * (getRootDirectory); without an engine (mocks answer a placeholder), the working directory,
 * where Pulumi runs programs.
 */
function projectDirectory(): string {
  const root = pulumi.runtime.getRootDirectory();
  return isAbsolute(root) ? root : process.cwd();
}
