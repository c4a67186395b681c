// State one issuer isolate keeps between requests: its copy of the signing key and the tokens it
// handed out. Admin operations handled by this isolate drop both at once; other isolates pick up
// a rotation or revocation within SIGNING_KEY_CACHE_MS.

import { SigningKeyCache } from "../keys/signing-key-cache.js";
import { TokenCache } from "../tokens/token-cache.js";

export const signingKeys = new SigningKeyCache();
export const tokens = new TokenCache();

export function forgetIsolateKeys(): void {
  signingKeys.invalidate();
}
