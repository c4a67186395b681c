// What the issuer script sends as `migrations`, as a pure function of the deployed tag: the whole
// history for a new script, nothing once current, the pending steps with oldTag = the current tag
// otherwise, and a refusal for a tag this program never wrote.

import assert from "node:assert/strict";
import {
  deployedMigrationTag,
  type Migration,
  type MigrationTagError,
  migrationsFor,
} from "../../../infra/cloudflare/migrations.js";

const HISTORY: readonly Migration[] = [
  { tag: "v1", newSqliteClasses: ["KeyStore"] },
  { tag: "v2", newSqliteClasses: ["RevocationLog"] },
  { tag: "v3", renamedClasses: [{ from: "RevocationLog", to: "Revocations" }] },
];

describe("issuer script migrations (migrationsFor)", () => {
  it("creates the SQLite key store on a script that has no tag yet, without oldTag", () => {
    assert.deepEqual(migrationsFor(undefined), { newTag: "v1", newSqliteClasses: ["KeyStore"] });
    assert.deepEqual(migrationsFor(""), { newTag: "v1", newSqliteClasses: ["KeyStore"] }, "an empty tag is no tag");
  });

  it("sends nothing once the script carries the latest tag", () => {
    assert.equal(migrationsFor("v1"), undefined);
    assert.equal(migrationsFor("v3", HISTORY), undefined);
  });

  it("sends the one pending migration from the current tag", () => {
    assert.deepEqual(migrationsFor("v2", HISTORY), {
      oldTag: "v2",
      newTag: "v3",
      renamedClasses: [{ from: "RevocationLog", to: "Revocations" }],
    });
  });

  it("sends several pending migrations as steps, from the current tag to the latest", () => {
    assert.deepEqual(migrationsFor("v1", HISTORY), {
      oldTag: "v1",
      newTag: "v3",
      steps: [
        { newSqliteClasses: ["RevocationLog"] },
        { renamedClasses: [{ from: "RevocationLog", to: "Revocations" }] },
      ],
    });
    assert.deepEqual(migrationsFor(undefined, HISTORY), {
      newTag: "v3",
      steps: [
        { newSqliteClasses: ["KeyStore"] },
        { newSqliteClasses: ["RevocationLog"] },
        { renamedClasses: [{ from: "RevocationLog", to: "Revocations" }] },
      ],
    });
  });

  it("refuses a tag it never wrote, naming the tag, the known ones and the fix", () => {
    assert.throws(
      () => migrationsFor("v7"),
      (error: MigrationTagError) => {
        assert.equal(error.code, "ERR_MIGRATION_TAG");
        assert.match(error.message, /migration tag 'v7', which this program never wrote \(its migrations: v1\)/);
        assert.match(error.message, /add its migration to infra\/cloudflare\/migrations\.ts/);
        return true;
      },
    );
  });

  it("refuses a history with a repeated or empty tag", () => {
    assert.throws(() => migrationsFor(undefined, [{ tag: "v1" }, { tag: "v1" }]), /tags must be non-empty and unique/);
    assert.throws(() => migrationsFor(undefined, []), /tags must be non-empty and unique/);
  });
});

describe("the deployed tag among an account's scripts (deployedMigrationTag)", () => {
  const scripts = [
    { id: "billing", migrationTag: "v9" },
    { id: "worker-identity", migrationTag: "v1" },
    { id: "jobs", migrationTag: "" },
  ];

  it("is the tag of the script with the issuer's name", () => {
    assert.equal(deployedMigrationTag(scripts, "worker-identity"), "v1");
  });

  it("is undefined for a script that is absent, untagged or tagged null", () => {
    assert.equal(deployedMigrationTag(scripts, "ghost"), undefined);
    assert.equal(deployedMigrationTag(scripts, "jobs"), undefined);
    assert.equal(deployedMigrationTag([{ id: "x", migrationTag: null }], "x"), undefined);
  });
});
