// Signing key generation and import with WebCrypto. RS256 is RSASSA-PKCS1-v1_5 with SHA-256 over a
// 2048-bit modulus; ES256 is ECDSA over P-256. The kid is the RFC 7638 JWK thumbprint of the
// public key, so a kid can never name two different keys.

import { calculateJwkThumbprint, type JWK } from "jose";
import type { SigningAlgorithm } from "../config/types.js";

export interface GeneratedKey {
  readonly kid: string;
  readonly alg: SigningAlgorithm;
  /** The public JWK as published: kty + key parameters, kid, alg, use. */
  readonly publicJwk: JWK;
  readonly pkcs8: Uint8Array;
}

const RSA_MODULUS_BITS = 2048;

function generationParams(alg: SigningAlgorithm) {
  return alg === "RS256"
    ? {
        name: "RSASSA-PKCS1-v1_5",
        modulusLength: RSA_MODULUS_BITS,
        publicExponent: new Uint8Array([1, 0, 1]),
        hash: "SHA-256",
      }
    : { name: "ECDSA", namedCurve: "P-256" };
}

function importParams(alg: SigningAlgorithm) {
  return alg === "RS256" ? { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" } : { name: "ECDSA", namedCurve: "P-256" };
}

export async function generateSigningKey(alg: SigningAlgorithm): Promise<GeneratedKey> {
  const pair = (await crypto.subtle.generateKey(generationParams(alg), true, ["sign", "verify"])) as CryptoKeyPair;
  const exported = (await crypto.subtle.exportKey("jwk", pair.publicKey)) as JsonWebKey;
  const publicParams: JWK =
    alg === "RS256"
      ? { kty: "RSA", n: exported.n as string, e: exported.e as string }
      : { kty: "EC", crv: "P-256", x: exported.x as string, y: exported.y as string };
  const kid = await calculateJwkThumbprint(publicParams, "sha256");
  const pkcs8 = new Uint8Array((await crypto.subtle.exportKey("pkcs8", pair.privateKey)) as ArrayBuffer);
  return { kid, alg, publicJwk: { ...publicParams, kid, alg, use: "sig" }, pkcs8 };
}

/** Imports an opened private key for signing; the result cannot be exported again. */
export async function importSigningKey(alg: SigningAlgorithm, pkcs8: Uint8Array): Promise<CryptoKey> {
  return crypto.subtle.importKey("pkcs8", pkcs8, importParams(alg), false, ["sign"]);
}
