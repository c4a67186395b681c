// Generates the issuer bundle's entry module: the issuer's exports plus one entrypoint class per
// registered workload. A Pulumi-managed Worker binds to its own class (the Cloudflare provider
// cannot set `props`), so the class *is* its identity: the name is chosen by the stack, never by
// the caller.

import { KEY_STORE_CLASS } from "../bindings/table.js";
import type { WorkflowConfig, WorkloadConfig } from "../config/types.js";

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const RESERVED_EXPORTS = new Set(["default", "Issuer", KEY_STORE_CLASS]);
// Words a class declaration cannot be named (reserved in strict mode, which ES modules are).
const RESERVED_WORDS = new Set(
  (
    "await break case catch class const continue debugger default delete do else enum export extends false finally for " +
    "function if implements import in instanceof interface let new null package private protected public return static " +
    "super switch this throw true try typeof var void while with yield eval arguments"
  ).split(" "),
);

export function entrypointsModuleSource(
  workloads: readonly Pick<WorkloadConfig, "name" | "entrypoint">[],
  issuerModulePath: string,
  workflows: readonly Pick<WorkflowConfig, "name" | "entrypoint">[] = [],
): string {
  const lines = [
    `export * from ${JSON.stringify(issuerModulePath)};`,
    `export { default } from ${JSON.stringify(issuerModulePath)};`,
    `import { Issuer } from ${JSON.stringify(issuerModulePath)};`,
  ];
  const seen = new Set<string>();
  const identities = [
    ...workloads.map((w) => ({ kind: "workload", name: w.name, entrypoint: w.entrypoint })),
    ...workflows.map((w) => ({ kind: "workflow", name: w.name, entrypoint: w.entrypoint })),
  ];
  for (const { kind, name, entrypoint } of identities) {
    if (!IDENTIFIER.test(entrypoint) || RESERVED_EXPORTS.has(entrypoint) || RESERVED_WORDS.has(entrypoint)) {
      throw new Error(`${kind} ${name}: entrypoint ${JSON.stringify(entrypoint)} is not a usable class name`);
    }
    if (seen.has(entrypoint)) {
      throw new Error(`two ${kind}s share the entrypoint class ${entrypoint}; rename one of them`);
    }
    seen.add(entrypoint);
    lines.push(`export class ${entrypoint} extends Issuer {`, `  static ${kind} = ${JSON.stringify(name)};`, `}`);
  }
  return `${lines.join("\n")}\n`;
}
