// The identities a stack registers, read from its own issuer scripts (the runtime config built
// into each script's content, worker/runtime-config/embedding.ts): per trusted issuer (the stack's
// own, and each native issuer its workloads name) the exact subjects registered for it, and the
// workflows' subject prefixes. The stack policies over federated trust (aws/registered-subjects.ts,
// gcp/registered-subjects.ts) compare every trust statement and grant against it. Pure.

import { carriesRuntimeConfig, runtimeConfigOfBundle } from "../worker/runtime-config/embedding.js";
import type { StackResource } from "./gcp/stack-issuers.js";
import { isUnknown } from "./inputs.js";

const WORKERS_SCRIPT_TYPE = "cloudflare:index/workersScript:WorkersScript";

export interface RegisteredIssuer {
  /** `issuer` for the stack's own issuer, `native` for a Cloudflare oidc_tokens issuer. */
  readonly kind: "issuer" | "native";
  /** Exact subjects registered for this issuer. */
  readonly subjects: ReadonlySet<string>;
  /** Workflow subject prefixes (`workflow/<account>/<name>/`), the stack's own issuer only. */
  readonly subjectPrefixes: ReadonlySet<string>;
}

export type StackRegistry =
  | { readonly kind: "none" | "unknown" }
  | { readonly kind: "registry"; readonly issuers: ReadonlyMap<string, RegisteredIssuer> };

/** What the stack's issuer scripts register; "unknown" while a script's content is (preview), "none" without one. */
export function stackRegistry(resources: readonly StackResource[]): StackRegistry {
  const issuers = new Map<string, { kind: "issuer" | "native"; subjects: Set<string>; subjectPrefixes: Set<string> }>();
  const entry = (url: string, kind: "issuer" | "native") => {
    let found = issuers.get(url);
    if (found === undefined) {
      found = { kind, subjects: new Set(), subjectPrefixes: new Set() };
      issuers.set(url, found);
    }
    return found;
  };
  let scripts = 0;
  for (const { type, props } of resources) {
    if (type !== WORKERS_SCRIPT_TYPE) continue;
    if (isUnknown(props.content)) return { kind: "unknown" };
    if (typeof props.content !== "string" || !carriesRuntimeConfig(props.content)) continue;
    let config: ReturnType<typeof runtimeConfigOfBundle>;
    try {
      config = runtimeConfigOfBundle(props.content);
    } catch {
      continue; // the cloudflare-issuer-* policies report an unreadable runtime config
    }
    scripts++;
    const own = entry(config.issuer.issuerUrl, "issuer");
    for (const workload of config.workloads) {
      own.subjects.add(workload.subject);
      if (workload.native !== undefined) entry(workload.native.issuer, "native").subjects.add(workload.native.subject);
    }
    for (const workflow of config.workflows) own.subjectPrefixes.add(workflow.subjectPrefix);
  }
  return scripts === 0 ? { kind: "none" } : { kind: "registry", issuers };
}

/** Issuer URLs compare without a trailing slash and with the host's case folded. */
export function registeredIssuer(
  registry: { readonly issuers: ReadonlyMap<string, RegisteredIssuer> },
  url: string,
): [string, RegisteredIssuer] | undefined {
  const fold = (text: string) => text.trim().replace(/\/+$/, "").toLowerCase();
  for (const [issuer, registered] of registry.issuers) if (fold(issuer) === fold(url)) return [issuer, registered];
  return undefined;
}

/** Every exact subject the stack registers, for any issuer (GCP principals name the pool, not the provider). */
export function allRegisteredSubjects(registry: {
  readonly issuers: ReadonlyMap<string, RegisteredIssuer>;
}): Set<string> {
  return new Set([...registry.issuers.values()].flatMap((issuer) => [...issuer.subjects]));
}
