// The issuer's runtime config: one compact, versioned JSON document computed at deploy time from
// the validated stack config (compute.ts) and built into the issuer bundle (embedding.ts). It
// holds exactly what the Worker reads, so the Worker checks its shape and version (check.ts)
// instead of running the stack validator. Every type is cut from worker/config/types.ts, so a
// field renamed there is renamed here.

import type { NativeTokenSettings, StackConfig, WorkflowConfig, WorkloadConfig } from "../config/types.js";
import type { FederatedTarget } from "../trust/targets.js";

/** Bumped whenever a field changes meaning or shape; a Worker refuses any other version. */
export const RUNTIME_CONFIG_VERSION = 2;

/** What the issuer reads of a registered workload (never its cloud role or service account). */
export type RuntimeWorkload = Pick<
  WorkloadConfig,
  "name" | "subject" | "audiences" | "tokenLifetimeSeconds" | "maxTokenLifetimeSeconds" | "claims" | "awsSessionTags"
> & {
  /** x5t#S256 of the workload's client certificate (RFC 8705); present exactly when it has mTLS. */
  readonly certificateThumbprint?: string;
  /**
   * The native (Cloudflare `oidc_tokens`) issuer and exact subject whose tokens POST /token
   * exchanges for this workload's (worker/exchange); absent: none is exchanged for it.
   */
  readonly native?: RuntimeNativeTrust;
  /**
   * The federated targets the stack declares for it (worker/trust/targets.ts), shown on the
   * operator page; never read to issue. A runtime config always carries it (possibly empty); a
   * StackConfig handed over directly (tests) has none.
   */
  readonly targets?: readonly FederatedTarget[];
};

/** What the issuer reads of a workload's native settings: whom to trust, never the audiences its bindings use. */
export type RuntimeNativeTrust = Pick<NativeTokenSettings, "issuer" | "subject" | "jwksUri">;

/** What the issuer reads of a registered workflow, in the order the document holds it. */
export const RUNTIME_WORKFLOW_FIELDS = [
  "name",
  "subjectPrefix",
  "binding",
  "maxInstanceIdLength",
  "audiences",
  "tokenLifetimeSeconds",
  "maxTokenLifetimeSeconds",
  "claims",
] as const satisfies readonly (keyof WorkflowConfig)[];

export type RuntimeWorkflow = Pick<WorkflowConfig, (typeof RUNTIME_WORKFLOW_FIELDS)[number]> & {
  /** As a workload's: what the operator page shows, never read to issue. */
  readonly targets?: readonly FederatedTarget[];
};

/**
 * The stack as the Worker's code reads it. A validated StackConfig is one too (tests hand it
 * over directly); the Worker itself gets a RuntimeConfig.
 */
export interface RuntimeSettings
  extends Pick<StackConfig, "project" | "stack" | "issuer" | "introspectionClients" | "access"> {
  /** Sorted by name. */
  readonly workloads: readonly RuntimeWorkload[];
  /** Sorted by name. */
  readonly workflows: readonly RuntimeWorkflow[];
}

/** The document built into the issuer bundle. */
export interface RuntimeConfig extends RuntimeSettings {
  readonly version: typeof RUNTIME_CONFIG_VERSION;
}
