// Where the runtime config lives in the issuer bundle: the bundle's first line declares one
// top-level constant holding the document as a JSON string,
//   const __WID_RUNTIME_CONFIG__ = "{\"version\":1,…}";
// A string rather than an object literal: JSON.parse reads it as data (a claim named `__proto__`
// stays a claim) and no reader has to parse JavaScript. The build writes the line
// (worker/build/bundle.ts), the Worker reads the constant (embedded.ts), and the policy pack reads
// the line back out of the uploaded script (runtimeConfigOfBundle).

import { IssuerConfigError } from "../errors.js";
import { checkRuntimeConfig, REBUILD } from "./check.js";
import type { RuntimeConfig } from "./types.js";

/** The constant's name; embedded.ts declares it. */
export const RUNTIME_CONFIG_CONSTANT = "__WID_RUNTIME_CONFIG__";
const PREFIX = `const ${RUNTIME_CONFIG_CONSTANT} = `;

/** The bundle's first line for `document` (any text: tests build bundles with broken ones). */
export function runtimeConfigBanner(documentText: string): string {
  return `${PREFIX}${JSON.stringify(documentText)};`;
}

/** Whether `content` starts the way a bundle carrying a runtime config does (it may still be unreadable). */
export function carriesRuntimeConfig(content: string): boolean {
  return content.startsWith(PREFIX);
}

/** The runtime config built into an issuer bundle's `content`, checked as the Worker checks it. */
export function runtimeConfigOfBundle(content: string): RuntimeConfig {
  const end = content.indexOf("\n");
  const line = (end === -1 ? content : content.slice(0, end)).trimEnd();
  if (!line.startsWith(PREFIX) || !line.endsWith(";")) {
    throw new IssuerConfigError(`the issuer bundle does not start with its runtime config (${PREFIX}"…";); ${REBUILD}`);
  }
  let text: unknown;
  try {
    text = JSON.parse(line.slice(PREFIX.length, -1));
  } catch {
    text = undefined;
  }
  if (typeof text !== "string") {
    throw new IssuerConfigError(
      `the issuer bundle's ${RUNTIME_CONFIG_CONSTANT} is not a JSON string literal; ${REBUILD}`,
    );
  }
  return parseRuntimeConfig(text);
}

/** A runtime config document's text, parsed and checked. */
export function parseRuntimeConfig(text: string): RuntimeConfig {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new IssuerConfigError(`the issuer's runtime config is not JSON; ${REBUILD}`);
  }
  return checkRuntimeConfig(document);
}
