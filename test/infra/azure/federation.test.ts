// AzureFederation on the provider fakes: an application, service principal and exact FICs per
// workload that asks for one; one application per group shard; only FICs on an existing
// application or managed identity (through a provider for its subscription, one after the
// other); a native workload's second FIC; nothing for workloads without `azure`; client ids
// kept across deploys. The fakes refuse what Entra refuses, so a refused deploy fails here.

import assert from "node:assert/strict";
import type * as pulumi from "@pulumi/pulumi";
import type { AzureFederationArgs, AzureFederation as AzureFederationClass } from "../../../infra/azure/federation.js";
import type { AzureIdentity, AzureSettings, WorkloadConfig } from "../../../worker/config/types.js";
import { ENTRA_DIRECTORY } from "../../support/fakes/azure.js";
import { FakeCloud, type FakeDeploy } from "../../support/fakes/engine.js";
import { settled } from "../../support/fakes/settled.js";
import { TYPE } from "../../support/fakes/types.js";
import { issuerSettings } from "../../support/issuer-settings.js";
import { installMocks, recorded } from "../../support/pulumi-mocks.js";

const ACCOUNT = "0123456789abcdef0123456789abcdef";
const TENANT = "8d2b6f3e-51a4-4c9e-9a1b-3f0e7c5d2a10";
const EXCHANGE = "api://AzureADTokenExchange";
const ISSUER = "https://id.example.dev";
const NATIVE_ISSUER = "https://oidc.cloudflare.example/accounts/0123";
const issuer = issuerSettings({ accountId: ACCOUNT, issuerUrl: ISSUER });
const azure: AzureSettings = { tenantId: TENANT, audience: EXCHANGE, applicationGroups: { agents: { shards: 1 } } };
const EXISTING = ENTRA_DIRECTORY.applications[0];
const IDENTITY = ENTRA_DIRECTORY.managedIdentities[0];
const MI_ID = `/subscriptions/${IDENTITY.subscriptionId}/resourceGroups/${IDENTITY.resourceGroupName}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${IDENTITY.resourceName}`;
const managedIdentity: AzureIdentity = { kind: "managed-identity", resourceId: MI_ID, ...IDENTITY };

function workload(name: string, identity?: AzureIdentity, native?: string): WorkloadConfig {
  const subject = `worker/${ACCOUNT}/${name}`;
  return {
    name,
    subject,
    entrypoint: `Workload_${name.replaceAll("-", "_")}`,
    audiences: [EXCHANGE],
    tokenLifetimeSeconds: 300,
    maxTokenLifetimeSeconds: 3600,
    claims: {},
    ...(native === undefined ? {} : { native: { issuer: NATIVE_ISSUER, subject: native, audiences: [EXCHANGE] } }),
    ...(identity === undefined
      ? {}
      : {
          azure: {
            identity,
            credentials: [
              { name: `wid-${name}`, issuer: ISSUER, subject, trusts: "workload" as const },
              ...(native === undefined
                ? []
                : [{ name: `wid-${name}-native`, issuer: NATIVE_ISSUER, subject: native, trusts: "native" as const }]),
            ],
          },
        }),
  };
}

const workloads: readonly WorkloadConfig[] = [
  workload("billing"),
  workload("inventory-sync", { kind: "application", displayName: "wid-inventory-sync" }, "cf:worker:7d1f"),
  workload("agent-a", { kind: "group", group: "agents", shard: 0, displayName: "wid-agents-0" }),
  workload("agent-b", { kind: "group", group: "agents", shard: 0, displayName: "wid-agents-0" }),
  workload("ledger", { kind: "existing-application", objectId: EXISTING.objectId, clientId: EXISTING.clientId }),
  workload("sync-a", managedIdentity),
  workload("sync-b", managedIdentity, "cf:worker:5e6f"),
];

const resolvedOf = <T>(output: pulumi.Output<T>) => new Promise<T>((resolve) => output.apply(resolve));
let AzureFederation: typeof AzureFederationClass;

