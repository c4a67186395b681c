// Generates the issuer bundle's entry module: the issuer's exports plus one entrypoint class per
// registered workload. A Pulumi-managed Worker binds to its own class (the Cloudflare provider
// cannot set `props`), so the class *is* its identity: the name is chosen by the stack, never by
// the caller.

import type { WorkloadConfig } from "../config/types.js";

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const RESERVED_EXPORTS = new Set(["default", "Issuer", "KeyStore"]);
// Words a class declaration cannot be named (reserved in strict mode, which ES modules are).
const RESERVED_WORDS = new Set(
  ("await break case catch class const continue debugger default delete do else enum export extends false finally for " +
    "function if implements import in instanceof interface let new null package private protected public return static " +
    "super switch this throw true try typeof var void while with yield eval arguments").split(" "),
);

export function entrypointsModuleSource(
  workloads: readonly Pick<WorkloadConfig, "name" | "entrypoint">[],
  issuerModulePath: string,
): string {
  const lines = [
    `export * from ${JSON.stringify(issuerModulePath)};`,
    `export { default } from ${JSON.stringify(issuerModulePath)};`,
    `import { Issuer } from ${JSON.stringify(issuerModulePath)};`,
  ];
  const seen = new Set<string>();
  for (const workload of workloads) {
    if (!IDENTIFIER.test(workload.entrypoint) || RESERVED_EXPORTS.has(workload.entrypoint) || RESERVED_WORDS.has(workload.entrypoint)) {
      throw new Error(`workload ${workload.name}: entrypoint ${JSON.stringify(workload.entrypoint)} is not a usable class name`);
    }
    if (seen.has(workload.entrypoint)) {
      throw new Error(`two workloads share the entrypoint class ${workload.entrypoint}; rename one of them`);
    }
    seen.add(workload.entrypoint);
    lines.push(
      `export class ${workload.entrypoint} extends Issuer {`,
      `  static workload = ${JSON.stringify(workload.name)};`,
      `}`,
    );
  }
  return `${lines.join("\n")}\n`;
}
