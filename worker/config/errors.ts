// The one error the stack configuration raises. It carries every problem found, not the first,
// so a half-valid stack file is fixed in one pass.

import { OptionsError, type OptionsIssue } from "../options/options-error.js";

export interface ConfigIssue {
  /**
   * Where the problem is, as a user would write it in Pulumi.<stack>.yaml or with
   * `pulumi config set --path`, e.g. `worker-identity:workloads.billing.audiences[2]`.
   * Problems of a file (stack-file loader) are keyed by the file's path, and problems of a
   * loader option by the option's name (`localIssuerUrl`).
   */
  readonly key: string;
  /** What is wrong and how to fix it. */
  readonly message: string;
}

/** A ConfigIssue is an OptionsIssue too: `path` is its `key`, `problem` its `message`. */
export type StackConfigIssue = ConfigIssue & OptionsIssue;

export class ConfigError extends OptionsError {
  override readonly code = "ERR_STACK_CONFIG";
  declare readonly issues: readonly StackConfigIssue[];

  /** `source` names what was validated (a stack, a file) in the first line of the message. */
  constructor(issues: readonly ConfigIssue[], source?: string) {
    const where = source === undefined ? "" : ` in ${source}`;
    const count = issues.length === 1 ? "1 problem" : `${issues.length} problems`;
    super(
      issues.map(({ key, message }) => ({ key, message, path: key, problem: message })),
      { heading: `Invalid stack configuration${where} (${count})`, separator: ": ", bullet: "  " },
    );
    this.name = "ConfigError";
  }
}
