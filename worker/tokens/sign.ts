// Signs a claims set with the isolate's active key into a compact JWS; header: alg, kid, typ.
// Written on WebCrypto directly rather than through jose's SignJWT: the claims are ours (built by
// claims.ts), so jose's checks and copies of them only cost time, which in workerd was about as
// much as the ES256 signature itself (bench/RESULTS.md). The encoded header is made once per key.

import type { CryptoKey, JWTPayload } from "jose";
import type { SigningAlgorithm } from "../config/types.js";
import { encodeBase64url } from "../encoding/base64url.js";

/** What signing needs of the isolate's SigningKey (keys/signing-key-cache.ts). */
export interface TokenSigningKey {
  readonly kid: string;
  readonly alg: SigningAlgorithm;
  readonly key: CryptoKey;
}

const PARAMETERS: Record<SigningAlgorithm, { readonly name: string; readonly hash?: string }> = {
  RS256: { name: "RSASSA-PKCS1-v1_5" },
  ES256: { name: "ECDSA", hash: "SHA-256" },
};

const utf8 = new TextEncoder();
const encodedHeaders = new WeakMap<TokenSigningKey, string>();

export async function signToken(claims: JWTPayload, key: TokenSigningKey): Promise<string> {
  const input = `${encodedHeader(key)}.${encodeBase64url(utf8.encode(JSON.stringify(claims)))}`;
  const signature = await crypto.subtle.sign(PARAMETERS[key.alg], key.key, utf8.encode(input));
  return `${input}.${encodeBase64url(new Uint8Array(signature))}`;
}

function encodedHeader(key: TokenSigningKey): string {
  let header = encodedHeaders.get(key);
  if (header === undefined) {
    header = encodeBase64url(utf8.encode(JSON.stringify({ alg: key.alg, kid: key.kid, typ: "JWT" })));
    encodedHeaders.set(key, header);
  }
  return header;
}
