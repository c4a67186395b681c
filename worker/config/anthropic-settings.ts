// The Claude API's workload identity federation, as the validator resolves a workload's
// `anthropic` section (anthropic.ts). No provider manages Anthropic's issuers and federation
// rules, so the program prints them for the console (worker/console-trust/) and the SDK exchanges.

/** `workloads.<name>.anthropic`: the ids the token exchange names, and the audience the rule matches. */
export interface WorkloadAnthropicSettings {
  /** The Anthropic organization's UUID. */
  readonly organizationId: string;
  /** `svac_...`: the service account the access token acts as. */
  readonly serviceAccountId: string;
  /** `fdrl_...`: the federation rule that matches this workload's tokens. */
  readonly federationRuleId: string;
  /** `wrkspc_...` or `default`, when the rule covers several workspaces. */
  readonly workspaceId?: string;
  /** The `aud` the federation rule matches; listed in the workload's audiences. */
  readonly audience: string;
}
