// HashiCorp Vault federation, as the validator resolves it (vault.ts reads the stack's `vault`
// key, vault-workload.ts each workload's `vault` section): one JWT auth method trusting the
// issuer, and per workload a role bound to exactly its subject and Vault's audience.

/** `<project>:vault`: the Vault server and the JWT auth mount; absent when the stack does not federate Vault. */
export interface VaultSettings {
  /** The Vault server's address, e.g. https://vault.example.dev:8200 (what the SDK's vaultToken calls). */
  readonly address: string;
  /** The JWT auth method's path (`vault auth enable -path=<mount> jwt`). */
  readonly mount: string;
  /** The audience every role binds (`bound_audiences`); every workload with `vault` lists it. */
  readonly audience: string;
  /** A Vault Enterprise namespace, when the mount lives in one. */
  readonly namespace?: string;
}

/** `workloads.<name>.vault`: the role this workload, and only it, may log in as. */
export interface WorkloadVaultSettings {
  /** The role's name (default `wid-<workload>`). */
  readonly role: string;
  /** Vault policies attached to the tokens the role issues. */
  readonly policies: readonly string[];
  readonly tokenTtlSeconds: number;
  readonly tokenMaxTtlSeconds: number;
}
