// The one key store instance of an issuer deployment.

import type { KeyStore } from "./key-store.js";

export const KEY_STORE_NAME = "signing-keys";

/** What of the issuer's bindings reaching the key store takes (IssuerEnv has it). */
export interface KeyStoreBinding {
  readonly KEY_STORE: DurableObjectNamespace<KeyStore>;
}

export function keyStoreOf(env: KeyStoreBinding) {
  return env.KEY_STORE.get(env.KEY_STORE.idFromName(KEY_STORE_NAME));
}
