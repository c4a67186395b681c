// The fake engine acts on the resource options a program registers, as Pulumi's engine does:
// the options reach it from the RegisterResourceRequest (Pulumi's mocks drop them), and so do
// each registration's parent and dependencies; a protected
// resource is neither replaced nor deleted; retainOnDelete leaves a resource in the account;
// replaceOnChanges replaces; deleteBeforeReplace deletes first; an alias finds a resource under
// its old name, and one alias is claimed by one resource only.

import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { installMocks, resolved } from "../pulumi-mocks.js";
import { certificateUpload, DAY_MS } from "./certificate-upload.js";
import { FakeCloud } from "./engine.js";
import { refused } from "./refusal-assert.js";
import { declare, declareWith, NOW } from "./register.js";
import { TYPE } from "./types.js";

const ACCOUNT = "0123456789abcdef0123456789abcdef";
const TRUST = '{"Version":"2012-10-17","Statement":[]}';
const KEPT = { protect: true, retainOnDelete: true };

/** A cloud after one deploy of `declareAll`. */
function deployed(declareAll: (deploy: ReturnType<FakeCloud["begin"]>) => void): FakeCloud {
  const cloud = new FakeCloud();
  const first = cloud.begin(NOW);
  declareAll(first);
  assert.deepEqual(first.finish().refusals, []);
  return cloud;
}

const script = (scriptName: string) => ({
  accountId: ACCOUNT,
  scriptName,
  content: "export default {}",
  mainModule: "index.js",
  bindings: [],
});

describe("fake engine: the options reach it from the RegisterResourceRequest", () => {
  it("records protect, retainOnDelete, replaceOnChanges, deleteBeforeReplace and aliases of a resource the SDK registers", async () => {
    const deploy = installMocks("options", "test", { nowMs: NOW });
    const bytes = new random.RandomBytes(
      "kek",
      { length: 8 },
      {
        protect: true,
        retainOnDelete: true,
        replaceOnChanges: ["length"],
        deleteBeforeReplace: true,
        aliases: [{ name: "old-kek" }],
      },
    );
    const plain = new random.RandomBytes("plain", { length: 8 });
    await Promise.all([resolved(bytes.urn), resolved(plain.urn), resolved(pulumi.output(bytes.base64))]);
    const options = Object.fromEntries(deploy.declared(TYPE.randomBytes).map((r) => [r.name, r.options]));
    assert.deepEqual(options.kek, {
      protect: true,
      retainOnDelete: true,
      replaceOnChanges: ["length"],
      deleteBeforeReplace: true,
      aliases: [{ type: TYPE.randomBytes, name: "old-kek" }],
    });
    assert.deepEqual(options.plain, {
      protect: false,
      retainOnDelete: false,
      replaceOnChanges: [],
      deleteBeforeReplace: false,
      aliases: [],
    });
  });
});

describe("fake engine: the registrations the monitor answered", () => {
  it("records each one's URN, parent and dependencies, components included", async () => {
    const deploy = installMocks("options", "test", { nowMs: NOW });
    const component = new pulumi.ComponentResource("test:index:Box", "box", {});
    const first = new random.RandomBytes("first", { length: 8 }, { parent: component });
    const second = new random.RandomBytes("second", { length: 8 }, { parent: component, dependsOn: [first] });
    await Promise.all([resolved(component.urn), resolved(first.urn), resolved(second.urn)]);
    const byName = Object.fromEntries(deploy.registrations.map((r) => [r.name, r]));
    assert.equal(byName.box?.urn, "urn:pulumi:test::options::test:index:Box::box");
    assert.equal(byName.first?.urn, `urn:pulumi:test::options::test:index:Box$${TYPE.randomBytes}::first`);
    assert.deepEqual([byName.first?.parent, byName.second?.parent], [byName.box?.urn, byName.box?.urn]);
    assert.deepEqual(byName.second?.dependencies, [byName.first?.urn]);
  });
});

