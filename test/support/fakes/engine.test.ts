// The fake cloud keeps state from one deploy to the next, as Pulumi and the providers do: ids and
// random values are kept, a change to a property the provider replaces on yields a new resource
// (new id, new random value), a resource no longer declared is deleted, and the plan says which.
// It flags what a deploy must never do (delete an mTLS certificate before it expires), refuses a
// pool id deleted less than 30 days ago, any type or function it does not model, and a stack
// config the engine cannot hand over (over 128 KiB).

import assert from "node:assert/strict";
import { certificateUpload, DAY_MS } from "./certificate-upload.js";
import { FakeCloud } from "./engine.js";
import { checkEngineConfig, configEnvironmentBytes, type EngineRefusal } from "./engine-config.js";
import { refused } from "./refusal-assert.js";
import { declare, NOW } from "./register.js";
import { TYPE } from "./types.js";

const TRUST = '{"Version":"2012-10-17","Statement":[]}';

describe("fake cloud: state across deploys", () => {
  it("keeps ids and random values; replaces on a forcing property with a new id and value; deletes what is gone", () => {
    const cloud = new FakeCloud();
    const first = cloud.begin(NOW);
    const kek = declare(first, TYPE.randomBytes, "kek", { length: 32 });
    declare(first, TYPE.role, "role", { name: "wid-a", assumeRolePolicy: TRUST, description: "one" });
    declare(first, TYPE.randomBytes, "gone", { length: 8 });
    assert.deepEqual(
      first.finish().created.map((e) => e.name),
      ["kek", "role", "gone"],
    );

    const second = cloud.begin(NOW + DAY_MS);
    assert.equal(
      declare(second, TYPE.randomBytes, "kek", { length: 32 }).base64,
      kek.base64,
      "a random value is generated once",
    );
    declare(second, TYPE.role, "role", { name: "wid-a", assumeRolePolicy: TRUST, description: "two" });
    const plan = second.finish();
    assert.deepEqual(plan.updated, [{ type: TYPE.role, name: "role", properties: ["description"] }]);
    assert.deepEqual(
      plan.unchanged.map((e) => e.name),
      ["kek"],
    );
    assert.deepEqual(
      plan.deleted.map((e) => e.name),
      ["gone"],
    );
    assert.equal(cloud.resource(TYPE.role, "role")?.id, "role-id", "an update keeps the id");

    const third = cloud.begin(NOW + 2 * DAY_MS);
    const rekeyed = declare(third, TYPE.randomBytes, "kek", { length: 48 });
    declare(third, TYPE.role, "role", { name: "wid-b", assumeRolePolicy: TRUST, description: "two" });
    const replaced = third.finish();
    assert.deepEqual(
      replaced.replaced.map((e) => [e.name, e.properties]),
      [
        ["kek", ["length"]],
        ["role", ["name"]],
      ],
    );
    assert.notEqual(rekeyed.base64, kek.base64);
    assert.equal(cloud.resource(TYPE.role, "role")?.id, "role-id-2");
  });

  it("flags a certificate deleted before its notAfter, and not one deleted after", () => {
    const upload = certificateUpload("engine-test", 3, 0x42, "c");
    for (const [deletedAt, violations] of [
      [NOW + 9 * DAY_MS, 1],
      [NOW + 11 * DAY_MS, 0],
    ] as const) {
      const cloud = new FakeCloud();
      const first = cloud.begin(NOW);
      declare(first, TYPE.mtlsCertificate, "cert", upload);
      first.finish();
      const plan = cloud.begin(deletedAt).finish();
      assert.equal(plan.violations.length, violations, plan.violations.join("; "));
      if (violations > 0)
        assert.match(plan.violations[0]!, /MtlsCertificate 'cert' \(id cert-id\) deleted at .* while valid until/);
    }
  });

  it("refuses a pool id deleted less than 30 days ago, and takes it back after", () => {
    const pool = { project: "example-identity-dev", workloadIdentityPoolId: "worker-identity" };
    const cloud = new FakeCloud();
    const first = cloud.begin(NOW);
    declare(first, TYPE.pool, "pool", pool);
    first.finish();
    cloud.begin(NOW + DAY_MS).finish();
    refused(
      () => declare(cloud.begin(NOW + 30 * DAY_MS), TYPE.pool, "pool", pool),
      /Error 409: Requested entity already exists.*soft-deleted until/,
    );
    declare(cloud.begin(NOW + 31 * DAY_MS + 1), TYPE.pool, "pool", pool);
  });

  it("refuses a resource type and a function it does not model", () => {
    const deploy = new FakeCloud().begin(NOW);
    refused(() => declare(deploy, "aws:s3/bucket:Bucket", "b", {}), /no fake models aws:s3\/bucket:Bucket/);
    refused(
      () => deploy.call({ token: "aws:index/getCallerIdentity:getCallerIdentity", inputs: {} }),
      /no fake answers the function/,
    );
  });
});

describe("fake engine: the stack config in one environment variable", () => {
  it("hands over 128 KiB (PULUMI_CONFIG=…, its NUL included) and refuses one byte more", () => {
    const config = (valueBytes: number) => ({ "p:k": "x".repeat(valueBytes) });
    const overhead = configEnvironmentBytes(config(0));
    checkEngineConfig(config(131_072 - overhead));
    assert.throws(
      () => checkEngineConfig(config(131_073 - overhead)),
      (error: EngineRefusal) => {
        assert.equal(error.code, "ERR_ENGINE_REFUSAL");
        assert.equal(error.bytes, 131_073);
        assert.match(error.message, /argument list too long/);
        assert.match(error.source, /MAX_ARG_STRLEN.*pulumi\/pulumi#8680/);
        return true;
      },
    );
  });
});
