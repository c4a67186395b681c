// Cloudflare Worker script names, for workloads and for the issuer itself.

import { SCRIPT_NAME_MAX_LENGTH, SCRIPT_NAME_PATTERN } from "./limits.js";

const RULE = `1 to ${SCRIPT_NAME_MAX_LENGTH} lowercase letters, digits, '-' or '_', starting with a letter or digit`;

/** Why `name` is not a Cloudflare script name (with the fix), or undefined if it is one. */
export function scriptNameProblem(name: string): string | undefined {
  if (SCRIPT_NAME_PATTERN.test(name)) return undefined;
  const suggestion = suggestScriptName(name);
  const fix = suggestion === undefined ? "rename it" : `rename it to '${suggestion}'`;
  return `is not a valid Worker script name (${RULE}); ${fix}`;
}

/** A valid name close to `name`: lowercased, other characters turned into '-'. */
function suggestScriptName(name: string): string | undefined {
  const candidate = name
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, "-")
    .replace(/^[^a-z0-9]+/, "")
    .slice(0, SCRIPT_NAME_MAX_LENGTH)
    .replace(/[^a-z0-9]+$/, "");
  return SCRIPT_NAME_PATTERN.test(candidate) ? candidate : undefined;
}
