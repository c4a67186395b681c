// The key-encryption key (KEK): a 256-bit AES-GCM key from the KEY_ENCRYPTION_KEY Worker secret.
// Private signing keys exist in plaintext only in memory; at rest (SQLite) and in transit
// (key store → issuer isolate) they are sealed under the KEK, with the kid as additional data so
// a sealed key cannot be swapped onto another key's row.
// Rotation of the KEK itself (a ring): KEY_ENCRYPTION_KEY is the current KEK, which seals
// everything; KEY_ENCRYPTION_KEY_PREVIOUS, while set, only opens rows its fingerprint names, until
// the key store's rewrap has re-sealed them all under the current one.

import { KeyEncryptionKeyError } from "../errors.js";

/** WebCrypto's key type, named so that this module type-checks under Workers and Node types alike. */
type AesKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>;

export interface KeyEncryptionKey {
  /** A fingerprint naming this KEK (not secret): stored beside sealed keys to detect a wrong KEK. */
  readonly id: string;
  readonly key: AesKey;
}

export interface SealedKey {
  readonly kekId: string;
  readonly iv: Uint8Array;
  readonly ciphertext: Uint8Array;
}

const KEK_BYTES = 32;
const IV_BYTES = 12;
const FINGERPRINT_LABEL = new TextEncoder().encode("worker-identity/kek-fingerprint/v1\0");
const HOW_TO_FIX =
  "set the KEY_ENCRYPTION_KEY Worker secret to 32 random bytes, base64-encoded " +
  "(`openssl rand -base64 32`); `pulumi up` generates and sets one for you";

const PREVIOUS = "KEY_ENCRYPTION_KEY_PREVIOUS";
const HOW_TO_FIX_PREVIOUS =
  "set it to the KEY_ENCRYPTION_KEY the keys were sealed with before the KEK rotation, or unset it once `wid keys rewrap` reports it removable";

export async function importKeyEncryptionKey(
  secret: string | undefined,
  name: "KEY_ENCRYPTION_KEY" | typeof PREVIOUS = "KEY_ENCRYPTION_KEY",
): Promise<KeyEncryptionKey> {
  const fix = name === PREVIOUS ? HOW_TO_FIX_PREVIOUS : HOW_TO_FIX;
  if (secret === undefined || secret.trim() === "") {
    throw new KeyEncryptionKeyError(`${name} is not set; ${fix}`);
  }
  const raw = decodeBase64(secret.trim());
  if (!raw || raw.length !== KEK_BYTES) {
    throw new KeyEncryptionKeyError(
      `${name} must be exactly ${KEK_BYTES} bytes of base64 (got ${raw ? `${raw.length} bytes` : "text that is not base64"}); ${fix}`,
    );
  }
  const material = new Uint8Array(FINGERPRINT_LABEL.length + raw.length);
  material.set(FINGERPRINT_LABEL);
  material.set(raw, FINGERPRINT_LABEL.length);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", material));
  const id = [...digest.slice(0, 8)].map((b) => b.toString(16).padStart(2, "0")).join("");
  const key = await crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]);
  return { id, key };
}

/** The KEKs the issuer holds: `current` seals and opens; `previous` (while set) only opens. */
export interface KeyEncryptionKeyRing {
  readonly current: KeyEncryptionKey;
  readonly previous: KeyEncryptionKey | undefined;
}

export interface KeyEncryptionKeySecrets {
  readonly current: string | undefined;
  readonly previous: string | undefined;
}

/**
 * Imports both secrets. A previous secret that is malformed, or names the same KEK as the
 * current one, is refused: either is a mistake in the rotation, and silently ignoring it would
 * leave rows unopenable once the previous secret is removed.
 */
export async function importKeyEncryptionKeyRing(secrets: KeyEncryptionKeySecrets): Promise<KeyEncryptionKeyRing> {
  const current = await importKeyEncryptionKey(secrets.current);
  if (secrets.previous === undefined || secrets.previous.trim() === "") return { current, previous: undefined };
  const previous = await importKeyEncryptionKey(secrets.previous, PREVIOUS);
  if (previous.id === current.id) {
    throw new KeyEncryptionKeyError(
      `KEY_ENCRYPTION_KEY_PREVIOUS is the same KEK as KEY_ENCRYPTION_KEY (${current.id}); ` +
        "set KEY_ENCRYPTION_KEY to the new KEK and KEY_ENCRYPTION_KEY_PREVIOUS to the old one, or unset KEY_ENCRYPTION_KEY_PREVIOUS",
    );
  }
  return { current, previous };
}

/** The ring's KEK that sealed `sealed`; fails closed, naming both fingerprints, when neither did. */
export function kekFor(ring: KeyEncryptionKeyRing, kid: string, sealed: Pick<SealedKey, "kekId">): KeyEncryptionKey {
  if (sealed.kekId === ring.current.id) return ring.current;
  if (ring.previous !== undefined && sealed.kekId === ring.previous.id) return ring.previous;
  const held =
    ring.previous === undefined
      ? `KEY_ENCRYPTION_KEY is KEK ${ring.current.id} and KEY_ENCRYPTION_KEY_PREVIOUS is not set`
      : `KEY_ENCRYPTION_KEY is KEK ${ring.current.id} and KEY_ENCRYPTION_KEY_PREVIOUS is KEK ${ring.previous.id}`;
  throw new KeyEncryptionKeyError(
    `signing key ${kid} was sealed with KEK ${sealed.kekId}, but ${held}; ` +
      `restore the KEY_ENCRYPTION_KEY secret the keys were created with (or set it as KEY_ENCRYPTION_KEY_PREVIOUS during a KEK rotation; or revoke every key to start afresh)`,
  );
}

/** Opens a sealed key under whichever KEK of the ring its fingerprint names. */
export async function openWithRing(ring: KeyEncryptionKeyRing, kid: string, sealed: SealedKey): Promise<Uint8Array> {
  return openPrivateKey(kekFor(ring, kid, sealed), kid, sealed);
}

export async function sealPrivateKey(kek: KeyEncryptionKey, kid: string, pkcs8: Uint8Array): Promise<SealedKey> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const ciphertext = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: new TextEncoder().encode(kid) },
    kek.key,
    pkcs8,
  );
  return { kekId: kek.id, iv, ciphertext: new Uint8Array(ciphertext) };
}

export async function openPrivateKey(kek: KeyEncryptionKey, kid: string, sealed: SealedKey): Promise<Uint8Array> {
  if (sealed.kekId !== kek.id) {
    throw new KeyEncryptionKeyError(
      `signing key ${kid} was sealed with KEK ${sealed.kekId}, but KEY_ENCRYPTION_KEY is KEK ${kek.id}; ` +
        "restore the KEY_ENCRYPTION_KEY secret the keys were created with (or revoke every key to start afresh)",
    );
  }
  try {
    const plain = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: sealed.iv, additionalData: new TextEncoder().encode(kid) },
      kek.key,
      sealed.ciphertext,
    );
    return new Uint8Array(plain);
  } catch {
    throw new KeyEncryptionKeyError(
      `signing key ${kid} failed authentication under KEK ${kek.id}: the stored key is corrupt or was moved from another row`,
    );
  }
}

function decodeBase64(text: string): Uint8Array | undefined {
  const standard = text.replace(/-/g, "+").replace(/_/g, "/");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(standard)) return undefined;
  try {
    const binary = atob(standard);
    return Uint8Array.from(binary, (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}
