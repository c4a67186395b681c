import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLocalJWKSet, type JSONWebKeySet, jwtVerify } from "jose";
import { IssuerHarness } from "../support/issuer-harness.js";
import { AWS_AUDIENCE, randomKek, rawStackConfig } from "../support/stack-fixture.js";

// DER encodings of the algorithm identifiers every PKCS#8 private key of ours begins with.
const RSA_ENCRYPTION_OID = Buffer.from("06092a864886f70d010101", "hex");
const EC_PUBLIC_KEY_OID = Buffer.from("06072a8648ce3d0201", "hex");

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

async function persistedBytes(dir: string): Promise<Buffer> {
  const files = await filesUnder(dir);
  return Buffer.concat(await Promise.all(files.map((f) => readFile(f))));
}

describe("issuer in workerd: the key-encryption key", function () {
  this.timeout(60_000);

  it("the plaintext detector finds a PKCS#8 key (control for the tests below)", () => {
    const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "der", type: "pkcs8" });
    const ec = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ format: "der", type: "pkcs8" });
    assert.ok(rsa.includes(RSA_ENCRYPTION_OID));
    assert.ok(ec.includes(EC_PUBLIC_KEY_OID));
  });

  for (const alg of ["RS256", "ES256"] as const) {
    it(`stores no ${alg} private key in plaintext anywhere on disk`, async () => {
      const dir = await mkdtemp(join(tmpdir(), "wid-kek-"));
      const issuer = await IssuerHarness.start({
        persistDir: dir,
        config: rawStackConfig({ "worker-identity:signingAlgorithm": alg }),
      });
      try {
        const { token } = await issuer.token("billing", AWS_AUDIENCE);
        await issuer.admin("/admin/keys/rotate", { method: "POST" });
        const { protectedHeader } = await jwtVerify(
          token,
          createLocalJWKSet((await (await issuer.fetch("/.well-known/jwks.json")).json()) as JSONWebKeySet),
        );
        assert.equal(protectedHeader.alg, alg);
      } finally {
        await issuer.dispose();
      }
      const bytes = await persistedBytes(dir);
      await rm(dir, { recursive: true, force: true });
      assert.ok(bytes.length > 0, "nothing was persisted");
      assert.ok(bytes.includes(Buffer.from("signing_keys")), "the key store's database was not found on disk");
      assert.ok(!bytes.includes(RSA_ENCRYPTION_OID), "an RSA private key was stored in plaintext");
      assert.ok(!bytes.includes(EC_PUBLIC_KEY_OID), "an EC private key was stored in plaintext");
    });
  }

  it("without KEY_ENCRYPTION_KEY: issues nothing, says how to set it, and the JWKS answers 503", async () => {
    const issuer = await IssuerHarness.start({ keyEncryptionKey: null });
    try {
      const outcome = await issuer.call("ENTRY_billing", "token", AWS_AUDIENCE);
      assert.equal(outcome.result, undefined);
      assert.match(
        outcome.error?.message ?? "",
        /\[ERR_KEY_ENCRYPTION_KEY\] KEY_ENCRYPTION_KEY is not set; .*openssl rand -base64 32/,
      );
      const jwks = await issuer.fetch("/.well-known/jwks.json");
      assert.equal(jwks.status, 503);
      assert.equal(jwks.headers.get("content-type"), "application/problem+json");
    } finally {
      await issuer.dispose();
    }
  });

  it("with a malformed KEY_ENCRYPTION_KEY: names the expected size", async () => {
    const issuer = await IssuerHarness.start({ keyEncryptionKey: Buffer.alloc(16, 7).toString("base64") });
    try {
      const outcome = await issuer.call("ENTRY_billing", "token", AWS_AUDIENCE);
      assert.match(outcome.error?.message ?? "", /\[ERR_KEY_ENCRYPTION_KEY\] .*exactly 32 bytes.*got 16 bytes/);
    } finally {
      await issuer.dispose();
    }
  });

  it("with the wrong KEY_ENCRYPTION_KEY after a restart: refuses to sign, keeps serving the JWKS, recovers with the right one", async () => {
    const dir = await mkdtemp(join(tmpdir(), "wid-kek-"));
    const original = randomKek();
    const issuer = await IssuerHarness.start({ persistDir: dir, keyEncryptionKey: original });
    try {
      const { token } = await issuer.token("billing", AWS_AUDIENCE, { lifetimeSeconds: 600 });
      await issuer.restart({ keyEncryptionKey: randomKek() });
      const refused = await issuer.call("ENTRY_billing", "token", AWS_AUDIENCE, { lifetimeSeconds: 400 });
      assert.equal(refused.result, undefined);
      assert.match(refused.error?.message ?? "", /\[ERR_KEY_ENCRYPTION_KEY\] .*restore the KEY_ENCRYPTION_KEY/);
      const set = (await (await issuer.fetch("/.well-known/jwks.json")).json()) as JSONWebKeySet;
      await jwtVerify(token, createLocalJWKSet(set), { audience: AWS_AUDIENCE });

      await issuer.restart({ keyEncryptionKey: original });
      const again = await issuer.token("billing", AWS_AUDIENCE, { lifetimeSeconds: 400 });
      await jwtVerify(again.token, createLocalJWKSet(set), { audience: AWS_AUDIENCE });
    } finally {
      await issuer.dispose();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
