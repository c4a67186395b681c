// Token forgery for the hostile-token suite: base64url segments, signing of exact JSON texts (so
// a header may repeat a member, which no JSON object can), and edits of a real token that keep
// its signature. Signing is WebCrypto for raw texts and jose's CompactSign for HMAC.

import type { webcrypto } from "node:crypto";
import { CompactSign, calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from "jose";

type CryptoKey = webcrypto.CryptoKey;

export type ForgeAlgorithm = "RS256" | "ES256";

/** A key pair the tests sign with: an attacker's, or one the issuer's JWKS is made to publish. */
export interface Signer {
  readonly alg: ForgeAlgorithm;
  readonly kid: string;
  readonly privateKey: CryptoKey;
  /** The public JWK with kid, alg and use, as a JWKS lists it. */
  readonly publicJwk: JWK;
}

export async function newSigner(alg: ForgeAlgorithm, kid?: string): Promise<Signer> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = await exportJWK(publicKey);
  const id = kid ?? (await calculateJwkThumbprint(jwk));
  return { alg, kid: id, privateKey, publicJwk: { ...jwk, kid: id, alg, use: "sig" } };
}

export const b64url = (data: Uint8Array | string): string => Buffer.from(data).toString("base64url");
export const b64json = (value: unknown): string => b64url(JSON.stringify(value));
export const fromB64url = (segment: string): Uint8Array => new Uint8Array(Buffer.from(segment, "base64url"));
export const segmentText = (segment: string): string => Buffer.from(segment, "base64url").toString("utf8");

export function segmentsOf(token: string): [string, string, string] {
  const parts = token.split(".");
  if (parts.length !== 3) throw new Error(`not a compact JWS: ${parts.length} segments`);
  return parts as [string, string, string];
}

const WEBCRYPTO: Record<ForgeAlgorithm, webcrypto.AlgorithmIdentifier | webcrypto.EcdsaParams> = {
  RS256: { name: "RSASSA-PKCS1-v1_5" },
  ES256: { name: "ECDSA", hash: "SHA-256" },
};

/** Signs `<header>.<payload>` (already base64url) with `key` as `alg` (JWS form: ES256 is r||s). */
export async function signSegments(
  header: string,
  payload: string,
  key: CryptoKey,
  alg: ForgeAlgorithm,
): Promise<string> {
  const input = new TextEncoder().encode(`${header}.${payload}`);
  const signature = new Uint8Array(await crypto.subtle.sign(WEBCRYPTO[alg], key, input));
  return `${header}.${payload}.${b64url(signature)}`;
}

/** Signs the exact JSON texts given (duplicate members and odd spellings survive). */
export function signTexts(headerText: string, payloadText: string, signer: Signer): Promise<string> {
  return signSegments(b64url(headerText), b64url(payloadText), signer.privateKey, signer.alg);
}

/** A token signed by `signer`; the header defaults to {alg, typ: JWT, kid} of the signer. */
export function signJson(signer: Signer, payload: unknown, header: Record<string, unknown> = {}): Promise<string> {
  return signTexts(
    JSON.stringify({ alg: signer.alg, typ: "JWT", kid: signer.kid, ...header }),
    JSON.stringify(payload),
    signer,
  );
}

/** An HS256 token keyed with `secret`: the classic confusion of a public key with an HMAC secret. */
export function signHs256(secret: Uint8Array, payload: unknown, header: Record<string, unknown>): Promise<string> {
  return new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader({ ...header, alg: "HS256" })
    .sign(secret);
}

/** The token with its header replaced by `header` (re-encoded), payload and signature kept. */
export function withHeader(token: string, header: (current: Record<string, unknown>) => unknown): string {
  const [h, p, s] = segmentsOf(token);
  return `${b64json(header(JSON.parse(segmentText(h)) as Record<string, unknown>))}.${p}.${s}`;
}

/** The token with its payload replaced by `payload` (re-encoded), header and signature kept. */
export function withPayload(token: string, payload: (current: Record<string, unknown>) => unknown): string {
  const [h, p, s] = segmentsOf(token);
  return `${h}.${b64json(payload(JSON.parse(segmentText(p)) as Record<string, unknown>))}.${s}`;
}

/** The base64url segment with one bit of its decoded bytes flipped (bit 0: the first byte's top bit). */
export function flipSegmentBit(segment: string, bit: number): string {
  const bytes = fromB64url(segment);
  const index = Math.floor(bit / 8) % bytes.length;
  bytes[index] = bytes[index]! ^ (0x80 >> (bit % 8));
  return b64url(bytes);
}

/** The DER SubjectPublicKeyInfo of a public JWK, and its PEM text. */
export async function spkiOf(jwk: JWK, alg: ForgeAlgorithm): Promise<{ der: Uint8Array; pem: string }> {
  const params =
    alg === "RS256" ? { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" } : { name: "ECDSA", namedCurve: "P-256" };
  const key = await crypto.subtle.importKey("jwk", jwk as webcrypto.JsonWebKey, params, true, ["verify"]);
  const der = new Uint8Array(await crypto.subtle.exportKey("spki", key));
  const body = Buffer.from(der).toString("base64").replace(/.{64}/g, "$&\n").replace(/\n?$/, "\n");
  return { der, pem: `-----BEGIN PUBLIC KEY-----\n${body}-----END PUBLIC KEY-----\n` };
}