async function deploy(overrides: Partial<AzureFederationArgs> = {}, cloud?: FakeCloud) {
  const fake: FakeDeploy = installMocks("worker-identity", "test", cloud === undefined ? {} : { cloud });
  const name = "azure";
  const federation = new AzureFederation(name, { issuer, azure, workloads, stack: "prod", ...overrides });
  const clientIds: Record<string, string> = {};
  for (const [w, out] of Object.entries(federation.workloads)) clientIds[w] = await resolvedOf(out.clientId);
  await settled();
  const registrations = fake.registrations;
  const plan = fake.finish();
  assert.deepEqual(plan.refusals, [], "the fakes refuse nothing");
  const mine = recorded.filter((r) => r.name === name || r.name.startsWith(`${name}-`));
  const ofType = (type: string) => mine.filter((r) => r.type === type);
  const dependencies = (n: string) => registrations.find((r) => r.name === n)?.dependencies ?? [];
  const urn = (n: string) => registrations.find((r) => r.name === n)?.urn ?? "";
  return { name, federation, ofType, clientIds, dependencies, urn, plan };
}

describe("AzureFederation (provider fakes)", function () {
  this.timeout(60_000);

  before(async () => {
    installMocks("worker-identity", "test");
    ({ AzureFederation } = await import("../../../infra/azure/federation.js"));
  });

  it("creates one application and service principal per created identity, described and tagged", async () => {
    const { ofType, clientIds } = await deploy();
    const apps = ofType(TYPE.azureApplication);
    assert.deepEqual(apps.map((a) => a.name).sort(), ["azure-group.agents.0", "azure-inventory-sync"]);
    const own = apps.find((a) => a.name === "azure-inventory-sync")!;
    assert.equal(own.inputs.displayName, "wid-inventory-sync");
    for (const needle of ["prod", ISSUER]) assert.ok(String(own.inputs.description).includes(needle), needle);
    for (const needle of [`worker/${ACCOUNT}/inventory-sync`, "cf:worker:7d1f", NATIVE_ISSUER])
      assert.ok(String(own.inputs.notes).includes(needle), needle);
    assert.deepEqual(own.inputs.tags, [
      "worker-identity",
      "worker-identity:stack=prod",
      "worker-identity:workload=inventory-sync",
    ]);
    const group = apps.find((a) => a.name === "azure-group.agents.0")!;
    assert.equal(group.inputs.displayName, "wid-agents-0");
    assert.match(String(group.inputs.description), /agent-a, agent-b/);
    const sps = ofType(TYPE.azureServicePrincipal);
    assert.equal(sps.length, 2);
    assert.deepEqual(
      sps.map((s) => s.inputs.clientId).sort(),
      [clientIds["inventory-sync"], clientIds["agent-a"]].sort(),
    );
    assert.equal(clientIds["agent-a"], clientIds["agent-b"], "one shard, one application");
    assert.notEqual(clientIds["agent-a"], clientIds["inventory-sync"]);
  });

  it("declares exactly one FIC per trusted subject: exact issuer, subject and the one audience", async () => {
    const { ofType } = await deploy();
    const fics = [...ofType(TYPE.azureApplicationFic), ...ofType(TYPE.azureManagedIdentityFic)];
    const seen = fics.map((f) => [f.inputs.issuer, f.inputs.subject, f.inputs.audiences]);
    const expected = [
      ["inventory-sync", ISSUER],
      ["agent-a", ISSUER],
      ["agent-b", ISSUER],
      ["ledger", ISSUER],
      ["sync-a", ISSUER],
      ["sync-b", ISSUER],
    ].map(([w, i]) => [i, `worker/${ACCOUNT}/${w}`, [EXCHANGE]]);
    expected.push([NATIVE_ISSUER, "cf:worker:7d1f", [EXCHANGE]], [NATIVE_ISSUER, "cf:worker:5e6f", [EXCHANGE]]);
    const sort = (l: unknown[][]) => l.map((x) => JSON.stringify(x)).sort();
    assert.deepEqual(sort(seen), sort(expected));
    assert.ok(!fics.some((f) => String(f.inputs.subject).includes("billing")), "billing has no azure section");
  });

  it("puts application FICs on the right application: the stack's by its id, an existing one by /applications/<objectId>", async () => {
    const { ofType } = await deploy();
    const byName = new Map(ofType(TYPE.azureApplicationFic).map((f) => [f.name, f.inputs]));
    assert.equal(byName.get("azure-inventory-sync-fic")?.applicationId, "azure-inventory-sync-id");
    assert.equal(byName.get("azure-inventory-sync-fic")?.displayName, "wid-inventory-sync");
    assert.equal(byName.get("azure-inventory-sync-fic-native")?.displayName, "wid-inventory-sync-native");
    assert.equal(byName.get("azure-agent-a-fic")?.applicationId, "azure-group.agents.0-id");
    assert.equal(byName.get("azure-agent-b-fic")?.applicationId, "azure-group.agents.0-id");
    assert.equal(byName.get("azure-ledger-fic")?.applicationId, `/applications/${EXISTING.objectId}`);
    assert.match(
      String(byName.get("azure-ledger-fic")?.description),
      /ledger.*worker\/0123456789abcdef0123456789abcdef\/ledger/,
    );
  });

  it("puts managed-identity FICs on the identity, through its subscription's provider, one after the other", async () => {
    const { ofType, dependencies, urn, federation } = await deploy();
    const fics = ofType(TYPE.azureManagedIdentityFic);
    assert.deepEqual(
      fics.map((f) => [
        f.name,
        f.inputs.resourceGroupName,
        f.inputs.resourceName,
        f.inputs.federatedIdentityCredentialResourceName,
      ]),
      [
        ["azure-sync-a-fic", "rg-identity", "uai-sync", "wid-sync-a"],
        ["azure-sync-b-fic", "rg-identity", "uai-sync", "wid-sync-b"],
        ["azure-sync-b-fic-native", "rg-identity", "uai-sync", "wid-sync-b-native"],
      ],
    );
    assert.ok(dependencies("azure-sync-b-fic").includes(urn("azure-sync-a-fic")));
    assert.ok(dependencies("azure-sync-b-fic-native").includes(urn("azure-sync-b-fic")));
    const providers = recorded.filter((r) => r.type === "pulumi:providers:azure-native");
    assert.deepEqual(
      providers.map((p) => [p.inputs.subscriptionId, p.inputs.tenantId]),
      [[IDENTITY.subscriptionId, TENANT]],
    );
    assert.equal(federation.workloads["sync-a"]?.resourceId, MI_ID);
    assert.equal(await resolvedOf(federation.workloads["sync-a"]!.clientId), IDENTITY.clientId);
  });

  it("outputs the tenant, client id and FIC names each workload's azureAccessToken needs", async () => {
    const { federation, clientIds } = await deploy();
    assert.deepEqual(Object.keys(federation.workloads).sort(), [
      "agent-a",
      "agent-b",
      "inventory-sync",
      "ledger",
      "sync-a",
      "sync-b",
    ]);
    const own = federation.workloads["inventory-sync"]!;
    assert.equal(own.tenantId, TENANT);
    // The applications and FICs are made in the tenant the token endpoint names, not the ambient credentials' default.
    assert.deepEqual(
      recorded.filter((r) => r.type === "pulumi:providers:azuread").map((p) => p.inputs.tenantId),
      [TENANT],
    );
    assert.deepEqual(own.credentialNames, ["wid-inventory-sync", "wid-inventory-sync-native"]);
    assert.deepEqual(await resolvedOf(own.azureAccessToken), {
      tenantId: TENANT,
      clientId: clientIds["inventory-sync"],
    });
    assert.equal(await resolvedOf(federation.workloads.ledger!.clientId), EXISTING.clientId);
    assert.equal(await resolvedOf(federation.workloads.ledger!.objectId!), EXISTING.objectId);
  });

  it("keeps every client id across deploys, and adding a workload touches no other's resources", async () => {
    const cloud = new FakeCloud();
    const first = await deploy({}, cloud);
    const more = [
      ...workloads,
      workload("agent-c", { kind: "group", group: "agents", shard: 0, displayName: "wid-agents-0" }),
    ];
    const second = await deploy({ workloads: more }, cloud);
    for (const [w, id] of Object.entries(first.clientIds)) assert.equal(second.clientIds[w], id, w);
    assert.equal(second.clientIds["agent-c"], first.clientIds["agent-a"]);
    assert.deepEqual(
      second.plan.created.map((c) => c.name),
      ["azure-agent-c-fic"],
    );
    assert.deepEqual(second.plan.replaced, []);
    assert.deepEqual(second.plan.deleted, []);
    // The shard's texts list its workloads: an update in place, never a new application.
    assert.deepEqual(second.plan.updated.map((u) => u.name).sort(), [
      "azure-group.agents.0",
      "azure-group.agents.0-sp",
    ]);
  });

  it("a 21st FIC on one shard is refused by Entra (the fake), which the validator prevents", async () => {
    const many = Array.from({ length: 21 }, (_, i) =>
      workload(`agent-${String(i).padStart(2, "0")}`, {
        kind: "group",
        group: "agents",
        shard: 0,
        displayName: "wid-agents-0",
      }),
    );
    await assert.rejects(deploy({ workloads: many }), /already has 20 federated identity credentials/);
  });
});

