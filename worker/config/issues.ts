// Collects every problem found while validating, so one ConfigError can list them all.

import { ConfigError, type ConfigIssue } from "./errors.js";

export class IssueCollector {
  readonly #issues: ConfigIssue[] = [];

  add(key: string, message: string): void {
    this.#issues.push({ key, message });
  }

  /** How many problems so far: a reader compares counts to know whether its own part failed. */
  get count(): number {
    return this.#issues.length;
  }

  get issues(): readonly ConfigIssue[] {
    return [...this.#issues];
  }

  throwIfAny(source?: string): void {
    if (this.#issues.length > 0) throw new ConfigError(this.#issues, source);
  }
}
