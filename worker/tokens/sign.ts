// Signs a claims set with the isolate's active key. Header: alg, kid, typ.

import { SignJWT, type JWTPayload } from "jose";
import type { SigningKey } from "../keys/signing-key-cache.js";

export async function signToken(claims: JWTPayload, key: SigningKey): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: key.alg, kid: key.kid, typ: "JWT" }).sign(key.key);
}
