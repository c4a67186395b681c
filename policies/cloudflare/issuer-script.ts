// What the policies read from a WorkersScript: its bindings, whether it is a worker-identity
// issuer (it binds the KeyStore Durable Object, a KEY_ENCRYPTION_KEY or an ISSUER_CONFIG), and
// the stack settings in its ISSUER_CONFIG binding ({project, stack, config}, the raw stack
// config with keys `<project>:<name>`, values as Pulumi hands them to programs: often text).

import * as cloudflare from "@pulumi/cloudflare";
import { ISSUER_CONFIG_BINDING, KEY_ENCRYPTION_KEY_BINDING, KEY_STORE_CLASS } from "../../infra/cloudflare/issuer-bindings.js";
import { isRecord, isUnknown } from "../inputs.js";
import { integerValue } from "../../worker/config/fields.js";

export { ISSUER_CONFIG_BINDING, KEY_ENCRYPTION_KEY_BINDING, KEY_STORE_CLASS };
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
      (binding.type === "durable_object_namespace" && binding.className === KEY_STORE_CLASS) ||
      binding.name === KEY_ENCRYPTION_KEY_BINDING ||
      binding.name === ISSUER_CONFIG_BINDING,
  );
}

export type IssuerSettings =
  | { readonly kind: "absent" | "unknown" }
  | { readonly kind: "unreadable"; readonly reason: string }
  | { readonly kind: "settings"; readonly project: string; readonly config: Readonly<Record<string, unknown>> };

const REDEPLOY = "write it as JSON {project, stack, config} (infra/cloudflare/issuer-config.ts does)";

export function issuerSettings(script: Readonly<Record<string, unknown>>): IssuerSettings {
  const bindings = bindingsOf(script);
  if (bindings === undefined) return { kind: "unknown" };
  const binding = bindingNamed(bindings, ISSUER_CONFIG_BINDING);
  if (binding === undefined) return { kind: "absent" };
  const source = binding.type === "json" ? binding.json : binding.text;
  if (isUnknown(binding.type) || isUnknown(source)) return { kind: "unknown" };
  if (typeof source !== "string") return { kind: "unreadable", reason: `the ${ISSUER_CONFIG_BINDING} binding has no text; ${REDEPLOY}` };
  let document: unknown;
  try {
    document = JSON.parse(source);
  } catch {
    return { kind: "unreadable", reason: `the ${ISSUER_CONFIG_BINDING} binding is not JSON; ${REDEPLOY}` };
  }
  if (!isRecord(document) || typeof document.project !== "string" || !isRecord(document.config)) {
    return { kind: "unreadable", reason: `the ${ISSUER_CONFIG_BINDING} binding is not {project, stack, config}; ${REDEPLOY}` };
  }
  return { kind: "settings", project: document.project, config: document.config };
}

/**
 * A whole-number setting as the issuer's validator reads it (a number, or its decimal text), its
 * default when absent, or undefined when it is not a whole number.
 */
export function wholeNumberSetting(
  settings: { readonly project: string; readonly config: Readonly<Record<string, unknown>> },
  name: string,
  fallback: number,
): number | undefined {
  const value = settings.config[`${settings.project}:${name}`];
  return value === undefined ? fallback : integerValue(value);
}
