// A workload's `azure` section (Entra ID). CONTRACT STUB: the Entra ID work replaces this body
// (the reader, and the resolver's checks against the stack and the other workloads).

import type { WorkloadAzureSettings } from "./azure-settings.js";
import { isPlainObject } from "./fields.js";
import type { WorkloadSection } from "./relying-parties.js";

export const WORKLOAD_AZURE_EMPTY = "is empty; remove the line, or write the section's settings";

export const azureSection: WorkloadSection<Record<string, unknown>, WorkloadAzureSettings> = {
  section: "azure",
  field: {
    read: (value, key, issues) => {
      if (isPlainObject(value)) return value;
      issues.add(key, "must be a map");
      return undefined;
    },
    empty: WORKLOAD_AZURE_EMPTY,
  },
  resolve: () => new Map(),
};
