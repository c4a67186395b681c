// The JWKS document, checked before any key in it is used: {"keys": [...]}, at most MAX_KEYS keys,
// no private or symmetric key material (an issuer that publishes it is compromised or misconfigured,
// and such a document must not be trusted at all), unique kids.

import type { JWK } from "jose";
import { JwksUnavailableError } from "./errors.js";
import { parseStrictJsonObject } from "./strict-json.js";

export const MAX_KEYS = 32;
/** RSA, EC and OKP private members, and the symmetric key value `k` of an oct key. */
const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"] as const;

/** The signature-verification keys of a JWKS, by kid. Keys without kid or not for "sig" are left out. */
export function parseJwks(body: string, url: string): ReadonlyMap<string, JWK> {
  const refuse = (reason: string) => new JwksUnavailableError(`the JWKS at ${url} was refused: ${reason}`);
  const parsed = parseStrictJsonObject(body);
  if (!parsed.ok) throw refuse(`the document ${parsed.reason}`);
  const { keys } = parsed.value;
  if (!Array.isArray(keys)) throw refuse('it is not {"keys": [...]}');
  if (keys.length > MAX_KEYS)
    throw refuse(`it has ${keys.length} keys, more than the ${MAX_KEYS} this verifier accepts`);
  const byKid = new Map<string, JWK>();
  for (const [index, key] of keys.entries()) {
    if (typeof key !== "object" || key === null || Array.isArray(key)) throw refuse(`keys[${index}] is not an object`);
    const jwk = key as Record<string, unknown>;
    if (typeof jwk.kty !== "string") throw refuse(`keys[${index}] has no kty`);
    const secret = PRIVATE_MEMBERS.find((name) => Object.hasOwn(jwk, name));
    if (secret !== undefined) throw refuse(`keys[${index}] carries the private member "${secret}"`);
    if (typeof jwk.kid !== "string" || jwk.kid === "") continue;
    if (jwk.use !== undefined && jwk.use !== "sig") continue;
    if (jwk.key_ops !== undefined && !(Array.isArray(jwk.key_ops) && jwk.key_ops.includes("verify"))) continue;
    if (byKid.has(jwk.kid)) throw refuse(`two keys share the kid at keys[${index}]`);
    byKid.set(jwk.kid, Object.freeze({ ...jwk }) as JWK);
  }
  return byKid;
}