describe("fake engine: protect", () => {
  it("refuses to replace a resource protected in state and in the program, deleting nothing", () => {
    const cloud = deployed((d) =>
      declareWith(d, TYPE.role, "role", { name: "wid-a", assumeRolePolicy: TRUST }, { protect: true }),
    );
    const second = cloud.begin(NOW + DAY_MS);
    refused(
      () => declareWith(second, TYPE.role, "role", { name: "wid-b", assumeRolePolicy: TRUST }, { protect: true }),
      /unable to replace resource "aws:iam\/role:Role::role"\nas it is currently marked for protection/,
    );
    const plan = second.finish();
    assert.equal(plan.refusals.length, 1);
    assert.deepEqual([plan.replaced, plan.deleted], [[], []]);
    assert.equal(cloud.resource(TYPE.role, "role")?.inputs.name, "wid-a");
  });

  it("replaces once the program unprotects it, in the same update (Pulumi looks at both flags)", () => {
    const cloud = deployed((d) =>
      declareWith(d, TYPE.role, "role", { name: "wid-a", assumeRolePolicy: TRUST }, { protect: true }),
    );
    const second = cloud.begin(NOW + DAY_MS);
    declare(second, TYPE.role, "role", { name: "wid-b", assumeRolePolicy: TRUST });
    assert.deepEqual(
      second.finish().replaced.map((e) => e.name),
      ["role"],
    );
  });

  it("refuses to delete it (a destroy too) until `pulumi state unprotect`", () => {
    const cloud = deployed((d) => {
      declareWith(d, TYPE.role, "role", { name: "wid-a", assumeRolePolicy: TRUST }, { protect: true });
      declare(d, TYPE.randomBytes, "loose", { length: 8 });
    });
    const destroy = cloud.destroy(NOW + DAY_MS);
    assert.deepEqual(
      destroy.refusals.map((r) => r.detail),
      [
        "resource \"aws:iam/role:Role::role\" cannot be deleted\nbecause it is protected. To unprotect the resource, either remove the `protect` flag from the resource in your Pulumi program and run `pulumi up`, or use the command:\n`pulumi state unprotect 'aws:iam/role:Role::role'`",
      ],
    );
    assert.deepEqual(destroy.deleted, [], "a refused deploy deletes nothing, not even the unprotected");
    assert.deepEqual(
      cloud
        .resources()
        .map((r) => r.name)
        .sort(),
      ["loose", "role"],
    );
    cloud.unprotect(TYPE.role, "role");
    const again = cloud.destroy(NOW + 2 * DAY_MS);
    assert.deepEqual([again.refusals, again.deleted.map((e) => e.name).sort()], [[], ["loose", "role"]]);
  });
});

describe("fake engine: retainOnDelete", () => {
  it("takes a deleted script and namespace out of the state and leaves them in the account", () => {
    const cloud = deployed((d) => {
      declareWith(d, TYPE.workersKvNamespace, "jwks", { accountId: ACCOUNT, title: "issuer-jwks" }, KEPT);
      declareWith(d, TYPE.workersScript, "script", script("issuer"), KEPT);
    });
    cloud.unprotect(TYPE.workersKvNamespace, "jwks");
    cloud.unprotect(TYPE.workersScript, "script");
    const plan = cloud.destroy(NOW + DAY_MS);
    assert.deepEqual(
      { deleted: plan.deleted, retained: plan.retained.map((e) => e.name).sort() },
      { deleted: [], retained: ["jwks", "script"] },
    );
    assert.deepEqual(cloud.resources(), []);
    assert.deepEqual(
      cloud
        .retained()
        .map((r) => r.name)
        .sort(),
      ["jwks", "script"],
    );

    const next = cloud.begin(NOW + 2 * DAY_MS);
    const listed = next.call({
      token: "cloudflare:index/getWorkersScripts:getWorkersScripts",
      inputs: { accountId: ACCOUNT },
    });
    assert.deepEqual(
      (listed.results as { id: string }[]).map((s) => s.id),
      ["issuer"],
      "the account still runs the script",
    );
    refused(
      () => declare(next, TYPE.workersKvNamespace, "jwks", { accountId: ACCOUNT, title: "issuer-jwks" }),
      /already exists: 'issuer-jwks' \[code: 10014\]/,
    );
  });

  it("keeps the old resource of a replacement in the account, and deletes one without the option", () => {
    const cloud = deployed((d) => {
      declareWith(d, TYPE.workersScript, "kept", script("kept-a"), { retainOnDelete: true });
      declare(d, TYPE.workersScript, "plain", script("plain-a"));
    });
    const second = cloud.begin(NOW + DAY_MS);
    declareWith(second, TYPE.workersScript, "kept", script("kept-b"), { retainOnDelete: true });
    declare(second, TYPE.workersScript, "plain", script("plain-b"));
    const plan = second.finish();
    assert.deepEqual(plan.replaced.map((e) => e.name).sort(), ["kept", "plain"]);
    assert.deepEqual(
      cloud.retained().map((r) => r.inputs.scriptName),
      ["kept-a"],
    );
  });
});

describe("fake engine: replaceOnChanges", () => {
  it("replaces on a change the provider would update in place", () => {
    for (const [replaceOnChanges, change] of [
      [[], "updated"],
      [["title"], "replaced"],
      [["*"], "replaced"],
    ] as const) {
      const cloud = deployed((d) =>
        declareWith(d, TYPE.workersKvNamespace, "ns", { accountId: ACCOUNT, title: "a" }, { replaceOnChanges }),
      );
      const second = cloud.begin(NOW + DAY_MS);
      declareWith(second, TYPE.workersKvNamespace, "ns", { accountId: ACCOUNT, title: "b" }, { replaceOnChanges });
      const plan = second.finish();
      assert.deepEqual(
        { updated: plan.updated.map((e) => e.name), replaced: plan.replaced.map((e) => e.name) },
        change === "updated" ? { updated: ["ns"], replaced: [] } : { updated: [], replaced: ["ns"] },
        String(replaceOnChanges),
      );
    }
  });
});

