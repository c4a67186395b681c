// A workload's `vault` section (Vault). CONTRACT STUB: the Vault work replaces this body
// (the reader, and the resolver's checks against the stack and the other workloads).

import { isPlainObject } from "./fields.js";
import type { WorkloadSection } from "./relying-parties.js";
import type { WorkloadVaultSettings } from "./vault-settings.js";

export const WORKLOAD_VAULT_EMPTY = "is empty; remove the line, or write the section's settings";

export const vaultSection: WorkloadSection<Record<string, unknown>, WorkloadVaultSettings> = {
  section: "vault",
  field: {
    read: (value, key, issues) => {
      if (isPlainObject(value)) return value;
      issues.add(key, "must be a map");
      return undefined;
    },
    empty: WORKLOAD_VAULT_EMPTY,
  },
  resolve: () => new Map(),
};
