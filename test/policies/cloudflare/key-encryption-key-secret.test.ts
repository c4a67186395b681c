import assert from "node:assert/strict";
import { cloudflareKeyEncryptionKeySecret } from "../../../policies/cloudflare/key-encryption-key-secret.js";
import { bindingNamed, issuerScript, TYPES } from "../fixtures.js";
import { NOT_APPLICABLE, runPolicy, UNKNOWN_DURING_PREVIEW, violations } from "../harness.js";

const withKekType = (type: unknown) =>
  issuerScript({ edit: (b) => void (bindingNamed(b, "KEY_ENCRYPTION_KEY").type = type) });

describe("policy cloudflare-key-encryption-key-secret", () => {
  it("passes the program's issuer script", async () => {
    assert.deepEqual(await violations(cloudflareKeyEncryptionKeySecret, issuerScript()), []);
  });

  it("applies to Workers scripts only", async () => {
    assert.equal(await runPolicy(cloudflareKeyEncryptionKeySecret, { type: TYPES.role, props: {} }), NOT_APPLICABLE);
  });

  it("refuses a plain_text key-encryption key, naming the fix", async () => {
    const messages = await violations(cloudflareKeyEncryptionKeySecret, withKekType("plain_text"));
    assert.deepEqual(messages, [
      'the KEY_ENCRYPTION_KEY binding is of type "plain_text", readable by anyone who can see the script\'s settings; ' +
        'make it {type: "secret_text", text: pulumi.secret(...)}',
    ]);
  });

  it("refuses a previous key-encryption key (during a KEK rotation) that is not secret_text, naming it", async () => {
    const rotating = (type: string) =>
      issuerScript({ edit: (b) => void b.push({ type, name: "KEY_ENCRYPTION_KEY_PREVIOUS", text: "cHJldmlvdXM=" }) });
    assert.deepEqual(await violations(cloudflareKeyEncryptionKeySecret, rotating("secret_text")), []);
    assert.deepEqual(await violations(cloudflareKeyEncryptionKeySecret, rotating("plain_text")), [
      'the KEY_ENCRYPTION_KEY_PREVIOUS binding is of type "plain_text", readable by anyone who can see the script\'s ' +
        'settings; make it {type: "secret_text", text: pulumi.secret(...)}',
    ]);
  });

  it("refuses a json key-encryption key", async () => {
    assert.equal((await violations(cloudflareKeyEncryptionKeySecret, withKekType("json"))).length, 1);
  });

  it("refuses it in a script that binds only the KeyStore and the key", async () => {
    const bare = issuerScript({
      edit: (b) => {
        b.splice(
          0,
          b.length,
          { type: "durable_object_namespace", name: "KEYS", className: "KeyStore" },
          { type: "plain_text", name: "KEY_ENCRYPTION_KEY", text: "k" },
        );
      },
    });
    assert.equal((await violations(cloudflareKeyEncryptionKeySecret, bare)).length, 1);
  });

  it("leaves other scripts' plain_text bindings alone", async () => {
    const other = { type: TYPES.script, props: { bindings: [{ type: "plain_text", name: "GREETING", text: "hi" }] } };
    assert.deepEqual(await violations(cloudflareKeyEncryptionKeySecret, other), []);
  });

  it("skips a binding type or a bindings list unknown during preview", async () => {
    assert.deepEqual(await violations(cloudflareKeyEncryptionKeySecret, withKekType(UNKNOWN_DURING_PREVIEW)), []);
    assert.deepEqual(
      await violations(cloudflareKeyEncryptionKeySecret, {
        type: TYPES.script,
        props: { bindings: UNKNOWN_DURING_PREVIEW },
      }),
      [],
    );
  });
});
