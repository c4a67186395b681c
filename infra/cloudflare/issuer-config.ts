// The ISSUER_CONFIG binding the issuer Worker validates at startup: the stack's identity keys
// only. Cloud federation settings (the issuer-level `aws`/`gcp` keys and each workload's and
// workflow's `aws`/`gcp` sections: role names, policies, service accounts) stay out of the Worker.

import type { IssuerConfigBinding } from "../../worker/config/binding.js";

const CLOUD_SECTIONS = new Set(["aws", "gcp"]);
/** Stack keys the issuer Worker never reads. */
const PROGRAM_ONLY_KEYS = new Set(["edgeMiddleware"]);

export function issuerConfigBinding(
  project: string,
  stack: string,
  rawConfig: Readonly<Record<string, unknown>>,
): IssuerConfigBinding {
  const prefix = `${project}:`;
  const config: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(rawConfig)) {
    if (!key.startsWith(prefix)) continue;
    const name = key.slice(prefix.length);
    if (CLOUD_SECTIONS.has(name) || PROGRAM_ONLY_KEYS.has(name)) continue;
    config[key] = name === "workloads" || name === "workflows" ? withoutCloudSections(value) : value;
  }
  return { project, stack, config };
}

function withoutCloudSections(workloads: unknown): unknown {
  const map = typeof workloads === "string" ? (JSON.parse(workloads) as unknown) : workloads;
  if (typeof map !== "object" || map === null || Array.isArray(map)) return workloads;
  const stripped: Record<string, unknown> = {};
  for (const [name, settings] of Object.entries(map)) {
    if (typeof settings !== "object" || settings === null || Array.isArray(settings)) {
      stripped[name] = settings;
      continue;
    }
    stripped[name] = Object.fromEntries(Object.entries(settings).filter(([field]) => !CLOUD_SECTIONS.has(field)));
  }
  return stripped;
}
