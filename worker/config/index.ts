// The config kernel's public entry: what code outside worker/config/ may read of it. The policy
// pack (policies/) imports config only from here (test/architecture/imports.test.ts holds it to
// that); the kernel's other modules are its internals. Pure: nothing here reads files (the Node
// readers are worker/config-files/) or imports the Pulumi program.

export { AZURE_TOKEN_EXCHANGE_AUDIENCE } from "./azure-settings.js";
export { ENTRA_ID } from "./entra-limits.js";
export { ConfigError, type ConfigIssue } from "./errors.js";
export { utf8Length } from "./fields.js";
export * from "./limits.js";
export type * from "./types.js";
export { STACK_CONFIG_KEYS, type ValidateOptions, validateStackConfig } from "./validate.js";
export { type StackWarning, stackWarnings } from "./warnings.js";
