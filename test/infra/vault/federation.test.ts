// VaultFederation on the provider fakes: one JWT auth mount trusting exactly the issuer (discovery
// at the issuer URL, bound_issuer equal to it, the stack's one algorithm), one jwt role per Vault
// workload bound to exactly its subject and the Vault audience with exact claims, its policies,
// lifetimes, token type and CIDRs; nothing for workloads without `vault`; the outputs the SDK's
// vaultToken takes. Expected values are written out by hand from the task's rules.

import assert from "node:assert/strict";
import type * as pulumi from "@pulumi/pulumi";
import type { VaultFederationArgs, VaultFederation as VaultFederationClass } from "../../../infra/vault/federation.js";
import type { IssuerSettings, VaultSettings, WorkloadConfig } from "../../../worker/config/types.js";
import { settled } from "../../support/fakes/settled.js";
import { TYPE } from "../../support/fakes/types.js";
import { issuerSettings } from "../../support/issuer-settings.js";
import { installMocks, recorded } from "../../support/pulumi-mocks.js";

const ACCOUNT = "0123456789abcdef0123456789abcdef";
const issuer: IssuerSettings = issuerSettings({
  accountId: ACCOUNT,
  environment: "production",
  issuerUrl: "https://id.example.com",
  signingAlgorithm: "ES256",
});
const settings: VaultSettings = {
  address: "https://vault.example.com:8200",
  mount: "worker-identity",
  audience: "https://vault.example.com",
};

function workload(name: string, vault?: WorkloadConfig["vault"]): WorkloadConfig {
  return {
    name,
    subject: `worker/${ACCOUNT}/${name}`,
    entrypoint: `Workload_${name.replaceAll("-", "_")}`,
    audiences: [settings.audience],
    tokenLifetimeSeconds: 300,
    maxTokenLifetimeSeconds: 3600,
    claims: {},
    ...(vault ? { vault } : {}),
  };
}

const workloads: readonly WorkloadConfig[] = [
  workload("secrets-sync", {
    role: "wid-secrets-sync",
    policies: ["payments-read"],
    tokenTtlSeconds: 900,
    tokenMaxTtlSeconds: 900,
    tokenType: "service",
    boundCidrs: [],
  }),
  workload("billing", {
    role: "billing-writer",
    policies: ["ledger-write", "kv/ledger"],
    tokenTtlSeconds: 600,
    tokenMaxTtlSeconds: 1800,
    tokenType: "batch",
    boundCidrs: ["198.51.100.0/24"],
  }),
  workload("edge-api"),
];

let VaultFederation: typeof VaultFederationClass;
let deployments = 0;
const resolved = <T>(output: pulumi.Output<T>) => new Promise<T>((resolve) => output.apply(resolve));

async function deploy(overrides: Partial<VaultFederationArgs> = {}) {
  const fake = installMocks("worker-identity", "test");
  const name = `vault${++deployments}`;
  const federation = new VaultFederation(name, { issuer, vault: settings, workloads, stack: "prod", ...overrides });
  for (const w of Object.values(federation.workloads)) await resolved(w.vaultToken);
  await settled();
  assert.deepEqual(
    fake.refusals.map((r) => r.message),
    [],
  );
  const mine = recorded.filter((r) => r.name.startsWith(`${name}-`));
  const ofType = (type: string) => mine.filter((r) => r.type === type);
  return { name, federation, ofType };
}

