// The issuer Worker's view of the stack config: the ISSUER_CONFIG binding holds the raw
// `config:` map (identity keys only) with the project and stack names, and the Worker validates
// it with the same validator the Pulumi program and the local stack use. Parsed once per isolate.

import { IssuerConfigError } from "../errors.js";
import { ConfigError } from "./errors.js";
import type { StackConfig } from "./types.js";
import { validateStackConfig } from "./validate.js";
import { lastParsed } from "../isolate/last-parsed.js";

/** The JSON document stored in the ISSUER_CONFIG binding. */
export interface IssuerConfigBinding {
  readonly project: string;
  readonly stack: string;
  /** Set only by the local stack: the loopback URL `iss` must carry there. */
  readonly localIssuerUrl?: string;
  readonly config: Readonly<Record<string, unknown>>;
}

export const stackConfigFromBinding: (source: string | undefined) => StackConfig = lastParsed((source) => {
  if (source === undefined) {
    throw new IssuerConfigError("the ISSUER_CONFIG binding is missing; deploy the issuer with `pulumi up` or run `npm start`");
  }
  const result = parse(source);
  if (result instanceof IssuerConfigError) throw result;
  return result;
});

function parse(source: string): StackConfig | IssuerConfigError {
  let document: unknown;
  try {
    document = JSON.parse(source);
  } catch {
    return new IssuerConfigError("the ISSUER_CONFIG binding is not JSON; redeploy the issuer so the stack writes it again");
  }
  if (!isBinding(document)) {
    return new IssuerConfigError(
      "the ISSUER_CONFIG binding must be {project, stack, config}; redeploy the issuer so the stack writes it again",
    );
  }
  try {
    const options = document.localIssuerUrl === undefined
      ? { project: document.project, stack: document.stack }
      : { project: document.project, stack: document.stack, localIssuerUrl: document.localIssuerUrl };
    return validateStackConfig(document.config, options);
  } catch (error) {
    if (error instanceof ConfigError) return new IssuerConfigError(`the stack config is invalid:\n${error.message}`);
    throw error;
  }
}

function isBinding(value: unknown): value is IssuerConfigBinding {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.project === "string" &&
    typeof v.stack === "string" &&
    (v.localIssuerUrl === undefined || typeof v.localIssuerUrl === "string") &&
    typeof v.config === "object" &&
    v.config !== null &&
    !Array.isArray(v.config)
  );
}
