// The one error a validator of options or configuration throws: it carries every problem found,
// not the first, so a misuse is fixed in one pass. Each validator keeps its own heading (and its
// subclass, where callers tell them apart), and every one of them lists `issues` the same way.

import type { OptionsErrorCode, StackConfigCode } from "../error-codes/deployment.js";

/** One problem: where it is, and what is wrong with how to fix it. */
export interface OptionsIssue {
  /** The option, binding, key or JSON path at fault, as its author would write it. */
  readonly path: string;
  /** What is wrong and how to fix it, as the message shows it (it may quote the value). */
  readonly problem: string;
  /** The fix alone, without quoted configuration, where it differs from `problem`. */
  readonly fix?: string;
}

/** How the message lists the issues below its heading. */
export interface OptionsErrorFormat {
  /** The first line, without its colon: "invalid verifier options". */
  readonly heading: string;
  /** Between path and problem. Default " ". */
  readonly separator?: string;
  /** Before each issue's line. Default "  - ". */
  readonly bullet?: string;
}

export class OptionsError extends TypeError {
  /** The stack configuration's subclass (ConfigError) keeps its own code. */
  readonly code: OptionsErrorCode | StackConfigCode = "ERR_INVALID_OPTIONS";
  readonly issues: readonly OptionsIssue[];

  constructor(issues: readonly OptionsIssue[], format: string | OptionsErrorFormat) {
    const { heading, separator = " ", bullet = "  - " } = typeof format === "string" ? { heading: format } : format;
    super([`${heading}:`, ...issues.map((issue) => `${bullet}${issue.path}${separator}${issue.problem}`)].join("\n"));
    this.name = "OptionsError";
    this.issues = Object.freeze(issues.map((issue) => Object.freeze({ ...issue })));
  }
}

/** Collects issues for one OptionsError. */
export class OptionsIssues {
  readonly #issues: OptionsIssue[] = [];

  add(path: string, problem: string, fix?: string): void {
    this.#issues.push({ path, problem, ...(fix !== undefined ? { fix } : {}) });
  }

  /** Takes over issues another validator found (an OptionsError's). */
  merge(issues: readonly OptionsIssue[]): void {
    this.#issues.push(...issues);
  }

  get size(): number {
    return this.#issues.length;
  }

  get list(): readonly OptionsIssue[] {
    return [...this.#issues];
  }

  throwIfAny(format: string | OptionsErrorFormat): void {
    if (this.#issues.length > 0) throw new OptionsError(this.#issues, format);
  }
}
