// HashiCorp Vault federation, as the validator resolves it (vault.ts reads the stack's `vault`
// key, vault-workload.ts each workload's `vault` section): one JWT auth method trusting the
// issuer, and per workload a role bound to exactly its subject and Vault's audience.

/** `<project>:vault`: the Vault server and the JWT auth mount; absent when the stack does not federate Vault. */
export interface VaultSettings {
  /** The Vault server's address as an origin, e.g. https://vault.example.dev:8200 (what the SDK's vaultToken calls). */
  readonly address: string;
  /** The JWT auth method's path (`vault auth enable -path=<mount> jwt`), default `worker-identity`. */
  readonly mount: string;
  /** The audience every role binds (`bound_audiences`), default the address; every workload with `vault` lists it. */
  readonly audience: string;
  /** A Vault Enterprise namespace, when the mount lives in one (no leading or trailing '/'). */
  readonly namespace?: string;
}

/** The kind of token the role issues: `service` (renewable, revocable, has an accessor) or `batch`. */
export type VaultTokenType = "service" | "batch";

/** `workloads.<name>.vault`: the role this workload, and only it, may log in as. */
export interface WorkloadVaultSettings {
  /** The role's name (default `wid-<workload>`). */
  readonly role: string;
  /** Vault policies attached to the tokens the role issues (`token_policies`). */
  readonly policies: readonly string[];
  /** `token_ttl`, seconds (default 3600, or tokenMaxTtlSeconds when that is shorter). */
  readonly tokenTtlSeconds: number;
  /** `token_max_ttl`, seconds (default tokenTtlSeconds). */
  readonly tokenMaxTtlSeconds: number;
  /** `token_type` (default service). */
  readonly tokenType: VaultTokenType;
  /** `token_bound_cidrs`: the addresses that may log in and use the token; empty for any. */
  readonly boundCidrs: readonly string[];
}
