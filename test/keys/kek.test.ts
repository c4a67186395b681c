import assert from "node:assert/strict";
import { KeyEncryptionKeyError } from "../../worker/errors.js";
import {
  importKeyEncryptionKey,
  importKeyEncryptionKeyRing,
  kekFor,
  openPrivateKey,
  openWithRing,
  type SealedKey,
  sealPrivateKey,
} from "../../worker/keys/kek.js";

/** 32 fixed bytes whose base64 contains both '+' and '/' (so base64url differs from it). */
const KEK_BYTES = Uint8Array.from({ length: 32 }, (_, i) => (i * 37 + 0xfb) & 0xff);
const KEK_BASE64 = Buffer.from(KEK_BYTES).toString("base64");
const KEK_BASE64URL = Buffer.from(KEK_BYTES).toString("base64url");
const OTHER_KEK_BASE64 = Buffer.from(KEK_BYTES.map((b) => b ^ 0x01)).toString("base64");

const PKCS8 = Uint8Array.from({ length: 121 }, (_, i) => (i * 13 + 7) & 0xff);
const KID = "2024-kid-a";

async function rejectsWithKekError(promise: Promise<unknown>, ...message: RegExp[]): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof KeyEncryptionKeyError, `expected KeyEncryptionKeyError, got ${String(error)}`);
    assert.equal(error.code, "ERR_KEY_ENCRYPTION_KEY");
    assert.ok(error.message.startsWith("[ERR_KEY_ENCRYPTION_KEY] "), error.message);
    for (const pattern of message) assert.match(error.message, pattern);
    return true;
  });
}

const HOW_TO_GENERATE = /openssl rand -base64 32/;

describe("importKeyEncryptionKey", () => {
  it("the fixture's base64 and base64url spellings really differ", () => {
    assert.notEqual(KEK_BASE64, KEK_BASE64URL);
    assert.match(KEK_BASE64, /[+/]/);
  });

  it("refuses a missing secret, telling how to generate one", async () => {
    await rejectsWithKekError(importKeyEncryptionKey(undefined), /not set/, HOW_TO_GENERATE);
  });

  it("refuses an empty or blank secret", async () => {
    for (const secret of ["", "   ", "\n\t"]) {
      await rejectsWithKekError(importKeyEncryptionKey(secret), /not set/, HOW_TO_GENERATE);
    }
  });

  it("refuses text that is not base64", async () => {
    for (const secret of [
      "not base64 at all!",
      "%%%%",
      `${KEK_BASE64.slice(0, 20)}*${KEK_BASE64.slice(21)}`,
      "a====",
    ]) {
      await rejectsWithKekError(importKeyEncryptionKey(secret), /exactly 32 bytes/, /not base64/, HOW_TO_GENERATE);
    }
  });

  it("refuses 16 bytes and 33 bytes, saying how many it got", async () => {
    const sixteen = Buffer.alloc(16, 7).toString("base64");
    const thirtyThree = Buffer.alloc(33, 7).toString("base64");
    await rejectsWithKekError(importKeyEncryptionKey(sixteen), /exactly 32 bytes/, /got 16 bytes/, HOW_TO_GENERATE);
    await rejectsWithKekError(importKeyEncryptionKey(thirtyThree), /exactly 32 bytes/, /got 33 bytes/, HOW_TO_GENERATE);
  });

  it("accepts 32 bytes of base64, with surrounding whitespace trimmed", async () => {
    const plain = await importKeyEncryptionKey(KEK_BASE64);
    const padded = await importKeyEncryptionKey(` ${KEK_BASE64}\n`);
    assert.equal(padded.id, plain.id);
  });

  it("names the key with a 16-hex-character fingerprint that does not reveal the key", async () => {
    const kek = await importKeyEncryptionKey(KEK_BASE64);
    assert.match(kek.id, /^[0-9a-f]{16}$/);
    assert.ok(!Buffer.from(KEK_BYTES).toString("hex").includes(kek.id));
  });

  it("gives the same id for base64url and standard base64 of the same bytes", async () => {
    const standard = await importKeyEncryptionKey(KEK_BASE64);
    const url = await importKeyEncryptionKey(KEK_BASE64URL);
    assert.equal(url.id, standard.id);
    // And the keys are interchangeable, not just equally named.
    const sealed = await sealPrivateKey(standard, KID, PKCS8);
    assert.deepEqual(await openPrivateKey(url, KID, sealed), PKCS8);
  });

  it("gives different ids for different keys", async () => {
    const a = await importKeyEncryptionKey(KEK_BASE64);
    const b = await importKeyEncryptionKey(OTHER_KEK_BASE64);
    assert.notEqual(a.id, b.id);
  });

  it("imports a key that cannot be exported", async () => {
    const kek = await importKeyEncryptionKey(KEK_BASE64);
    assert.equal(kek.key.extractable, false);
    assert.deepEqual([...kek.key.usages].sort(), ["decrypt", "encrypt"]);
  });
});

