// The dev stack's Vault trust across deploys on one fake cloud: unchanged, nothing of Vault
// changes; new policies or lifetimes update the role in place; a new role name replaces it (the
// provider's role_name is ForceNew), and the new role is written before the old one is deleted
// without the fake refusing a second writer (another name); a new mount remounts the backend in
// place and replaces its roles (backend is ForceNew); a second Vault workload adds one role;
// without the stack key and sections, the mount and roles are deleted.

import assert from "node:assert/strict";
import { deployProgram, dev, engineConfig } from "../../support/dev-stack.js";
import type { PlanEntry } from "../../support/fakes/deploy.js";
import { FakeCloud } from "../../support/fakes/engine.js";
import { TYPE } from "../../support/fakes/types.js";
import { assertSafe, changes, names } from "../deploy-sequences/plan-summary.js";

/** The dev stack's certificates renew nothing in the days after this instant (see redeploy.test.ts). */
const T0 = Date.UTC(2023, 2, 24, 6);
const HOUR_MS = 3_600_000;
const VAULT_TYPES = new Set<string>([TYPE.vaultJwtBackend, TYPE.vaultJwtRole]);
const vaultOnly = (entries: readonly PlanEntry[]) => entries.filter((e) => VAULT_TYPES.has(e.type));

type Workloads = Record<string, Record<string, unknown>>;
/** The dev config with every edit so far and this one (each deploy builds on the last), and the stack's vault key (null: none). */
const edits: ((workloads: Workloads) => void)[] = [];
function withWorkloads(edit: (workloads: Workloads) => void, vault: unknown = dev.config["worker-identity:vault"]) {
  edits.push(edit);
  const workloads = structuredClone(dev.config["worker-identity:workloads"]) as Workloads;
  for (const each of edits) each(workloads);
  return vault === null
    ? engineConfig({ "worker-identity:workloads": workloads }, ["worker-identity:vault"])
    : engineConfig({ "worker-identity:workloads": workloads, "worker-identity:vault": vault });
}
const syncVault = (workloads: Workloads) => workloads["secrets-sync"]!.vault as Record<string, unknown>;

describe("deploy sequence: the dev stack's Vault mount and roles across deploys", function () {
  this.timeout(300_000);
  const cloud = new FakeCloud();
  let at = T0;
  const deploy = async (config: Record<string, string>, what: string) => {
    at += HOUR_MS;
    const { plan } = await deployProgram(config, { cloud, nowMs: at });
    assertSafe(plan, what);
    return plan;
  };

  it("first deploy: creates the mount and secrets-sync's role", async () => {
    const plan = await deploy(engineConfig(), "first deploy");
    assert.deepEqual(names(vaultOnly(plan.created)), ["vault-backend", "vault-secrets-sync-role"]);
  });

  it("the same config again: nothing of Vault changes", async () => {
    const plan = await deploy(engineConfig(), "second deploy");
    assert.deepEqual(
      [...vaultOnly(plan.created), ...vaultOnly(plan.updated), ...vaultOnly(plan.replaced), ...vaultOnly(plan.deleted)],
      [],
    );
  });

  it("new policies and a longer TTL: the role is updated in place", async () => {
    const plan = await deploy(
      withWorkloads((w) => {
        syncVault(w).policies = ["payments-read", "payments-audit"];
        syncVault(w).tokenTtlSeconds = 1200;
        syncVault(w).tokenMaxTtlSeconds = 1800;
      }),
      "policies changed",
    );
    assert.deepEqual(changes(vaultOnly(plan.updated)), {
      "vault-secrets-sync-role": ["tokenMaxTtl", "tokenPolicies", "tokenTtl"],
    });
    assert.deepEqual(vaultOnly(plan.replaced), []);
    assert.deepEqual(cloud.resource(TYPE.vaultJwtRole, "vault-secrets-sync-role")?.inputs.tokenPolicies, [
      "payments-read",
      "payments-audit",
    ]);
  });

  it("a new role name: the role is replaced, created before the old one is deleted", async () => {
    const plan = await deploy(
      withWorkloads((w) => {
        syncVault(w).role = "secrets-sync-reader";
      }),
      "role renamed",
    );
    assert.deepEqual(changes(vaultOnly(plan.replaced)), { "vault-secrets-sync-role": ["roleName"] });
    assert.equal(vaultOnly(plan.replaced)[0]?.order, "create-before-delete");
    assert.equal(cloud.resource(TYPE.vaultJwtRole, "vault-secrets-sync-role")?.inputs.roleName, "secrets-sync-reader");
  });

  it("a second Vault workload: one more role, bound to its own subject", async () => {
    const plan = await deploy(
      withWorkloads((w) => {
        w["vault-reader"] = { audiences: ["https://vault.example.dev"], vault: { policies: ["kv-read"] } };
      }),
      "second workload",
    );
    assert.deepEqual(names(vaultOnly(plan.created)), ["vault-vault-reader-role"]);
    const role = cloud.resource(TYPE.vaultJwtRole, "vault-vault-reader-role");
    assert.equal(role?.inputs.roleName, "wid-vault-reader");
    assert.equal(role?.inputs.boundSubject, `worker/${String(dev.config["worker-identity:accountId"])}/vault-reader`);
  });

  it("a new mount: the backend is remounted in place and its roles replaced under it", async () => {
    const plan = await deploy(
      withWorkloads(() => {}, {
        ...(dev.config["worker-identity:vault"] as Record<string, unknown>),
        mount: "workers",
      }),
      "mount moved",
    );
    assert.deepEqual(changes(vaultOnly(plan.updated)), { "vault-backend": ["path"] });
    assert.deepEqual(names(vaultOnly(plan.replaced)), ["vault-secrets-sync-role", "vault-vault-reader-role"]);
    assert.equal(cloud.resource(TYPE.vaultJwtRole, "vault-vault-reader-role")?.inputs.backend, "workers");
  });

  it("without the stack key and the sections: the mount and its roles are deleted", async () => {
    const plan = await deploy(
      withWorkloads((w) => {
        delete w["secrets-sync"]!.vault;
        delete w["vault-reader"];
      }, null),
      "vault removed",
    );
    assert.deepEqual(names(vaultOnly(plan.deleted)), [
      "vault-backend",
      "vault-secrets-sync-role",
      "vault-vault-reader-role",
    ]);
  });
});
