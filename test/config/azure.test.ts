// The `azure` stack key and a workload's `azure` section (Microsoft Entra ID): the resolved
// identity and FICs of a valid stack, and one broken field per test, each asserting the issue's
// key and that its message names the fix; the 20-FIC limit on shared identities.

import assert from "node:assert/strict";
import { azureShardOf } from "../../worker/config/azure-workload.js";
import { validateStackConfig } from "../../worker/config/validate.js";
import { dev, engineConfig } from "../support/dev-stack.js";
import { ACCOUNT_ID, expectOneIssue, happyRaw, issuesOf, OPTIONS, PROJECT } from "./fixtures.js";

const TENANT = "8d2b6f3e-51a4-4c9e-9a1b-3f0e7c5d2a10";
const APP_OBJECT = "0f3c2b1a-9d8e-4f7a-8b6c-5d4e3f2a1b0c";
const APP_CLIENT = "6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d";
const MI_CLIENT = "1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e";
const MI_ID =
  "/subscriptions/11111111-2222-4333-8444-555555555555/resourceGroups/rg-identity/providers/Microsoft.ManagedIdentity/userAssignedIdentities/uai-sync";
const EXCHANGE = "api://AzureADTokenExchange";
const key = (name: string) => `${PROJECT}:${name}`;
const azureKey = (workload: string, path = "") => key(`workloads.${workload}.azure${path}`);

/** The happy stack with Entra federated, and `workloads` (name → settings) added, each listing the exchange audience. */
function entraRaw(
  workloads: Record<string, Record<string, unknown>>,
  azure: unknown = { tenantId: TENANT },
): Record<string, unknown> {
  const raw = happyRaw();
  raw[key("azure")] = azure;
  const all = raw[key("workloads")] as Record<string, unknown>;
  for (const [name, settings] of Object.entries(workloads)) all[name] = { audiences: [EXCHANGE], ...settings };
  return raw;
}

const resolved = (raw: Record<string, unknown>, name: string) =>
  validateStackConfig(raw, OPTIONS).workloads.find((w) => w.name === name)?.azure;