describe("fake engine: deleteBeforeReplace", () => {
  const withPath = (path: string) => ({ name: "wid-a", path, assumeRolePolicy: TRUST });

  it("frees a unique name for the replacement, and the plan says delete before create", () => {
    const cloud = deployed((d) => declare(d, TYPE.role, "role", withPath("/a/")));
    refused(
      () => declare(cloud.begin(NOW + DAY_MS), TYPE.role, "role", withPath("/b/")),
      /EntityAlreadyExists: Role with name wid-a already exists/,
    );

    const dbr = deployed((d) => declareWith(d, TYPE.role, "role", withPath("/a/"), { deleteBeforeReplace: true }));
    const second = dbr.begin(NOW + DAY_MS);
    declareWith(second, TYPE.role, "role", withPath("/b/"), { deleteBeforeReplace: true });
    assert.deepEqual(second.finish().replaced, [
      { type: TYPE.role, name: "role", properties: ["path"], order: "delete-before-create" },
    ]);
  });

  it("still flags a certificate deleted first while it is valid", () => {
    const upload = (label: string) => certificateUpload("options-test", 5, 0x21, label);
    const cloud = deployed((d) =>
      declareWith(d, TYPE.mtlsCertificate, "cert", upload("one"), { deleteBeforeReplace: true }),
    );
    const second = cloud.begin(NOW + DAY_MS);
    declareWith(second, TYPE.mtlsCertificate, "cert", upload("two"), { deleteBeforeReplace: true });
    const plan = second.finish();
    assert.equal(plan.replaced[0]?.order, "delete-before-create");
    assert.equal(plan.violations.length, 1);
    assert.match(plan.violations[0]!, /MtlsCertificate 'cert' \(id cert-id\) deleted at .* while valid until/);
  });
});

describe("fake engine: aliases", () => {
  it("finds a resource under its old name: renamed, with its id and value, not created and deleted", () => {
    const cloud = deployed((d) => declare(d, TYPE.randomBytes, "old", { length: 16 }));
    const before = cloud.resource(TYPE.randomBytes, "old")!;
    const second = cloud.begin(NOW + DAY_MS);
    const state = declareWith(
      second,
      TYPE.randomBytes,
      "new",
      { length: 16 },
      { aliases: [{ type: TYPE.randomBytes, name: "old" }] },
    );
    const plan = second.finish();
    assert.deepEqual(
      { created: plan.created, deleted: plan.deleted, unchanged: plan.unchanged },
      { created: [], deleted: [], unchanged: [{ type: TYPE.randomBytes, name: "new", renamedFrom: "old" }] },
    );
    assert.equal(state.base64, before.outputs.base64);
    assert.equal(cloud.resource(TYPE.randomBytes, "new")?.id, before.id);
    assert.equal(cloud.resource(TYPE.randomBytes, "old"), undefined);
  });

  it("refuses two resources claiming one alias, and an alias of a resource still declared", () => {
    const cloud = deployed((d) => declare(d, TYPE.randomBytes, "old", { length: 16 }));
    const twice = cloud.begin(NOW + DAY_MS);
    declareWith(twice, TYPE.randomBytes, "a", { length: 16 }, { aliases: [{ type: TYPE.randomBytes, name: "old" }] });
    refused(
      () =>
        declareWith(
          twice,
          TYPE.randomBytes,
          "b",
          { length: 16 },
          { aliases: [{ type: TYPE.randomBytes, name: "old" }] },
        ),
      /Duplicate resource alias 'random:index\/randomBytes:RandomBytes::old' applied to resource with URN '.*::b' conflicting with resource with URN '.*::a'/,
    );

    const kept = cloud.begin(NOW + DAY_MS);
    declare(kept, TYPE.randomBytes, "old", { length: 16 });
    refused(
      () =>
        declareWith(
          kept,
          TYPE.randomBytes,
          "a",
          { length: 16 },
          { aliases: [{ type: TYPE.randomBytes, name: "old" }] },
        ),
      /Duplicate resource alias .*::old' applied to resource with URN '.*::a' conflicting with resource with URN '.*::old'/,
    );

    const late = cloud.begin(NOW + DAY_MS);
    declareWith(late, TYPE.randomBytes, "a", { length: 16 }, { aliases: [{ type: TYPE.randomBytes, name: "old" }] });
    refused(
      () => declare(late, TYPE.randomBytes, "old", { length: 16 }),
      /Duplicate resource URN '.*::old' conflicting with alias on resource with URN '.*::a'/,
    );
  });
});
