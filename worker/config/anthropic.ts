// A workload's `anthropic` section (the Claude API). CONTRACT STUB: the the Claude API work replaces this body
// (the reader, and the resolver's checks against the stack and the other workloads).

import type { WorkloadAnthropicSettings } from "./anthropic-settings.js";
import { isPlainObject } from "./fields.js";
import type { WorkloadSection } from "./relying-parties.js";

export const WORKLOAD_ANTHROPIC_EMPTY = "is empty; remove the line, or write the section's settings";

export const anthropicSection: WorkloadSection<Record<string, unknown>, WorkloadAnthropicSettings> = {
  section: "anthropic",
  field: {
    read: (value, key, issues) => {
      if (isPlainObject(value)) return value;
      issues.add(key, "must be a map");
      return undefined;
    },
    empty: WORKLOAD_ANTHROPIC_EMPTY,
  },
  resolve: () => new Map(),
};
