// The key store Durable Object: the single writer of signing keys and of the token revocation
// list (revocation/store.ts), both in its SQLite and their published copies in KV. It does the
// I/O of rotation (WebCrypto generation, SQLite, KV publication, alarms); every decision comes
// from timeline.ts, and the revocation list's from revocation/.
// Only the issuer Worker holds a binding to it. Private keys leave it sealed under the KEK.

import { DurableObject } from "cloudflare:workers";
import { admitBatch } from "../activity/event.js";
import { ACTIVITY_LIMITS } from "../activity/log.js";
import { ActivityRows } from "../activity/rows.js";
import type { ActivityBatch } from "../activity/types.js";
import { type Clock, clockFromOffset } from "../clock.js";
import { KeyEncryptionKeyError } from "../errors.js";
import { JWKS_DOCUMENT } from "../publishing/documents.js";
import { publishedDocumentEtag } from "../publishing/etag.js";
import { withKvDeadline } from "../publishing/kv-deadline.js";
import type { RevocationEntry, RevocationTarget } from "../revocation/list.js";
import { type RevocationListing, RevocationStore } from "../revocation/store.js";
import { runtimeConfig } from "../runtime-config/embedded.js";
import type { AdminView } from "./admin-view.js";
import { type JwksKvMetadata, jwksDocument } from "./jwks.js";
import { importKeyEncryptionKeyRing, type KeyEncryptionKeyRing, kekFor, openWithRing, sealPrivateKey } from "./kek.js";
import { generateSigningKey } from "./key-material.js";
import { KeyRows, type StoredKey } from "./key-rows.js";
import type { KeyListing, KeySealing, RewrapReport, SealedSigningKey } from "./key-store-types.js";
import {
  activeKey,
  applyStep,
  emergencySteps,
  type KeyMeta,
  nextCheckAt,
  plannedUnpublishAt,
  type RotationPolicy,
  revokeSteps,
  rotationPolicy,
  SIGNING_KEY_CACHE_MS,
  SIGNING_KEY_REFRESH_GRACE_MS,
  type Step,
  scheduledSteps,
} from "./timeline.js";

export type { KeyInfo, KeyListing, RewrapReport, SealedSigningKey } from "./key-store-types.js";

/** After a failed KV publication, try again this soon. */
const REPUBLISH_RETRY_MS = 10_000;
/** After a failed rotation (e.g. a wrong KEK), the alarm tries again this soon. */
const ROTATION_RETRY_MS = 5 * 60_000;
/** Bound on timeline rounds in one advance (each round applies what became due). */
const MAX_ROUNDS = 8;
const LISTED_EVENTS = 50;

/** What the key store reads of the issuer's bindings (IssuerEnv, worker/bindings/env.ts, has them all). */
export interface KeyStoreEnv {
  readonly KEY_ENCRYPTION_KEY?: string;
  readonly KEY_ENCRYPTION_KEY_PREVIOUS?: string;
  readonly PUBLISHED: KVNamespace;
  readonly TEST_CLOCK_OFFSET_SECONDS?: string;
}

export class KeyStore extends DurableObject<KeyStoreEnv> {
  readonly #rows: KeyRows;
  readonly #revocations: RevocationStore;
  readonly #activity: ActivityRows;
  readonly #clock: Clock;
  /** The imported KEKs: a value, never a promise another request could be left awaiting. */
  #kek: KeyEncryptionKeyRing | undefined;
  /** When (store clock) a JWKS write last failed; the alarm retries REPUBLISH_RETRY_MS later. */
  #publishFailedAt = Number.NEGATIVE_INFINITY;

  constructor(ctx: DurableObjectState, env: KeyStoreEnv) {
    super(ctx, env);
    this.#rows = new KeyRows(ctx.storage.sql);
    this.#revocations = new RevocationStore(ctx.storage.sql);
    this.#activity = new ActivityRows(ctx.storage.sql);
    this.#clock = clockFromOffset(env.TEST_CLOCK_OFFSET_SECONDS);
    void ctx.blockConcurrencyWhile(async () => {
      this.#rows.migrate();
      this.#revocations.ledger.migrate();
      this.#activity.migrate();
    });
  }