describe("AzureFederation across deploys (provider fakes)", function () {
  this.timeout(60_000);
  const group = (name: string, shard: number) =>
    workload(name, { kind: "group", group: "agents", shard, displayName: `wid-agents-${shard}` });

  let finishing: FakeDeploy | undefined;

  async function deployOn(cloud: FakeCloud, list: readonly WorkloadConfig[]) {
    finishing = installMocks("worker-identity", "test", { cloud });
    const { AzureFederation } = await import("../../../infra/azure/federation.js");
    const federation = new AzureFederation("azure", { issuer, azure, workloads: list, stack: "prod" });
    for (const out of Object.values(federation.workloads)) await resolvedOf(out.clientId);
    await settled();
    const plan = finishing.finish();
    assert.deepEqual(plan.refusals, []);
    return plan;
  }

  it("removing a workload deletes its application, service principal and FIC, and nothing of the others", async () => {
    const cloud = new FakeCloud();
    await deployOn(cloud, workloads);
    const plan = await deployOn(
      cloud,
      workloads.filter((w) => w.name !== "inventory-sync"),
    );
    assert.deepEqual(plan.deleted.map((d) => d.name).sort(), [
      "azure-inventory-sync",
      "azure-inventory-sync-fic",
      "azure-inventory-sync-fic-native",
      "azure-inventory-sync-sp",
    ]);
    assert.deepEqual(plan.replaced, []);
  });

  it("moving a group's workload to another shard replaces its FIC onto that shard's application, create before delete", async () => {
    const cloud = new FakeCloud();
    await deployOn(cloud, [group("agent-a", 0), group("agent-b", 0)]);
    const plan = await deployOn(cloud, [group("agent-a", 0), group("agent-b", 1)]);
    assert.deepEqual(plan.created.map((c) => c.name).sort(), ["azure-group.agents.1", "azure-group.agents.1-sp"]);
    assert.deepEqual(
      plan.replaced.map((r) => [r.name, r.properties, r.order]),
      [["azure-agent-b-fic", ["applicationId"], "create-before-delete"]],
    );
  });

  it("a full shard of 20 takes a moved-in workload only once one has left (Entra counts the old FIC until it is deleted)", async () => {
    const cloud = new FakeCloud();
    const twenty = Array.from({ length: 20 }, (_, i) => group(`agent-${String(i).padStart(2, "0")}`, 0));
    await deployOn(cloud, [...twenty, group("mover", 1)]);
    // The mover joins shard 0 while one of the twenty leaves it: the new FIC is created while the
    // leaver's still exists, so Entra would hold 21 on shard 0 for a moment and refuse it.
    const deploy = installMocks("worker-identity", "test", { cloud });
    const { AzureFederation } = await import("../../../infra/azure/federation.js");
    new AzureFederation("azure", { issuer, azure, workloads: [...twenty.slice(1), group("mover", 0)], stack: "prod" });
    await settled().catch(() => undefined);
    const refusals = deploy.finish().refusals.map((r) => r.message);
    assert.equal(refusals.length, 1, refusals.join("\n"));
    assert.match(refusals[0]!, /azure-mover-fic: .*already has 20 federated identity credentials/);
    // In two deploys (the leaver first) it fits.
    await deployOn(cloud, [...twenty.slice(1), group("mover", 1)]);
    await deployOn(cloud, [...twenty.slice(1), group("mover", 0)]);
  });
});
