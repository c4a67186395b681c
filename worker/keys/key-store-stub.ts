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

/**
 * Whether `error` is the platform failing a call to the key store (the object was reset, is
 * overloaded, or the connection to it was lost) rather than an error the key store's code threw,
 * which carries `remote` (https://developers.cloudflare.com/durable-objects/best-practices/error-handling/).
 * The call's outcome is unknown then: a key operation was done in full or not at all.
 */
export function isKeyStoreFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const flags = error as Error & {
    remote?: unknown;
    durableObjectReset?: unknown;
    retryable?: unknown;
    overloaded?: unknown;
  };
  if (flags.remote === true) return false;
  return flags.durableObjectReset === true || flags.retryable === true || flags.overloaded === true;
}
