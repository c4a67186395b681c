// What Vault's JWT auth method (and the vault provider) refuse, each with its source.
// CONTRACT STUB: the Vault work fills this table.

export const VAULT = Object.freeze({});
