// The issuer's KEK generations as the program declares them (infra/cloudflare/key-encryption-keys.ts):
// their resource names (generation 1 keeps the name of every earlier release), secrecy, protection,
// and the warning each deploy of a rotation's first step gives.

import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import {
  issuerKeyEncryptionKeys,
  keyEncryptionKeyName,
  rotationUnderWay,
} from "../../../infra/cloudflare/key-encryption-keys.js";
import { dev } from "../../support/dev-stack.js";
import { FakeCloud } from "../../support/fakes/engine.js";
import { installMocks, ofType, resolved } from "../../support/pulumi-mocks.js";

const RANDOM_BYTES = "random:index/randomBytes:RandomBytes";

describe("the issuer's key-encryption keys (issuerKeyEncryptionKeys)", () => {
  it("names generation 1 issuer-kek, as every release before the keyEncryptionKey key did, and generation N issuer-kek-gN", () => {
    assert.equal(keyEncryptionKeyName("issuer", 1), "issuer-kek");
    assert.equal(keyEncryptionKeyName("issuer", 2), "issuer-kek-g2");
    assert.equal(keyEncryptionKeyName("issuer", 12), "issuer-kek-g12");
  });

  it("declares 32 protected random bytes per generation named, each value a secret; none as previous outside a rotation", async () => {
    const cloud = new FakeCloud();
    const deploy = installMocks(dev.project, dev.stack, { cloud });
    const parent = new pulumi.ComponentResource("test:index:Parent", "parent");
    const alone = issuerKeyEncryptionKeys("alone", { generation: 1 }, parent);
    const rotating = issuerKeyEncryptionKeys("rotating", { generation: 2, previous: 1 }, parent);
    assert.equal(alone.previous, undefined);
    for (const output of [alone.current, rotating.current, rotating.previous!]) {
      assert.equal(await pulumi.isSecret(output), true);
      assert.equal(Buffer.from((await resolved(output)) ?? "", "base64").length, 32);
    }
    assert.notEqual(await resolved(rotating.current), await resolved(rotating.previous));
    assert.deepEqual(
      ofType(RANDOM_BYTES)
        .map((r) => [r.name, r.inputs.length])
        .sort(),
      [
        ["alone-kek", 32],
        ["rotating-kek", 32],
        ["rotating-kek-g2", 32],
      ],
    );
    const plan = deploy.finish();
    assert.deepEqual(
      plan.created
        .filter((e) => e.type === RANDOM_BYTES)
        .map((e) => e.name)
        .sort(),
      ["alone-kek", "rotating-kek", "rotating-kek-g2"],
    );
    assert.deepEqual(
      cloud.resources(RANDOM_BYTES).map((r) => r.options?.protect),
      [true, true, true],
    );
  });

  it("warns, during a rotation, with the steps left and the exact URN to unprotect", () => {
    const urn =
      "urn:pulumi:prod::worker-identity::worker-identity:cloudflare:IssuerWorker$random:index/randomBytes:RandomBytes::issuer-kek";
    assert.equal(
      rotationUnderWay({ generation: 2, previous: 1 }, urn),
      "KEK rotation under way: KEY_ENCRYPTION_KEY is generation 2 and KEY_ENCRYPTION_KEY_PREVIOUS generation 1. " +
        "Run `wid keys rewrap` until it reports removable: true, then remove keyEncryptionKey.previous, run " +
        `\`pulumi state unprotect '${urn}'\` and \`pulumi up\` (infra/README.md, 'Rotating the key-encryption key')`,
    );
  });
});
