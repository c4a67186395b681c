// The issuer isolate's copy of the active signing key. Tokens are signed here, in the stateless
// Worker, not in the Durable Object per request: the key is fetched sealed from the key store,
// opened with the KEK, imported as a non-extractable CryptoKey and kept until `cacheUntil`.
// Requests share the key, never a promise (worker/isolate/shared-value.ts): while one request
// fetches a newer copy, the others keep signing with the one they have, for at most
// SIGNING_KEY_REFRESH_GRACE_MS past `cacheUntil`, which the key store sets that much before
// SIGNING_KEY_CACHE_MS ends; no isolate signs with a copy older than SIGNING_KEY_CACHE_MS. A fetch
// the key store does not answer within SIGNING_KEY_FETCH_DEADLINE_MS counts as the store
// unavailable (ERR_KEY_STORE_UNAVAILABLE), so a hung object never holds a token request.

import type { SigningAlgorithm } from "../config/types.js";
import { withDeadline } from "../deadline.js";
import { errorCodeOf, KeyStoreUnavailableError } from "../errors.js";
import { SharedValue } from "../isolate/shared-value.js";
import {
  importKeyEncryptionKeyRing,
  type KeyEncryptionKeyRing,
  type KeyEncryptionKeySecrets,
  openWithRing,
} from "./kek.js";
import { importSigningKey } from "./key-material.js";
import type { SealedSigningKey } from "./key-store.js";
import { SIGNING_KEY_FETCH_DEADLINE_MS, SIGNING_KEY_REFRESH_GRACE_MS } from "./timeline.js";

export interface SigningKey {
  readonly kid: string;
  readonly alg: SigningAlgorithm;
  readonly key: CryptoKey;
  readonly cacheUntil: number;
}

export type FetchSealedKey = () => Promise<SealedSigningKey>;

/** Runs once per key loaded, before any request signs with it (worker/issuer/issuance.ts checks the JWKS cached here). */
export type KeyLoaded = (key: SigningKey) => Promise<void>;

export class SigningKeyCache {
  readonly #key = new SharedValue<SigningKey>(SIGNING_KEY_REFRESH_GRACE_MS);
  #kek: { readonly secrets: KeyEncryptionKeySecrets; readonly ring: KeyEncryptionKeyRing } | undefined;

  /** The active key, fetching it when the cached one is older than its `cacheUntil`. */
  get(
    now: number,
    fetchSealed: FetchSealedKey,
    kekSecrets: KeyEncryptionKeySecrets,
    loaded?: KeyLoaded,
  ): Promise<SigningKey> {
    return this.#key.get(now, async () => {
      const key = await this.#load(fetchSealed, kekSecrets);
      await loaded?.(key);
      return { value: key, validUntil: key.cacheUntil };
    });
  }

  /** Forgets the cached key (after a signing failure, or an admin change seen by this isolate). */
  invalidate(): void {
    this.#key.invalidate();
  }

  async #load(fetchSealed: FetchSealedKey, kekSecrets: KeyEncryptionKeySecrets): Promise<SigningKey> {
    const ring = await this.#keyEncryptionKeys(kekSecrets);
    let sealed: SealedSigningKey;
    try {
      sealed = await withDeadline(
        fetchSealed(),
        SIGNING_KEY_FETCH_DEADLINE_MS,
        () => new Error(`no answer within ${SIGNING_KEY_FETCH_DEADLINE_MS} ms`),
      );
    } catch (error) {
      if (errorCodeOf(error) !== undefined) throw error;
      throw new KeyStoreUnavailableError(`the key store did not answer (${String(error)}); retry shortly`);
    }
    // The active key may still be sealed under the previous KEK during a KEK rotation (until the
    // key store's rewrap): the ring opens it under whichever KEK its fingerprint names.
    const pkcs8 = await openWithRing(ring, sealed.kid, {
      kekId: sealed.kekId,
      iv: sealed.iv,
      ciphertext: sealed.ciphertext,
    });
    try {
      const key = await importSigningKey(sealed.alg, pkcs8);
      return { kid: sealed.kid, alg: sealed.alg, key, cacheUntil: sealed.cacheUntil };
    } finally {
      pkcs8.fill(0);
    }
  }

  /** The imported KEKs, kept once imported (each request that finds none imports its own). */
  async #keyEncryptionKeys(secrets: KeyEncryptionKeySecrets): Promise<KeyEncryptionKeyRing> {
    const kept = this.#kek;
    if (kept !== undefined && kept.secrets.current === secrets.current && kept.secrets.previous === secrets.previous) {
      return kept.ring;
    }
    const ring = await importKeyEncryptionKeyRing(secrets);
    this.#kek = { secrets: { current: secrets.current, previous: secrets.previous }, ring };
    return ring;
  }
}
