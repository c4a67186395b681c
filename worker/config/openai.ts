// A workload's `openai` section (the OpenAI API). CONTRACT STUB: the the OpenAI API work replaces this body
// (the reader, and the resolver's checks against the stack and the other workloads).

import { isPlainObject } from "./fields.js";
import type { WorkloadOpenAiSettings } from "./openai-settings.js";
import type { WorkloadSection } from "./relying-parties.js";

export const WORKLOAD_OPENAI_EMPTY = "is empty; remove the line, or write the section's settings";

export const openaiSection: WorkloadSection<Record<string, unknown>, WorkloadOpenAiSettings> = {
  section: "openai",
  field: {
    read: (value, key, issues) => {
      if (isPlainObject(value)) return value;
      issues.add(key, "must be a map");
      return undefined;
    },
    empty: WORKLOAD_OPENAI_EMPTY,
  },
  resolve: () => new Map(),
};
