// The issuer Worker's bindings as data: each binding's name and kind (the Cloudflare binding type
// it is declared with). The Pulumi program (infra/cloudflare/issuer-worker.ts), the local stack
// (worker/local/stack.ts), the policy pack (policies/cloudflare/) and the bundle builder all read
// this table instead of spelling names; worker/bindings/env.ts checks that it lists exactly the
// fields of IssuerEnv. Pure (no Pulumi, Node or Workers import): every side of the repo imports it.
// Plus one Workflows binding per registered workflow, named by the stack (worker/workflows/).

/** How a binding is declared; `deployed`: whether and when the Pulumi program creates it. */
export type IssuerBindingSpec =
  | { readonly type: "kv_namespace"; readonly deployed: "always" }
  | {
      readonly type: "durable_object_namespace";
      readonly deployed: "always";
      /** The class the issuer bundle exports (and the migrations create). */
      readonly className: string;
      readonly storage: "sqlite";
    }
  | { readonly type: "secret_text"; readonly deployed: "always" | "when set" }
  | { readonly type: "plain_text"; readonly deployed: "never" };

/** In the order the program declares them: "always" ones, then the Workflows bindings, then "when set" ones. */
export const ISSUER_BINDINGS = Object.freeze({
  /** The JWKS and the revocation list, as the key store publishes them (KV namespace `<script>-jwks`). */
  PUBLISHED: { type: "kv_namespace", deployed: "always" },
  /** The key store: one SQLite-backed Durable Object. */
  KEY_STORE: { type: "durable_object_namespace", deployed: "always", className: "KeyStore", storage: "sqlite" },
  /** 32 random bytes (base64) sealing every signing key at rest. */
  KEY_ENCRYPTION_KEY: { type: "secret_text", deployed: "always" },
  /** Bearer token of the admin API. */
  ADMIN_TOKEN: { type: "secret_text", deployed: "always" },
  /** The KEK before a KEK rotation: opens rows still sealed under it (never seals); only while set. */
  KEY_ENCRYPTION_KEY_PREVIOUS: { type: "secret_text", deployed: "when set" },
  /** {clientId: secret} of the introspection clients; only with clients. */
  INTROSPECTION_SECRETS: { type: "secret_text", deployed: "when set" },
  /** Tests and the local stack only: shifts the issuer's clock. */
  TEST_CLOCK_OFFSET_SECONDS: { type: "plain_text", deployed: "never" },
} as const) satisfies Readonly<Record<string, IssuerBindingSpec>>;

export type IssuerBindingName = keyof typeof ISSUER_BINDINGS;

/** The names of the bindings of one type. */
export type IssuerBindingsOfType<T extends IssuerBindingSpec["type"]> = {
  [K in IssuerBindingName]: (typeof ISSUER_BINDINGS)[K]["type"] extends T ? K : never;
}[IssuerBindingName];

/** The Durable Object class of the key store (the issuer bundle exports it). */
export const KEY_STORE_CLASS = ISSUER_BINDINGS.KEY_STORE.className;

/** The bindings as [name, spec] pairs, in the table's order. */
export function issuerBindingEntries(): readonly (readonly [IssuerBindingName, IssuerBindingSpec])[] {
  return Object.entries(ISSUER_BINDINGS) as [IssuerBindingName, IssuerBindingSpec][];
}
