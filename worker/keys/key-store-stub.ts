// The one key store instance of an issuer deployment.

import type { IssuerEnv } from "../issuer/env.js";

export const KEY_STORE_NAME = "signing-keys";

export function keyStoreOf(env: IssuerEnv) {
  return env.KEY_STORE.get(env.KEY_STORE.idFromName(KEY_STORE_NAME));
}
