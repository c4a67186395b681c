// Bindings of the issuer Worker. The Pulumi program (infra/) and the local stack (worker/local/)
// are the two places that create them; keep all three in step. The stack's settings are not a
// binding: they are built into the bundle (worker/runtime-config).

import type { KeyStore } from "../keys/key-store.js";

export interface IssuerEnv {
  /** Secret: base64 of 32 random bytes sealing every private key. */
  readonly KEY_ENCRYPTION_KEY?: string;
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
