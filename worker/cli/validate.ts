// `wid validate [--stack dev | --stack path/Pulumi.dev.yaml] [--json]`: the stack config checked
// offline, by the validator `pulumi up` runs, so its problems read the same, before any deploy.
// Exit 0 when valid (warnings are printed, not failures), 1 when not.

import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { ConfigError } from "../config/errors.js";
import { stackWarnings } from "../config/warnings.js";
import { loadStackConfigFile } from "../config-files/stack-file.js";

export interface ValidateOutcome {
  readonly code: 0 | 1;
  readonly stdout: string;
  readonly stderr: string;
}

/** A stack name as `pulumi -s` takes it ("dev": Pulumi.dev.yaml in `cwd`), or a path to a stack file. */
export function stackFilePath(stack: string, cwd: string): string {
  return /[\\/]|\.ya?ml$/.test(stack) ? resolve(cwd, stack) : resolve(cwd, `Pulumi.${stack}.yaml`);
}

export function validateStack(
  stack: string,
  options: { readonly cwd: string; readonly json: boolean },
): ValidateOutcome {
  const path = stackFilePath(stack, options.cwd);
  if (!existsSync(path)) {
    const problem = `${path} does not exist; pass --stack <name> for Pulumi.<name>.yaml in this directory, or its path`;
    return options.json
      ? {
          code: 1,
          stdout: `${JSON.stringify({ valid: false, issues: [{ key: path, message: "does not exist" }] })}\n`,
          stderr: "",
        }
      : { code: 1, stdout: "", stderr: `${problem}\n` };
  }
  try {
    const config = loadStackConfigFile(path);
    const warnings = stackWarnings(config);
    const summary = {
      valid: true,
      stack: config.stack,
      workloads: config.workloads.map((w) => w.name),
      workflows: config.workflows.map((w) => w.name),
      warnings,
    };
    if (options.json) return { code: 0, stdout: `${JSON.stringify(summary)}\n`, stderr: "" };
    const lines = [
      `${path}: valid (${summary.workloads.length} workloads, ${summary.workflows.length} workflows)`,
      ...warnings.map((w) => `warning: ${w.subject}: ${w.message}`),
    ];
    return { code: 0, stdout: `${lines.join("\n")}\n`, stderr: "" };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return options.json
      ? {
          code: 1,
          stdout: `${JSON.stringify({ valid: false, issues: error.issues.map(({ key, message }) => ({ key, message })) })}\n`,
          stderr: "",
        }
      : { code: 1, stdout: "", stderr: `${error.message}\n` };
  }
}
