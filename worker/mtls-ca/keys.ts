// ECDSA P-256 keys and signatures that are a pure function of the stack's mTLS seed, so that
// `pulumi up` computes byte-identical certificates on every run until their renewal window ends:
//   - a key is HKDF-SHA256(seed, label) mapped onto the curve's scalar field (FIPS 186-5 A.2.1,
//     @noble/curves randomSecretKey with that seed);
//   - a signature is deterministic ECDSA (RFC 6979) by @noble/curves: node:crypto draws a random
//     nonce for every signature and offers no deterministic mode.
// node:crypto does the key encodings (JWK in, SPKI and PKCS#8 out).

import { createHash, createPrivateKey, createPublicKey, hkdfSync, type KeyObject } from "node:crypto";
import { p256 } from "@noble/curves/nist.js";

/** HKDF salt: separates these keys from anything else a stack might derive from a seed. */
const HKDF_SALT = "worker-identity mTLS v1";
/** Bytes of HKDF output per key (p256.lengths.seed: 8 bytes more than the field, so the bias is negligible). */
const KEY_SEED_BYTES = 48;
/** The smallest seed accepted: a 256-bit secret. */
export const MIN_SEED_BYTES = 32;

export interface DerivedKeyPair {
  /** The label it was derived for (never secret). */
  readonly label: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** SubjectPublicKeyInfo, DER. */
  readonly spki: Uint8Array;
  /** PKCS#8, PEM: what Cloudflare's mTLS certificate upload takes. */
  readonly privateKeyPem: string;
  /** RFC 7093 §2 method 1: the leftmost 160 bits of SHA-256 of the public key (subject/authority key id). */
  readonly keyId: Uint8Array;
  /** Signs `data` with ECDSA P-256 / SHA-256, deterministically; DER (Ecdsa-Sig-Value). */
  sign(data: Uint8Array): Uint8Array;
}

/** Bytes derived from `seed` for `label` (also the certificates' serial numbers). */
export function deriveBytes(seed: Uint8Array, label: string, length: number): Uint8Array {
  if (seed.length < MIN_SEED_BYTES) throw new RangeError(`the mTLS seed must be at least ${MIN_SEED_BYTES} bytes`);
  return new Uint8Array(hkdfSync("sha256", seed, HKDF_SALT, label, length));
}

export function deriveKeyPair(seed: Uint8Array, label: string): DerivedKeyPair {
  const secret = p256.utils.randomSecretKey(deriveBytes(seed, `key/${label}`, KEY_SEED_BYTES));
  const point = p256.getPublicKey(secret, false); // 0x04 || x || y
  const jwk = {
    kty: "EC",
    crv: "P-256",
    x: Buffer.from(point.subarray(1, 33)).toString("base64url"),
    y: Buffer.from(point.subarray(33, 65)).toString("base64url"),
  };
  const privateKey = createPrivateKey({ key: { ...jwk, d: Buffer.from(secret).toString("base64url") }, format: "jwk" });
  const publicKey = createPublicKey({ key: jwk, format: "jwk" });
  return {
    label,
    privateKey,
    publicKey,
    spki: new Uint8Array(publicKey.export({ type: "spki", format: "der" })),
    privateKeyPem: String(privateKey.export({ type: "pkcs8", format: "pem" })),
    keyId: new Uint8Array(createHash("sha256").update(point).digest().subarray(0, 20)),
    sign: (data) => p256.sign(data, secret, { format: "der" }),
  };
}
