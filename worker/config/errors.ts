// The one error the stack configuration raises. It carries every problem found, not the first,
// so a half-valid stack file is fixed in one pass.

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

export class ConfigError extends Error {
  readonly code = "ERR_STACK_CONFIG";
  readonly issues: readonly ConfigIssue[];

  /** `source` names what was validated (a stack, a file) in the first line of the message. */
  constructor(issues: readonly ConfigIssue[], source?: string) {
    super(formatIssues(issues, source));
    this.name = "ConfigError";
    this.issues = Object.freeze(issues.map((issue) => Object.freeze({ key: issue.key, message: issue.message })));
  }
}

function formatIssues(issues: readonly ConfigIssue[], source: string | undefined): string {
  const where = source === undefined ? "" : ` in ${source}`;
  const count = issues.length === 1 ? "1 problem" : `${issues.length} problems`;
  const lines = issues.map((issue) => `  ${issue.key}: ${issue.message}`);
  return [`Invalid stack configuration${where} (${count}):`, ...lines].join("\n");
}
