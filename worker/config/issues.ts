// Collects every problem found while validating, so one ConfigError can list them all.

import { ConfigError, type ConfigIssue } from "./errors.js";

export class IssueCollector {
  readonly #issues: ConfigIssue[] = [];

  add(key: string, message: string): void {
    this.#issues.push({ key, message });
  }

  /** How many problems so far. */
  get count(): number {
    return this.#issues.length;
  }

  /**
   * What `read` returns, or undefined when it reported a problem: how a reader knows whether its
   * own part failed, whatever was reported before it.
   */
  checked<T>(read: () => T): T | undefined {
    const before = this.#issues.length;
    const value = read();
    return this.#issues.length === before ? value : undefined;
  }

  get issues(): readonly ConfigIssue[] {
    return [...this.#issues];
  }

  throwIfAny(source?: string): void {
    if (this.#issues.length > 0) throw new ConfigError(this.#issues, source);
  }
}
