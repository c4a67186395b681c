// HashiCorp Vault federation: the stack's `vault` key (the server, the JWT auth mount and the
// audience its roles bind). CONTRACT STUB: the Vault work replaces this body.

import { type FieldReader, isPlainObject } from "./fields.js";
import type { VaultSettings } from "./vault-settings.js";

export const readVaultSettings: FieldReader<VaultSettings> = (value, key, issues) => {
  if (typeof value === "string") value = JSON.parse(value) as unknown;
  if (!isPlainObject(value) || typeof value.address !== "string") {
    issues.add(key, "must be a map like {address: https://vault.example.com:8200}");
    return undefined;
  }
  const address = value.address;
  const mount = typeof value.mount === "string" ? value.mount : "worker-identity";
  const audience = typeof value.audience === "string" ? value.audience : address;
  return { address, mount, audience };
};

export const VAULT_STACK_KEY_EMPTY =
  "is empty; write vault: {address: https://<vault>:8200} to federate Vault, or delete the line";
