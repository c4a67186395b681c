// The issuer script's bindings list, built from the bindings table (worker/bindings/table.ts):
// the program supplies a value for each binding that needs one, the table the names, types and
// order. Pure: the policy pack imports this without the Pulumi program. The stack's settings are
// no binding: they are built into the script's content (worker/runtime-config/embedding.ts),
// where the pack reads them.

import {
  ISSUER_BINDINGS,
  type IssuerBindingName,
  type IssuerBindingsOfType,
  issuerBindingEntries,
  KEY_STORE_CLASS,
} from "../../worker/bindings/table.js";

export { ISSUER_BINDINGS, KEY_STORE_CLASS };

/** The secret that seals every signing key at rest (the pack recognises the issuer by it). */
export const KEY_ENCRYPTION_KEY_BINDING = "KEY_ENCRYPTION_KEY" satisfies IssuerBindingName;

/** One binding of the issuer script, its value of type V (a Pulumi input in the program). */
export type IssuerScriptBinding<V> =
  | { readonly type: "kv_namespace"; readonly name: string; readonly namespaceId: V }
  | { readonly type: "durable_object_namespace"; readonly name: string; readonly className: string }
  | { readonly type: "secret_text"; readonly name: string; readonly text: V };

/** The deployed bindings that carry a value: a namespace id, or a secret's text. */
export type IssuerBindingValues<V> = {
  readonly [K in
    | IssuerBindingsOfType<"kv_namespace">
    | IssuerBindingsOfType<"secret_text">]: (typeof ISSUER_BINDINGS)[K]["deployed"] extends "when set"
    ? V | undefined
    : V;
};

/**
 * The issuer script's bindings in the table's order: those deployed "always", then `between`
 * (the Workflows bindings), then those deployed "when set" that have a value.
 */
export function issuerScriptBindings<V, B>(
  values: IssuerBindingValues<V>,
  between: readonly B[] = [],
): (IssuerScriptBinding<V> | B)[] {
  const always: IssuerScriptBinding<V>[] = [];
  const whenSet: IssuerScriptBinding<V>[] = [];
  for (const [name, spec] of issuerBindingEntries()) {
    if (spec.type === "durable_object_namespace") {
      always.push({ type: spec.type, name, className: spec.className });
      continue;
    }
    if (spec.type === "plain_text") continue; // deployed "never"
    const value = (values as Readonly<Record<string, V | undefined>>)[name];
    if (value === undefined) {
      if (spec.deployed === "always") throw new TypeError(`issuerScriptBindings: no value for ${name}`);
      continue;
    }
    const binding: IssuerScriptBinding<V> =
      spec.type === "kv_namespace"
        ? { type: spec.type, name, namespaceId: value }
        : { type: spec.type, name, text: value };
    (spec.deployed === "always" ? always : whenSet).push(binding);
  }
  return [...always, ...between, ...whenSet];
}