  /**
   * The active key, sealed. Runs any rotation step that is due first, and publishes first when KV
   * lacks the keys as they are (a KV write failed, or the store was reset after committing a key
   * change and before its KV write): a key is not handed out before the JWKS holding it is tried.
   * Tried once per REPUBLISH_RETRY_MS: the fetches queued behind a write that failed (or timed out,
   * worker/publishing/kv-deadline.ts) look again under the lock and do not each wait on KV anew.
   */
  async signingKey(): Promise<SealedSigningKey> {
    let keys = this.#rows.keys();
    if (this.#needsAdvance(keys)) {
      await this.#locked(async () => {
        if (this.#needsAdvance(this.#rows.keys())) await this.#advance();
      });
      keys = this.#rows.keys();
    }
    const active = activeKey(keys);
    if (!active)
      throw new KeyEncryptionKeyError("the key store has no active key; see the issuer's logs for why rotation failed");
    const stored = keys.find((k) => k.kid === active.kid) as StoredKey;
    return {
      kid: stored.kid,
      alg: stored.alg,
      kekId: stored.sealed.kekId,
      iv: stored.sealed.iv,
      ciphertext: stored.sealed.ciphertext,
      cacheUntil: this.#clock.now() + SIGNING_KEY_CACHE_MS - SIGNING_KEY_REFRESH_GRACE_MS,
    };
  }

  /** The JWKS body, for the issuer's fallback when KV has none or cannot be read; republishes it. */
  async jwks(): Promise<string> {
    await this.#locked(async () => {
      this.#rows.setMeta("jwks_pending", "1");
      await this.#advance();
    });
    return this.#jwksBody(this.#rows.keys());
  }

  async listKeys(): Promise<KeyListing> {
    return await this.#listing();
  }

  /**
   * Everything the operator page shows, read in one call: keys, revocations in force, and the
   * issuance log. Read-only: upkeep is the alarm's (and the admin API's) job.
   */
  async adminView(): Promise<AdminView> {
    const nowMs = this.#clock.now();
    return {
      keys: await this.#listing(),
      revocations: this.#revocations.listing(nowMs),
      activity: this.#activity.summary(),
    };
  }

  /**
   * Adds an isolate's batch (its counts and last events) to the log (worker/activity/), each row and event admitted again against the runtime
   * config, so only registered names and allowed audiences are stored, whatever was sent.
   */
  async recordActivity(batch: ActivityBatch): Promise<void> {
    this.#activity.record(admitBatch(batch, runtimeConfig(), ACTIVITY_LIMITS));
  }

  /** A rotation ahead of schedule: safe (waits for publication) unless `emergency`. */
  async rotate(emergency: boolean): Promise<KeyListing> {
    await this.#locked(async () => {
      if (emergency) {
        await this.#advance((keys, policy) => emergencySteps(keys, policy));
      } else {
        this.#rows.setMeta("rotate_early", "1");
        await this.#advance();
      }
    });
    return await this.#listing();
  }

  /**
   * Re-seals every row under the current KEK (KEY_ENCRYPTION_KEY), all or nothing: every row is
   * opened and sealed anew before any is written, and the writes are one transaction. A row under
   * neither KEK of the ring fails the whole call with ERR_KEY_ENCRYPTION_KEY and changes nothing.
   * Isolates holding the active key sealed under the previous KEK keep signing with it (they open
   * it with the same ring) until their copy expires.
   */
  async rewrap(): Promise<RewrapReport> {
    return this.#locked(async () => {
      const ring = await this.#keyEncryptionKeys();
      const resealed: { kid: string; sealed: StoredKey["sealed"] }[] = [];
      for (const row of this.#rows.keys()) {
        if (row.sealed.kekId === ring.current.id) continue;
        const pkcs8 = await openWithRing(ring, row.kid, row.sealed);
        try {
          resealed.push({ kid: row.kid, sealed: await sealPrivateKey(ring.current, row.kid, pkcs8) });
        } finally {
          pkcs8.fill(0);
        }
      }
      this.ctx.storage.transactionSync(() => {
        for (const { kid, sealed } of resealed) this.#rows.reseal(kid, sealed);
      });
      const previousKekId = ring.previous?.id ?? null;
      const underPrevious = this.#rows.keys().filter((k) => k.sealed.kekId === previousKekId).length;
      if (resealed.length > 0) {
        console.log(
          JSON.stringify({ event: "keys.rewrapped", kekId: ring.current.id, kids: resealed.map((r) => r.kid) }),
        );
      }
      return {
        currentKekId: ring.current.id,
        rewrapped: resealed.length,
        underPrevious,
        previousKekId,
        removable: underPrevious === 0,
      };
    });
  }

  /** Withdraws a key from the JWKS at once; its tokens stop verifying. */
  async revoke(kid: string): Promise<KeyListing> {
    await this.#locked(() => this.#advance((keys, policy) => revokeSteps(keys, kid, policy)));
    return await this.#listing();
  }

  /** Revokes one token or (kill switch) every token of a workload or workflow issued up to now. */
  async addRevocation(target: RevocationTarget): Promise<RevocationListing> {
    return this.#locked(async () => {
      // One instant for the entry and the listing: a second read after the KV write could fall in
      // the next second and answer a `now` later than the entry's revokedAt.
      const nowMs = this.#clock.now();
      const added = this.#revocations.add(target, runtimeConfig().issuer, nowMs);
      await this.#maintainRevocations();
      return this.#revocations.listing(nowMs, added);
    });
  }

  /** The live list; purges and republishes first. Read-only callers (introspection) use `liveRevocations`. */
  async listRevocations(): Promise<RevocationListing> {
    await this.#locked(() => this.#maintainRevocations());
    return this.#revocations.listing(this.#clock.now());
  }

  async liveRevocations(): Promise<readonly RevocationEntry[]> {
    return this.#revocations.listing(this.#clock.now()).entries;
  }

  /** The published list's body, for the issuer's fallback when KV has none; republishes it. */
  async revocationsBody(): Promise<string> {
    await this.#locked(async () => {
      this.#rows.setMeta("revocations_pending", "1");
      await this.#maintainRevocations();
    });
    return this.#revocations.ledger.body(Math.floor(this.#clock.now() / 1_000));
  }

  /** Revocation upkeep apart from #advance: a failing rotation (a wrong KEK) never blocks it. */
  async #maintainRevocations(): Promise<boolean> {
    return this.#revocations.maintain(this.env.PUBLISHED, this.#rows, this.#clock, this.ctx.storage);
  }

  override async alarm(): Promise<void> {
    try {
      await this.#locked(() => this.#advance());
    } catch (error) {
      console.error(JSON.stringify({ event: "keys.rotation_failed", error: String(error) }));
      await this.ctx.storage.setAlarm(Date.now() + ROTATION_RETRY_MS);
    }
  }

  #policy(): RotationPolicy {
    return rotationPolicy(runtimeConfig().issuer);
  }

  #rotateEarly(): boolean {
    return this.#rows.getMeta("rotate_early") === "1";
  }

  /** A step is due, or KV lacks the keys as they are and no JWKS write failed in the last REPUBLISH_RETRY_MS. */
  #needsAdvance(keys: readonly StoredKey[]): boolean {
    if (this.#isDue(keys)) return true;
    if (this.#jwksBody(keys) === this.#rows.getMeta("jwks_body")) return false;
    return this.#clock.now() - this.#publishFailedAt >= REPUBLISH_RETRY_MS;
  }

  #isDue(keys: readonly KeyMeta[]): boolean {
    const options = { rotateEarly: this.#rotateEarly() };
    return !activeKey(keys) || scheduledSteps(keys, this.#policy(), this.#clock.now(), options).length > 0;
  }

  /**
   * Runs `work` with every other event held back. An exception escaping blockConcurrencyWhile
   * would reset the object, so failures are carried out of it and rethrown.
   */
  async #locked<T>(work: () => Promise<T>): Promise<T> {
    const outcome = await this.ctx.blockConcurrencyWhile(async () => {
      try {
        return { ok: true as const, value: await work() };
      } catch (error) {
        return { ok: false as const, error };
      }
    });
    if (!outcome.ok) throw outcome.error;
    return outcome.value;
  }

  async #advance(admin?: (keys: readonly KeyMeta[], policy: RotationPolicy) => Step[]): Promise<void> {
    const policy = this.#policy();
    const now = this.#clock.now();
    // Revocations first: a rotation that fails (a wrong KEK) must not keep the list stale.
    const revocationsPublished = await this.#maintainRevocations();
    let keys: KeyMeta[] = this.#rows.keys();
    if (admin) {
      // Refusals (TooManyKeysError, UnknownKeyError) are issuer errors: they reach the admin route as thrown.
      for (const step of admin(keys, policy)) keys = await this.#apply(keys, step, now);
    }
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const steps = scheduledSteps(keys, policy, now, { rotateEarly: this.#rotateEarly() });
      if (steps.length === 0) break;
      for (const step of steps) keys = await this.#apply(keys, step, now);
    }
    const published = await this.#publish(now);
    // Re-read: the publication just stamped publishedAt on the keys it carried to KV.
    const wake = nextCheckAt(this.#rows.keys(), policy, now, { rotateEarly: this.#rotateEarly() });
    const expiry = this.#revocations.ledger.nextExpiryMs() ?? Number.POSITIVE_INFINITY;
    const at = Math.min(published && revocationsPublished ? wake : Math.min(wake, now + REPUBLISH_RETRY_MS), expiry);
    await this.ctx.storage.setAlarm(this.#clock.toPlatformTime(at));
  }

  async #apply(keys: KeyMeta[], step: Step, now: number): Promise<KeyMeta[]> {
    if (step.kind === "create") {
      const ring = await this.#keyEncryptionKeys();
      // Refuses (ERR_KEY_ENCRYPTION_KEY, naming both fingerprints) while any row is under a KEK
      // the ring does not hold: a new key beside it would hide that the old ones cannot be opened.
      // Rows under the previous KEK are fine: the ring opens them, and rewrap re-seals them.
      for (const row of this.#rows.keys()) kekFor(ring, row.kid, row.sealed);
      const generated = await generateSigningKey(step.alg);
      const sealed = await sealPrivateKey(ring.current, generated.kid, generated.pkcs8);
      generated.pkcs8.fill(0);
      const after = applyStep(keys, step, now, { kid: generated.kid, alg: generated.alg });
      const created = after.find((k) => k.kid === generated.kid) as KeyMeta;
      this.#writeStateChanges(keys, after, step, now);
      this.#rows.insert({ ...created, publicJwk: generated.publicJwk, sealed });
      this.#rows.recordEvent({ at: now, kid: created.kid, event: "created", reason: `${step.state}: ${step.reason}` });
      if (step.state === "active") {
        this.#rows.recordEvent({ at: now, kid: created.kid, event: "activated", reason: step.reason });
        // A requested rotation is fulfilled by any new active key, an emergency one included.
        this.#rows.setMeta("rotate_early", null);
      }
      return after;
    }
    const after = applyStep(keys, step, now);
    this.#writeStateChanges(keys, after, step, now);
    if (step.kind === "activate") this.#rows.setMeta("rotate_early", null);
    return after;
  }

  #writeStateChanges(before: readonly KeyMeta[], after: readonly KeyMeta[], step: Step, now: number): void {
    for (const old of before) {
      const updated = after.find((k) => k.kid === old.kid);
      if (!updated) {
        this.#rows.delete(old.kid);
        const event = step.kind === "revoke" ? "revoked" : "unpublished";
        this.#rows.recordEvent({ at: now, kid: old.kid, event, reason: step.reason });
        continue;
      }
      if (updated.state !== old.state) {
        this.#rows.updateState(updated.kid, updated.state, updated.activatedAt, updated.retiredAt);
        const event = updated.state === "active" ? "activated" : "retired";
        this.#rows.recordEvent({ at: now, kid: updated.kid, event, reason: step.reason });
      }
    }
  }

  /** Writes the JWKS to KV when it changed (or an earlier write failed). False if KV refused or did not answer in time. */
  async #publish(now: number): Promise<boolean> {
    const keys = this.#rows.keys();
    const body = this.#jwksBody(keys);
    const published = this.#rows.getMeta("jwks_body");
    if (body === published && this.#rows.getMeta("jwks_pending") === null) return true;
    // Committed with the key change before the write below goes out (the runtime holds outgoing
    // writes until the store's are confirmed): a reset in between leaves the alarm to publish.
    if (body !== published) await this.ctx.storage.setAlarm(this.#clock.toPlatformTime(now + REPUBLISH_RETRY_MS));
    try {
      const metadata: JwksKvMetadata = { etag: await publishedDocumentEtag(body), publishedAt: now };
      await withKvDeadline(
        "write",
        JWKS_DOCUMENT.kvKey,
        this.env.PUBLISHED.put(JWKS_DOCUMENT.kvKey, body, { metadata }),
      );
    } catch (error) {
      this.#publishFailedAt = now;
      this.#rows.setMeta("jwks_pending", "1");
      console.error(JSON.stringify({ event: "keys.publish_failed", error: String(error) }));
      return false;
    }
    this.#rows.setMeta("jwks_body", body);
    this.#rows.setMeta("jwks_pending", null);
    this.#rows.markPublished(
      keys.map((k) => k.kid),
      now,
    );
    console.log(JSON.stringify({ event: "keys.published", kids: keys.map((k) => k.kid) }));
    return true;
  }

  #jwksBody(keys: readonly StoredKey[]): string {
    return JSON.stringify(jwksDocument(keys));
  }

  async #keyEncryptionKeys(): Promise<KeyEncryptionKeyRing> {
    this.#kek ??= await importKeyEncryptionKeyRing({
      current: this.env.KEY_ENCRYPTION_KEY,
      previous: this.env.KEY_ENCRYPTION_KEY_PREVIOUS,
    });
    return this.#kek;
  }

  /** Counts rows per KEK; null when the ring cannot be imported (its error names why elsewhere). */
  async #sealing(keys: readonly StoredKey[]): Promise<KeySealing | null> {
    let ring: KeyEncryptionKeyRing;
    try {
      ring = await this.#keyEncryptionKeys();
    } catch (error) {
      if (error instanceof KeyEncryptionKeyError) return null;
      throw error;
    }
    const previousKekId = ring.previous?.id ?? null;
    const under = (id: string | null) => keys.filter((k) => k.sealed.kekId === id).length;
    const underCurrent = under(ring.current.id);
    const underPrevious = under(previousKekId);
    return {
      currentKekId: ring.current.id,
      previousKekId,
      underCurrent,
      underPrevious,
      underNeither: keys.length - underCurrent - underPrevious,
    };
  }

  async #listing(): Promise<KeyListing> {
    const policy = this.#policy();
    const now = this.#clock.now();
    const keys = this.#rows.keys();
    const schedule = { rotateEarly: this.#rotateEarly() };
    const checkAt = nextCheckAt(keys, policy, now, schedule);
    return {
      now,
      keys: keys.map((k) => ({
        kid: k.kid,
        kekId: k.sealed.kekId,
        alg: k.alg,
        state: k.state,
        createdAt: k.createdAt,
        publishedAt: k.publishedAt,
        activatedAt: k.activatedAt,
        retiredAt: k.retiredAt,
        unpublishAt: plannedUnpublishAt(k, policy),
      })),
      events: this.#rows.events(LISTED_EVENTS),
      rotationPeriodDays: policy.rotationPeriodMs / 86_400_000,
      jwksMaxAgeSeconds: policy.jwksMaxAgeSeconds,
      publicationDelaySeconds: policy.publicationDelayMs / 1_000,
      nextCheckAt: checkAt,
      nextSteps: scheduledSteps(keys, policy, checkAt, schedule).map((step) => ({
        kind: step.kind,
        kid: step.kind === "create" ? null : step.kid,
        reason: step.reason,
      })),
      sealing: await this.#sealing(keys),
    };
  }
}
