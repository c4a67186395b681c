// What the policies read from a WorkersScript: its bindings, whether it is a worker-identity
// issuer, and the issuer settings in the runtime config its content carries (the bundle's first
// line, worker/runtime-config/embedding.ts: the values the Worker runs with, resolved from the
// stack config at deploy time).

import * as cloudflare from "@pulumi/cloudflare";
import { ISSUER_BINDINGS, KEY_ENCRYPTION_KEY_BINDING } from "../../infra/cloudflare/issuer-bindings.js";
import type { IssuerSettings } from "../../worker/config/index.js";
import { errorDetailOf } from "../../worker/errors.js";
import { carriesRuntimeConfig, runtimeConfigOfBundle } from "../../worker/runtime-config/embedding.js";
import { isRecord, isUnknown } from "../inputs.js";

export { ISSUER_BINDINGS, KEY_ENCRYPTION_KEY_BINDING };
export const WORKERS_SCRIPT = cloudflare.WorkersScript;

export type Binding = Readonly<Record<string, unknown>>;

/** The script's bindings, or undefined while the list is unknown. */
export function bindingsOf(script: Readonly<Record<string, unknown>>): readonly Binding[] | undefined {
  const bindings = script.bindings;
  if (isUnknown(bindings)) return undefined;
  return Array.isArray(bindings) ? bindings.filter(isRecord) : [];
}

export function bindingNamed(bindings: readonly Binding[], name: string): Binding | undefined {
  return bindings.find((binding) => binding.name === name);
}

export function isIssuerScript(bindings: readonly Binding[]): boolean {
  return bindings.some(
    (binding) =>
      (binding.type === ISSUER_BINDINGS.KEY_STORE.type && binding.className === ISSUER_BINDINGS.KEY_STORE.className) ||
      binding.name === KEY_ENCRYPTION_KEY_BINDING,
  );
}

export type IssuerScriptSettings =
  | { readonly kind: "absent" | "unknown" }
  | { readonly kind: "unreadable"; readonly reason: string }
  | { readonly kind: "settings"; readonly project: string; readonly issuer: IssuerSettings };

/**
 * The issuer settings built into the script's content. A script that carries no runtime config
 * is no issuer of ours ("absent") unless its bindings say it is one: then it is "unreadable".
 */
export function issuerSettings(script: Readonly<Record<string, unknown>>): IssuerScriptSettings {
  const content = script.content;
  if (isUnknown(content)) return { kind: "unknown" };
  if (typeof content !== "string" || !carriesRuntimeConfig(content)) {
    const bindings = bindingsOf(script);
    if (bindings === undefined) return { kind: "unknown" };
    if (!isIssuerScript(bindings)) return { kind: "absent" };
  }
  try {
    const config = runtimeConfigOfBundle(typeof content === "string" ? content : "");
    return { kind: "settings", project: config.project, issuer: config.issuer };
  } catch (error) {
    return { kind: "unreadable", reason: error instanceof Error ? errorDetailOf(error) : String(error) };
  }
}
