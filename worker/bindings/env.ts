// Bindings of the issuer Worker, as the Worker sees them. Their names and kinds are the table in
// table.ts, which the Pulumi program (infra/) and the local stack (worker/local/) create them
// from; the check below fails typecheck when a field is here and not there, or the reverse. The
// stack's settings are not a binding: they are built into the bundle (worker/runtime-config).

import type { KeyStore, KeyStoreEnv } from "../keys/key-store.js";
import type { ISSUER_BINDINGS, IssuerBindingSpec } from "./table.js";

export interface IssuerEnv {
  /** Secret: base64 of 32 random bytes sealing every private key. */
  readonly KEY_ENCRYPTION_KEY?: string;
  /** Secret, during a KEK rotation only: the KEK rows may still be sealed under (opens, never seals). */
  readonly KEY_ENCRYPTION_KEY_PREVIOUS?: string;
  /** Secret: bearer token for the /admin API. Without it the admin API is closed. */
  readonly ADMIN_TOKEN?: string;
  /** KV: where the key store publishes the JWKS and the revocation list for every location to read. */
  readonly PUBLISHED: KVNamespace;
  /** The key store: a single SQLite-backed Durable Object, the only writer of keys. */
  readonly KEY_STORE: DurableObjectNamespace<KeyStore>;
  /** Secret: JSON {clientId: secret} of the relying parties allowed to call POST /introspect. */
  readonly INTROSPECTION_SECRETS?: string;
  // Plus one Workflows binding per registered workflow, WORKFLOW_<name> (worker/workflows/instance.ts).
  /** Tests and the local stack only: shifts the issuer's clock. */
  readonly TEST_CLOCK_OFFSET_SECONDS?: string;
}

// The check: `satisfies Record<keyof IssuerEnv, IssuerBindingSpec>` on the table, written here
// because IssuerEnv's Workers types cannot be read where the Pulumi program imports the table.
type Expect<T extends true> = T;
type Table = typeof ISSUER_BINDINGS;
/** Every field of IssuerEnv has a row in the table, and every row a field. */
export type IssuerBindingsChecked = [
  Expect<Table extends Record<keyof IssuerEnv, IssuerBindingSpec> ? true : false>,
  Expect<[Exclude<keyof Table, keyof IssuerEnv>] extends [never] ? true : false>,
  /** The key store Durable Object is constructed with the issuer's env: it must hold what the store reads. */
  Expect<IssuerEnv extends KeyStoreEnv ? true : false>,
];
