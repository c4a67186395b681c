// Checking an options object once: every problem is collected (option name and fix), and one
// OptionsError (a TypeError) lists them all. The checks are pure; nothing is checked again per request.

import { OptionsIssues } from "../options/options-error.js";

export { isRecord } from "../options/is-record.js";

export class OptionProblems {
  readonly #issues = new OptionsIssues();

  constructor(private readonly what: string) {}

  add(option: string, fix: string): void {
    this.#issues.add(option, fix);
  }

  /** Refuses names outside `known` (a typo would otherwise silently fall back to a default). */
  unknown(options: object, known: readonly string[]): void {
    for (const name of Object.keys(options)) {
      if (!known.includes(name)) this.add(name, `is not an option; known options: ${known.join(", ")}`);
    }
  }

  string(value: unknown, option: string, pattern: RegExp, fix: string): string {
    if (typeof value === "string" && pattern.test(value)) return value;
    this.add(option, fix);
    return "";
  }

  optionalString(value: unknown, option: string, pattern: RegExp, fix: string, fallback: string): string {
    return value === undefined ? fallback : this.string(value, option, pattern, fix);
  }

  integer(value: unknown, option: string, min: number, max: number, fallback: number): number {
    if (value === undefined) return fallback;
    if (typeof value === "number" && Number.isInteger(value) && value >= min && value <= max) return value;
    this.add(option, `must be a whole number of seconds from ${min} to ${max}`);
    return fallback;
  }

  /** An https URL, or http on a loopback address (tests, local fakes). */
  endpoint(value: unknown, option: string, fallback: string): string {
    if (value === undefined) return fallback;
    const fix =
      "must be an https URL (http only on 127.0.0.1, localhost or [::1]) without credentials, query or fragment";
    if (typeof value !== "string") {
      this.add(option, fix);
      return fallback;
    }
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      this.add(option, fix);
      return fallback;
    }
    const loopback = ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
    const schemeOk = url.protocol === "https:" || (url.protocol === "http:" && loopback);
    if (!schemeOk || url.username !== "" || url.password !== "" || url.search !== "" || url.hash !== "") {
      this.add(option, fix);
      return fallback;
    }
    return url.href;
  }

  throwIfAny(): void {
    this.#issues.throwIfAny(`invalid ${this.what} options`);
  }
}
