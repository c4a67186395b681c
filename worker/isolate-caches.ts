// State one issuer isolate keeps between requests: its copy of the signing key, the tokens it
// handed out, and its mirror of the edge-cached JWKS. Admin key changes handled by this isolate
// drop the key and the mirror at once (cached tokens of a retired key are not handed out, see
// tokens/token-cache.ts); other isolates pick up a rotation or revocation within
// SIGNING_KEY_CACHE_MS, and their JWKS mirrors expire with the edge cache entry they copy.

import { forgetJwksMirror } from "./discovery/jwks-endpoint.js";
import { SigningKeyCache } from "./keys/signing-key-cache.js";
import { TokenCache } from "./tokens/token-cache.js";

export const signingKeys = new SigningKeyCache();
export const tokens = new TokenCache();

export function forgetIsolateKeys(): void {
  signingKeys.invalidate();
  forgetJwksMirror();
}
