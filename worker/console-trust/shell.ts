// The pieces both consoles' printed trust share: slug names the admin APIs accept, descriptions
// naming the stack and workload, and curl commands whose JSON body goes through a here-document.

import type { IssuerSettings, WorkloadConfig } from "../config/types.js";

/** A shell variable the printed JSON names where only the console knows the value. */
export interface Placeholder {
  /** `ANTHROPIC_FEDERATION_ISSUER_ID`: appears in the JSON as `${ANTHROPIC_FEDERATION_ISSUER_ID}`. */
  readonly variable: string;
  /** What to set it to, and where to find it. */
  readonly meaning: string;
}

/** One admin API call: what it does, and the curl command that makes it. */
export interface AdminCall {
  readonly title: string;
  readonly method: "POST";
  readonly url: string;
  /** The JSON body, exactly as the API takes it (placeholders as `${VARIABLE}`). */
  readonly body: unknown;
  readonly curl: string;
}

/** Lowercase letters, digits and hyphens, at most `max` long: the slugs both admin APIs take as names. */
export function slug(text: string, max = 255): string {
  const cleaned = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return cleaned.slice(0, max).replace(/-+$/, "") || "worker-identity";
}

/** The stack (when known) and the issuer's environment, as descriptions name them. */
export function stackLabel(issuer: IssuerSettings, stack: string | undefined): string {
  return stack === undefined
    ? `environment ${issuer.environment}`
    : `stack ${stack} (environment ${issuer.environment})`;
}

export function workloadDescription(
  issuer: IssuerSettings,
  workload: WorkloadConfig,
  stack: string | undefined,
): string {
  return (
    `worker-identity ${stackLabel(issuer, stack)}: workload ${workload.name} only ` +
    `(sub ${workload.subject}, iss ${issuer.issuerUrl})`
  );
}

/**
 * `curl` POSTing `body` as JSON. The body goes through an unquoted here-document so the
 * placeholders expand; every other `$`, backtick and backslash is escaped, so nothing else does.
 */
export function curlCommand(
  url: string,
  headers: readonly string[],
  body: unknown,
  placeholders: readonly Placeholder[],
): string {
  let text = JSON.stringify(body, null, 2).replace(/[\\$`]/g, (c) => `\\${c}`);
  for (const { variable } of placeholders) text = text.split(`\\\${${variable}}`).join(`\${${variable}}`);
  const lines = [`curl -sS -X POST '${url}'`, ...headers.map((h) => `-H "${h}"`), "--data-binary @- <<JSON"];
  return `${lines.join(" \\\n  ")}\n${text}\nJSON`;
}