describe("VaultFederation (provider fakes)", function () {
  this.timeout(60_000);

  before(async () => {
    installMocks("worker-identity", "test");
    ({ VaultFederation } = await import("../../../infra/vault/federation.js"));
  });

  it("declares one jwt mount trusting exactly the issuer", async () => {
    const { ofType } = await deploy();
    const backends = ofType(TYPE.vaultJwtBackend);
    assert.equal(backends.length, 1);
    const inputs = backends[0]!.inputs;
    assert.equal(inputs.path, "worker-identity");
    assert.equal(inputs.type, "jwt");
    assert.equal(inputs.oidcDiscoveryUrl, "https://id.example.com");
    assert.equal(inputs.boundIssuer, "https://id.example.com");
    assert.deepEqual(inputs.jwtSupportedAlgs, ["ES256"]);
    assert.equal(inputs.jwksUrl, undefined);
    assert.equal(inputs.jwtValidationPubkeys, undefined);
    assert.equal(inputs.namespace, undefined);
    assert.match(String(inputs.description), /stack prod/);
    assert.match(String(inputs.description), new RegExp(ACCOUNT));
    assert.match(String(inputs.description), /https:\/\/id\.example\.com/);
  });

  it("writes the mount and roles to the server the stack names, through a provider pinned to its address", async () => {
    const { ofType } = await deploy();
    assert.deepEqual(
      ofType("pulumi:providers:vault").map((p) => p.inputs.address),
      [settings.address],
    );
  });

  it("declares one role per Vault workload, bound to its exact subject and the audience", async () => {
    const { ofType } = await deploy();
    const roles = ofType(TYPE.vaultJwtRole);
    assert.deepEqual(roles.map((r) => r.inputs.roleName).sort(), ["billing-writer", "wid-secrets-sync"]);
    const sync = roles.find((r) => r.inputs.roleName === "wid-secrets-sync")!.inputs;
    assert.deepEqual(sync, {
      backend: "worker-identity",
      roleName: "wid-secrets-sync",
      roleType: "jwt",
      boundAudiences: ["https://vault.example.com"],
      boundSubject: `worker/${ACCOUNT}/secrets-sync`,
      boundClaimsType: "string",
      boundClaims: { account_id: ACCOUNT, worker: "secrets-sync" },
      userClaim: "sub",
      claimMappings: { worker: "workload", account_id: "account_id", environment: "environment" },
      tokenPolicies: ["payments-read"],
      tokenTtl: 900,
      tokenMaxTtl: 900,
      tokenType: "service",
    });
  });

  it("a role carries the workload's lifetimes, token type and bound CIDRs", async () => {
    const { ofType } = await deploy();
    const billing = ofType(TYPE.vaultJwtRole).find((r) => r.inputs.roleName === "billing-writer")!.inputs;
    assert.equal(billing.boundSubject, `worker/${ACCOUNT}/billing`);
    assert.deepEqual(billing.tokenPolicies, ["ledger-write", "kv/ledger"]);
    assert.equal(billing.tokenTtl, 600);
    assert.equal(billing.tokenMaxTtl, 1800);
    assert.equal(billing.tokenType, "batch");
    assert.deepEqual(billing.tokenBoundCidrs, ["198.51.100.0/24"]);
  });

  it("outputs the exact vaultToken options per Vault workload, and nothing for edge-api", async () => {
    const { federation } = await deploy();
    assert.deepEqual(Object.keys(federation.workloads).sort(), ["billing", "secrets-sync"]);
    const sync = federation.workloads["secrets-sync"]!;
    assert.equal(sync.address, "https://vault.example.com:8200");
    assert.equal(sync.boundSubject, `worker/${ACCOUNT}/secrets-sync`);
    assert.equal(await resolved(sync.role), "wid-secrets-sync");
    assert.equal(await resolved(sync.mount), "worker-identity");
    assert.deepEqual(await resolved(sync.vaultToken), {
      address: "https://vault.example.com:8200",
      mount: "worker-identity",
      role: "wid-secrets-sync",
      audience: "https://vault.example.com",
    });
  });

  it("in a namespace: the mount, every role and the vaultToken options name it", async () => {
    const { ofType, federation } = await deploy({ vault: { ...settings, namespace: "admin/payments", mount: "ci" } });
    assert.equal(ofType(TYPE.vaultJwtBackend)[0]!.inputs.namespace, "admin/payments");
    for (const role of ofType(TYPE.vaultJwtRole)) {
      assert.equal(role.inputs.namespace, "admin/payments");
      assert.equal(role.inputs.backend, "ci");
    }
    assert.deepEqual(await resolved(federation.workloads["secrets-sync"]!.vaultToken), {
      address: "https://vault.example.com:8200",
      mount: "ci",
      role: "wid-secrets-sync",
      audience: "https://vault.example.com",
      namespace: "admin/payments",
    });
  });

  it("an RS256 issuer: the mount accepts RS256 only", async () => {
    const { ofType } = await deploy({ issuer: { ...issuer, signingAlgorithm: "RS256" } });
    assert.deepEqual(ofType(TYPE.vaultJwtBackend)[0]!.inputs.jwtSupportedAlgs, ["RS256"]);
  });
});