describe("sealPrivateKey / openPrivateKey", () => {
  it("round-trips a private key", async () => {
    const kek = await importKeyEncryptionKey(KEK_BASE64);
    const sealed = await sealPrivateKey(kek, KID, PKCS8);
    assert.equal(sealed.kekId, kek.id);
    assert.equal(sealed.iv.length, 12);
    assert.equal(sealed.ciphertext.length, PKCS8.length + 16, "AES-GCM appends a 16-byte tag");
    assert.notDeepEqual(sealed.ciphertext.slice(0, PKCS8.length), PKCS8);
    assert.deepEqual(await openPrivateKey(kek, KID, sealed), PKCS8);
  });

  it("uses a fresh IV for every seal of the same key", async () => {
    const kek = await importKeyEncryptionKey(KEK_BASE64);
    const first = await sealPrivateKey(kek, KID, PKCS8);
    const second = await sealPrivateKey(kek, KID, PKCS8);
    assert.notDeepEqual(first.iv, second.iv);
    assert.notDeepEqual(first.ciphertext, second.ciphertext);
  });

  it("refuses to open with another KEK, telling to restore the original secret", async () => {
    const kek = await importKeyEncryptionKey(KEK_BASE64);
    const other = await importKeyEncryptionKey(OTHER_KEK_BASE64);
    const sealed = await sealPrivateKey(kek, KID, PKCS8);
    await rejectsWithKekError(
      openPrivateKey(other, KID, sealed),
      new RegExp(kek.id),
      new RegExp(other.id),
      /restore the KEY_ENCRYPTION_KEY/,
    );
  });

  it("refuses another KEK even when the stored KEK id was forged to match", async () => {
    const kek = await importKeyEncryptionKey(KEK_BASE64);
    const other = await importKeyEncryptionKey(OTHER_KEK_BASE64);
    const sealed = await sealPrivateKey(kek, KID, PKCS8);
    await rejectsWithKekError(openPrivateKey(other, KID, { ...sealed, kekId: other.id }), /failed authentication/);
  });

  it("refuses a sealed key moved onto another kid (the kid is additional data)", async () => {
    const kek = await importKeyEncryptionKey(KEK_BASE64);
    const sealed = await sealPrivateKey(kek, KID, PKCS8);
    await rejectsWithKekError(
      openPrivateKey(kek, "2024-kid-b", sealed),
      /2024-kid-b/,
      /failed authentication/,
      /moved from another row/,
    );
  });

  it("refuses a ciphertext with one bit flipped, wherever the bit is", async () => {
    const kek = await importKeyEncryptionKey(KEK_BASE64);
    const sealed = await sealPrivateKey(kek, KID, PKCS8);
    for (const index of [0, 60, sealed.ciphertext.length - 1]) {
      const ciphertext = sealed.ciphertext.slice();
      ciphertext[index] = (ciphertext[index] ?? 0) ^ 0x01;
      await rejectsWithKekError(openPrivateKey(kek, KID, { ...sealed, ciphertext }), /corrupt/);
    }
  });

  it("refuses a sealed key whose IV was changed", async () => {
    const kek = await importKeyEncryptionKey(KEK_BASE64);
    const sealed = await sealPrivateKey(kek, KID, PKCS8);
    const iv = sealed.iv.slice();
    iv[0] = (iv[0] ?? 0) ^ 0x80;
    const tampered: SealedKey = { ...sealed, iv };
    await rejectsWithKekError(openPrivateKey(kek, KID, tampered), /failed authentication/);
  });

  it("never puts key material in its error messages", async () => {
    const kek = await importKeyEncryptionKey(KEK_BASE64);
    const sealed = await sealPrivateKey(kek, KID, PKCS8);
    await assert.rejects(openPrivateKey(kek, "other-kid", sealed), (error: unknown) => {
      assert.ok(error instanceof Error);
      assert.ok(!error.message.includes(KEK_BASE64) && !error.message.includes(KEK_BASE64URL));
      assert.ok(!error.message.includes(Buffer.from(sealed.ciphertext).toString("base64")));
      return true;
    });
  });
});