describe("validateStackConfig: Microsoft Entra ID", () => {
  it("azure: {} is an application the stack creates, named wid-<workload>, with one exact FIC", () => {
    const config = validateStackConfig(entraRaw({ "inventory-sync": { azure: {} } }), OPTIONS);
    assert.deepEqual(config.azure, { tenantId: TENANT, audience: EXCHANGE, applicationGroups: {} });
    assert.deepEqual(config.workloads.find((w) => w.name === "inventory-sync")?.azure, {
      identity: { kind: "application", displayName: "wid-inventory-sync" },
      credentials: [
        {
          name: "wid-inventory-sync",
          issuer: "https://id.example.dev",
          subject: `worker/${ACCOUNT_ID}/inventory-sync`,
          trusts: "workload",
        },
      ],
    });
    assert.equal(config.workloads.find((w) => w.name === "billing")?.azure, undefined);
  });

  it("a native workload gets a second FIC for exactly its native issuer and subject", () => {
    const native = {
      issuer: "https://oidc.cloudflare.example/accounts/0123",
      subject: "cf:worker:7d1f",
      audiences: [EXCHANGE],
    };
    const azure = resolved(entraRaw({ sync: { azure: {}, native } }), "sync");
    assert.deepEqual(
      azure?.credentials.map((c) => [c.name, c.issuer, c.subject, c.trusts]),
      [
        ["wid-sync", "https://id.example.dev", `worker/${ACCOUNT_ID}/sync`, "workload"],
        ["wid-sync-native", "https://oidc.cloudflare.example/accounts/0123", "cf:worker:7d1f", "native"],
      ],
    );
  });

  it("a native workload whose native audiences lack the exchange audience", () => {
    const native = {
      issuer: "https://oidc.cloudflare.example/accounts/0123",
      subject: "cf:worker:7d1f",
      audiences: ["x"],
    };
    expectOneIssue(
      entraRaw({ sync: { azure: {}, native } }),
      key("workloads.sync.native.audiences"),
      /does not list 'api:\/\/AzureADTokenExchange'.*add an oidc_tokens binding/,
    );
  });

  it("existing applications and managed identities keep their ids; the resource id is parsed", () => {
    const raw = entraRaw({
      a: { azure: { application: { existing: { clientId: APP_CLIENT.toUpperCase(), objectId: APP_OBJECT } } } },
      m: { azure: { managedIdentity: { resourceId: MI_ID, clientId: MI_CLIENT } } },
    });
    assert.deepEqual(resolved(raw, "a")?.identity, {
      kind: "existing-application",
      clientId: APP_CLIENT,
      objectId: APP_OBJECT,
    });
    assert.deepEqual(resolved(raw, "m")?.identity, {
      kind: "managed-identity",
      resourceId: MI_ID,
      subscriptionId: "11111111-2222-4333-8444-555555555555",
      resourceGroupName: "rg-identity",
      resourceName: "uai-sync",
      clientId: MI_CLIENT,
    });
  });

  it("Pulumi.dev.yaml: inventory-sync alone federates, with its own application, as the file and as the engine hands it", () => {
    for (const raw of [dev.config, engineConfig()]) {
      const config = validateStackConfig(raw, { project: dev.project, stack: dev.stack });
      assert.equal(config.azure?.tenantId, "8d2b6f3e-51a4-4c9e-9a1b-3f0e7c5d2a10");
      assert.deepEqual(
        config.workloads.filter((w) => w.azure !== undefined).map((w) => [w.name, w.azure?.identity]),
        [["inventory-sync", { kind: "application", displayName: "wid-inventory-sync" }]],
      );
    }
  });

  describe("one error each", () => {
    it("the stack key without tenantId", () => {
      expectOneIssue(entraRaw({}, {}), key("azure.tenantId"), /is missing; .*pulumi config set --path azure\.tenantId/);
    });
    it("a tenant id in braces: the bare GUID is the fix", () => {
      expectOneIssue(
        entraRaw({}, { tenantId: `{${TENANT}}` }),
        key("azure.tenantId"),
        new RegExp(`write it '${TENANT}'`),
      );
    });
    it("a tenant domain instead of its id", () => {
      expectOneIssue(
        entraRaw({}, { tenantId: "contoso.onmicrosoft.com" }),
        key("azure.tenantId"),
        /domain name, not the id/,
      );
    });
    it("the stack key as JSON text (pulumi config set) is read", () => {
      assert.equal(
        validateStackConfig(entraRaw({}, JSON.stringify({ tenantId: TENANT })), OPTIONS).azure?.tenantId,
        TENANT,
      );
    });
    it("an unknown stack field, with a suggestion", () => {
      expectOneIssue(
        entraRaw({}, { tenantId: TENANT, tenantID: TENANT }),
        key("azure.tenantID"),
        /did you mean 'tenantId'/,
      );
    });
    it("a group with 0 shards, and a group name with capitals", () => {
      expectOneIssue(
        entraRaw({}, { tenantId: TENANT, applicationGroups: { agents: { shards: 0 } } }),
        key("azure.applicationGroups.agents.shards"),
        /between 1 and 50/,
      );
      expectOneIssue(
        entraRaw({}, { tenantId: TENANT, applicationGroups: { Agents: { shards: 1 } } }),
        key("azure.applicationGroups.Agents"),
        /lowercase letters.*rename it/,
      );
    });
    it("a workload's azure section when the stack does not federate Entra", () => {
      const raw = entraRaw({ sync: { azure: {} } });
      delete raw[key("azure")];
      expectOneIssue(
        raw,
        azureKey("sync"),
        /does not federate Microsoft Entra ID; add worker-identity:azure: \{tenantId/,
      );
    });
    it("a workload that does not list the exchange audience", () => {
      expectOneIssue(
        entraRaw({ sync: { azure: {}, audiences: ["https://x.example"] } }),
        key("workloads.sync.audiences"),
        /add 'api:\/\/AzureADTokenExchange' to audiences/,
      );
    });
    it("both application and managedIdentity", () => {
      expectOneIssue(
        entraRaw({
          sync: { azure: { application: { create: {} }, managedIdentity: { resourceId: MI_ID, clientId: MI_CLIENT } } },
        }),
        azureKey("sync"),
        /sets both application and managedIdentity/,
      );
    });
    it("both create and existing", () => {
      expectOneIssue(
        entraRaw({
          sync: { azure: { application: { create: {}, existing: { clientId: APP_CLIENT, objectId: APP_OBJECT } } } },
        }),
        azureKey("sync", ".application"),
        /sets both create and existing/,
      );
    });
    it("an existing application without its object id, and with objectId = clientId", () => {
      expectOneIssue(
        entraRaw({ sync: { azure: { application: { existing: { clientId: APP_CLIENT } } } } }),
        azureKey("sync", ".application.existing.objectId"),
        /is missing; .*Object ID/,
      );
      expectOneIssue(
        entraRaw({ sync: { azure: { application: { existing: { clientId: APP_CLIENT, objectId: APP_CLIENT } } } } }),
        azureKey("sync", ".application.existing.objectId"),
        /equals clientId/,
      );
    });
    it("a client id that is not a GUID", () => {
      expectOneIssue(
        entraRaw({ sync: { azure: { application: { existing: { clientId: "my-app", objectId: APP_OBJECT } } } } }),
        azureKey("sync", ".application.existing.clientId"),
        /GUID \(8-4-4-4-12 hex digits\); copy it from/,
      );
    });
    it("a managed identity resource id of a system-assigned identity, and a malformed one", () => {
      expectOneIssue(
        entraRaw({
          sync: {
            azure: {
              managedIdentity: {
                resourceId:
                  "/subscriptions/11111111-2222-4333-8444-555555555555/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1",
                clientId: MI_CLIENT,
              },
            },
          },
        }),
        azureKey("sync", ".managedIdentity.resourceId"),
        /FICs exist only on user-assigned managed identities/,
      );
      expectOneIssue(
        entraRaw({ sync: { azure: { managedIdentity: { resourceId: "uai-sync", clientId: MI_CLIENT } } } }),
        azureKey("sync", ".managedIdentity.resourceId"),
        /az identity show/,
      );
    });
    it("a group the stack does not define", () => {
      expectOneIssue(
        entraRaw({ sync: { azure: { application: { create: { group: "agents" } } } } }),
        azureKey("sync", ".application.create.group"),
        /no such application group; add worker-identity:azure\.applicationGroups\.agents: \{shards: 1\}/,
      );
    });
    it("a displayName with a group", () => {
      expectOneIssue(
        entraRaw(
          { sync: { azure: { application: { create: { group: "agents", displayName: "x" } } } } },
          { tenantId: TENANT, applicationGroups: { agents: { shards: 1 } } },
        ),
        azureKey("sync", ".application.create.displayName"),
        /remove displayName/,
      );
    });
    it("a displayName over 256 characters", () => {
      expectOneIssue(
        entraRaw({ sync: { azure: { application: { create: { displayName: "d".repeat(257) } } } } }),
        azureKey("sync", ".application.create.displayName"),
        /257 characters, but Entra allows at most 256/,
      );
    });
    it("two workloads whose applications would have the same display name (case-insensitively)", () => {
      expectOneIssue(
        entraRaw({
          sync: { azure: {} },
          other: { azure: { application: { create: { displayName: "WID-sync" } } } },
        }),
        azureKey("other", ".application.create.displayName"),
        /also the display name of the application of workload 'sync' \(its default\).*set another/,
      );
    });
    it("two workloads naming one existing application with different client ids", () => {
      const other = "7a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d";
      expectOneIssue(
        entraRaw({
          a: { azure: { application: { existing: { clientId: APP_CLIENT, objectId: APP_OBJECT } } } },
          b: { azure: { application: { existing: { clientId: other, objectId: APP_OBJECT } } } },
        }),
        azureKey("b", ".application.existing.clientId"),
        /workload 'a' names the application with object id .* too, with clientId/,
      );
    });
    it("a workflow with an azure section", () => {
      const raw = entraRaw({});
      raw[key("workflows")] = { "nightly-sync": { audiences: [EXCHANGE], azure: {} } };
      const issues = issuesOf(() => validateStackConfig(raw, OPTIONS));
      assert.ok(
        issues.some((i) => /workflows\.nightly-sync\.azure$/.test(i.key) && /one exact subject/.test(i.message)),
      );
    });
  });

  describe("Entra's FIC field limits", () => {
    it("a native subject over 600 characters", () => {
      const native = {
        issuer: "https://oidc.cloudflare.example/a",
        subject: `cf:worker:${"s".repeat(591)}`,
        audiences: [EXCHANGE],
      };
      const issues = issuesOf(() => validateStackConfig(entraRaw({ sync: { azure: {}, native } }), OPTIONS));
      assert.ok(
        issues.some(
          (i) =>
            i.key === key("workloads.sync.native.subject") && /601 characters, but Entra allows 600/.test(i.message),
        ),
        JSON.stringify(issues),
      );
    });
  });

  describe("the 20 FICs of one identity", () => {
    const names = (n: number, prefix = "w") =>
      Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(2, "0")}`);
    const group = (shards: number) => ({ tenantId: TENANT, applicationGroups: { agents: { shards } } });
    const inGroup = (list: readonly string[]): Record<string, Record<string, unknown>> =>
      Object.fromEntries(list.map((n) => [n, { azure: { application: { create: { group: "agents" } } } }]));

    it("20 workloads fit one shard; a 21st is refused at the group's shards, naming every workload", () => {
      const twenty = names(20);
      validateStackConfig(entraRaw(inGroup(twenty), group(1)), OPTIONS);
      const issue = expectOneIssue(
        entraRaw(inGroup(names(21)), group(1)),
        key("azure.applicationGroups.agents.shards"),
        /puts 21 FICs on shard 0 of application group 'agents' \(wid-agents-0\).*at most 20.*raise the group's shards/,
      );
      for (const name of names(21)) assert.ok(issue.message.includes(name), name);
    });

    it("a native workload counts twice", () => {
      const workloads = inGroup(names(19));
      workloads.n = {
        azure: { application: { create: { group: "agents" } } },
        native: { issuer: "https://oidc.cloudflare.example/a", subject: "cf:worker:n", audiences: [EXCHANGE] },
      };
      expectOneIssue(
        entraRaw(workloads, group(1)),
        key("azure.applicationGroups.agents.shards"),
        /puts 21 FICs.*n \(2, with its native subject\)/,
      );
    });

    it("raising shards spreads 21 workloads so each shard holds at most 20", () => {
      const config = validateStackConfig(entraRaw(inGroup(names(21)), group(3)), OPTIONS);
      const shards = new Map<number, number>();
      for (const w of config.workloads) {
        const identity = w.azure?.identity;
        if (identity?.kind !== "group") continue;
        assert.ok(identity.shard >= 0 && identity.shard < 3);
        assert.equal(identity.displayName, `wid-agents-${identity.shard}`);
        shards.set(identity.shard, (shards.get(identity.shard) ?? 0) + 1);
      }
      assert.equal(
        [...shards.values()].reduce((a, b) => a + b, 0),
        21,
      );
      assert.ok([...shards.values()].every((n) => n <= 20));
    });

    it("a shard depends on the workload's name only: adding workloads moves none of the others", () => {
      const before = new Map(names(10).map((n) => [n, azureShardOf(n, 4)]));
      const config = validateStackConfig(entraRaw(inGroup([...names(10), ...names(15, "z")]), group(4)), OPTIONS);
      for (const [name, shard] of before) {
        const identity = config.workloads.find((w) => w.name === name)?.azure?.identity;
        assert.equal(identity?.kind === "group" ? identity.shard : undefined, shard, name);
      }
      const spread = new Set(names(40).map((n) => azureShardOf(n, 4)));
      assert.equal(spread.size, 4, "40 names use every one of 4 shards");
    });

    it("21 workloads on one existing application, and on one managed identity", () => {
      const existing = Object.fromEntries(
        names(21).map((n) => [
          n,
          { azure: { application: { existing: { clientId: APP_CLIENT, objectId: APP_OBJECT } } } },
        ]),
      );
      expectOneIssue(
        entraRaw(existing),
        azureKey("w00", ".application.existing"),
        /puts 21 FICs on the application with object id/,
      );
      const identity = Object.fromEntries(
        names(21).map((n) => [n, { azure: { managedIdentity: { resourceId: MI_ID, clientId: MI_CLIENT } } }]),
      );
      expectOneIssue(
        entraRaw(identity),
        azureKey("w00", ".managedIdentity"),
        /puts 21 FICs on the managed identity uai-sync/,
      );
    });
  });
});
