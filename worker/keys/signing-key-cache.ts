// The issuer isolate's copy of the active signing key. Tokens are signed here, in the stateless
// Worker, not in the Durable Object per request: the key is fetched sealed from the key store,
// opened with the KEK, imported as a non-extractable CryptoKey and kept until `cacheUntil`.
// Concurrent requests share one fetch.

import type { SigningAlgorithm } from "../config/types.js";
import { KeyStoreUnavailableError, errorCodeOf } from "../errors.js";
import { importKeyEncryptionKey, openPrivateKey, type KeyEncryptionKey } from "./kek.js";
import { importSigningKey } from "./key-material.js";
import type { SealedSigningKey } from "./key-store.js";

export interface SigningKey {
  readonly kid: string;
  readonly alg: SigningAlgorithm;
  readonly key: CryptoKey;
  readonly cacheUntil: number;
}

export type FetchSealedKey = () => Promise<SealedSigningKey>;

export class SigningKeyCache {
  #current: SigningKey | undefined;
  #inflight: Promise<SigningKey> | undefined;
  #kek: { readonly secret: string | undefined; readonly key: Promise<KeyEncryptionKey> } | undefined;

  /** The active key, fetching it when the cached one is older than its `cacheUntil`. */
  async get(now: number, fetchSealed: FetchSealedKey, kekSecret: string | undefined): Promise<SigningKey> {
    if (this.#current && now < this.#current.cacheUntil) return this.#current;
    this.#inflight ??= this.#load(fetchSealed, kekSecret).finally(() => {
      this.#inflight = undefined;
    });
    return this.#inflight;
  }

  /** Forgets the cached key (after a signing failure, or an admin change seen by this isolate). */
  invalidate(): void {
    this.#current = undefined;
  }

  async #load(fetchSealed: FetchSealedKey, kekSecret: string | undefined): Promise<SigningKey> {
    const kek = await this.#keyEncryptionKey(kekSecret);
    let sealed: SealedSigningKey;
    try {
      sealed = await fetchSealed();
    } catch (error) {
      if (errorCodeOf(error) !== undefined) throw error;
      throw new KeyStoreUnavailableError(`the key store did not answer (${String(error)}); retry shortly`);
    }
    const pkcs8 = await openPrivateKey(kek, sealed.kid, {
      kekId: sealed.kekId,
      iv: sealed.iv,
      ciphertext: sealed.ciphertext,
    });
    try {
      const key = await importSigningKey(sealed.alg, pkcs8);
      this.#current = {
        kid: sealed.kid,
        alg: sealed.alg,
        key,
        cacheUntil: sealed.cacheUntil,
      };
      return this.#current;
    } finally {
      pkcs8.fill(0);
    }
  }

  async #keyEncryptionKey(secret: string | undefined): Promise<KeyEncryptionKey> {
    if (this.#kek?.secret !== secret || !this.#kek) {
      this.#kek = { secret, key: importKeyEncryptionKey(secret) };
    }
    try {
      return await this.#kek.key;
    } catch (error) {
      this.#kek = undefined;
      throw error;
    }
  }
}