describe("the KEK ring (KEY_ENCRYPTION_KEY and KEY_ENCRYPTION_KEY_PREVIOUS)", () => {
  const THIRD_KEK_BASE64 = Buffer.from(KEK_BYTES.map((b) => b ^ 0x02)).toString("base64");

  it("holds only the current KEK when the previous secret is unset or blank", async () => {
    for (const previous of [undefined, "", "  \n"]) {
      const ring = await importKeyEncryptionKeyRing({ current: KEK_BASE64, previous });
      assert.equal(ring.current.id, (await importKeyEncryptionKey(KEK_BASE64)).id);
      assert.equal(ring.previous, undefined);
    }
  });

  it("refuses a missing current KEK even when the previous one is set", async () => {
    await rejectsWithKekError(
      importKeyEncryptionKeyRing({ current: undefined, previous: KEK_BASE64 }),
      /^\[ERR_KEY_ENCRYPTION_KEY\] KEY_ENCRYPTION_KEY is not set/,
      HOW_TO_GENERATE,
    );
  });

  it("refuses a malformed previous secret, naming it and how to fix it", async () => {
    for (const [previous, got] of [
      ["not base64!", /text that is not base64/],
      [Buffer.alloc(16, 1).toString("base64"), /got 16 bytes/],
    ] as const) {
      await rejectsWithKekError(
        importKeyEncryptionKeyRing({ current: KEK_BASE64, previous }),
        /KEY_ENCRYPTION_KEY_PREVIOUS must be exactly 32 bytes/,
        got,
        /unset it once `wid keys rewrap` reports it removable/,
      );
    }
  });

  it("refuses a previous secret naming the same KEK as the current one, in either spelling", async () => {
    for (const previous of [KEK_BASE64, KEK_BASE64URL, ` ${KEK_BASE64}`]) {
      await rejectsWithKekError(
        importKeyEncryptionKeyRing({ current: KEK_BASE64, previous }),
        /KEY_ENCRYPTION_KEY_PREVIOUS is the same KEK as KEY_ENCRYPTION_KEY/,
      );
    }
  });

  it("opens a key sealed under either KEK, and seals under the current one", async () => {
    const old = await importKeyEncryptionKey(OTHER_KEK_BASE64);
    const ring = await importKeyEncryptionKeyRing({ current: KEK_BASE64, previous: OTHER_KEK_BASE64 });
    assert.equal(ring.previous?.id, old.id);
    assert.notEqual(ring.current.id, old.id);
    const underOld = await sealPrivateKey(old, KID, PKCS8);
    const underCurrent = await sealPrivateKey(ring.current, KID, PKCS8);
    assert.deepEqual(await openWithRing(ring, KID, underOld), PKCS8);
    assert.deepEqual(await openWithRing(ring, KID, underCurrent), PKCS8);
    assert.equal(kekFor(ring, KID, underOld), ring.previous);
    assert.equal(kekFor(ring, KID, underCurrent), ring.current);
  });

  it("fails closed on a key under neither KEK, naming all three fingerprints and the fix", async () => {
    const third = await importKeyEncryptionKey(THIRD_KEK_BASE64);
    const sealed = await sealPrivateKey(third, KID, PKCS8);
    const ring = await importKeyEncryptionKeyRing({ current: KEK_BASE64, previous: OTHER_KEK_BASE64 });
    await rejectsWithKekError(
      openWithRing(ring, KID, sealed),
      new RegExp(`signing key ${KID} was sealed with KEK ${third.id}`),
      new RegExp(`KEY_ENCRYPTION_KEY is KEK ${ring.current.id}`),
      new RegExp(`KEY_ENCRYPTION_KEY_PREVIOUS is KEK ${ring.previous?.id}`),
      /restore the KEY_ENCRYPTION_KEY secret the keys were created with/,
    );
    const alone = await importKeyEncryptionKeyRing({ current: KEK_BASE64, previous: undefined });
    await rejectsWithKekError(
      openWithRing(alone, KID, await sealPrivateKey(await importKeyEncryptionKey(OTHER_KEK_BASE64), KID, PKCS8)),
      /KEY_ENCRYPTION_KEY_PREVIOUS is not set/,
      /set it as KEY_ENCRYPTION_KEY_PREVIOUS during a KEK rotation/,
    );
  });

  it("refuses a key under the previous KEK whose fingerprint was forged to the current one's", async () => {
    const ring = await importKeyEncryptionKeyRing({ current: KEK_BASE64, previous: OTHER_KEK_BASE64 });
    const sealed = await sealPrivateKey(ring.previous!, KID, PKCS8);
    await rejectsWithKekError(openWithRing(ring, KID, { ...sealed, kekId: ring.current.id }), /failed authentication/);
  });
});
