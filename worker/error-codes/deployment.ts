// The codes of what runs at deploy time and in a terminal: the stack configuration, the Pulumi
// program, and options misused in code (a verifier, middleware or SDK factory, the `wid` CLI).

/** The stack configuration (Pulumi.<stack>.yaml, or a stack file read by the local stack). */
export type StackConfigCode = "ERR_STACK_CONFIG";

/** Refusals of the Pulumi program itself, before any resource is sent to a provider. */
export type ProgramErrorCode = "ERR_GCP_PROJECT_NUMBER" | "ERR_IAM_LABEL" | "ERR_MIGRATION_TAG";

/** An option given to a factory (verifier, middleware, SDK) or the CLI is missing or invalid. */
export type OptionsErrorCode = "ERR_INVALID_OPTIONS";
