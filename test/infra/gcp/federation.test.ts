// GcpFederation on the provider fakes: the pool and provider it declares, one workloadIdentityUser
// grant per GCP workload naming exactly that workload's principal, service accounts created only
// when asked, project roles on the created account, and nothing for workloads without `gcp`.

import assert from "node:assert/strict";
import type * as pulumi from "@pulumi/pulumi";
import type { GcpFederationArgs, GcpFederation as GcpFederationClass } from "../../../infra/gcp/federation.js";
import type { GcpSettings, IssuerSettings, WorkloadConfig } from "../../../worker/config/types.js";
import { FakeCloud } from "../../support/fakes/engine.js";
import { settled } from "../../support/fakes/settled.js";
import { TYPE } from "../../support/fakes/types.js";
import { gcpSettings as gcpFixture } from "../../support/gcp-settings.js";
import { issuerSettings } from "../../support/issuer-settings.js";
import { installMocks, recorded } from "../../support/pulumi-mocks.js";

const ACCOUNT = "0123456789abcdef0123456789abcdef";
/** The fakes' project: GCP answers getProject for example-identity-dev with number 123456789012. */
const PROJECT = "example-identity-dev";
const POOL = "projects/123456789012/locations/global/workloadIdentityPools/cf-workers";

const issuer: IssuerSettings = issuerSettings({
  accountId: ACCOUNT,
  environment: "production",
  issuerUrl: "https://id.example.com",
});

const gcpSettings: GcpSettings = gcpFixture({ projectId: PROJECT });

function workload(name: string, gcp?: WorkloadConfig["gcp"]): WorkloadConfig {
  return {
    name,
    subject: `worker/${ACCOUNT}/${name}`,
    entrypoint: `Workload_${name.replaceAll("-", "_")}`,
    audiences: [gcpSettings.audience],
    tokenLifetimeSeconds: 300,
    maxTokenLifetimeSeconds: 3600,
    claims: {},
    ...(gcp ? { gcp } : {}),
  };
}

const workloads: readonly WorkloadConfig[] = [
  workload("billing", {
    serviceAccount: { kind: "create", accountId: "wid-billing" },
    projectRoles: ["roles/storage.objectViewer", "roles/pubsub.publisher"],
  }),
  workload("edge-api"),
  workload("reports-exporter", {
    serviceAccount: { kind: "existing", email: "exporter@shared-proj.iam.gserviceaccount.com" },
    projectRoles: [],
  }),
];

interface Registration {
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  readonly parent: string;
  readonly dependencies: readonly string[];
  readonly inputs: Record<string, unknown>;
}

/**
 * One deploy on the provider fakes (test/support/fakes: GCP answers getProject for
 * example-identity-dev with 123456789012); the fakes' monitor records each registration's parent
 * and dependencies, which the mocks do not see.
 */
function installRecordingMocks(): () => Registration[] {
  const deploy = installMocks("worker-identity", "test");
  return () =>
    deploy.registrations.map((r) => ({
      ...r,
      inputs: recorded.find((d) => d.type === r.type && d.name === r.name)?.inputs ?? {},
    }));
}

let GcpFederation: typeof GcpFederationClass;
let deployments = 0;

const resolved = <T>(output: pulumi.Output<T>) => new Promise<T>((resolve) => output.apply(resolve));

async function deploy(overrides: Partial<GcpFederationArgs> = {}) {
  const registrations = installRecordingMocks();
  const name = `gcp${++deployments}`;
  const federation = new GcpFederation(name, { issuer, gcp: gcpSettings, workloads, stack: "prod", ...overrides });
  await resolved(federation.poolName);
  await resolved(federation.providerName);
  for (const w of Object.values(federation.workloads)) {
    await resolved(w.serviceAccountEmail);
    await resolved(w.principal);
  }
  await settled();
  const mine = registrations().filter((r) => r.name === name || r.name.startsWith(`${name}-`));
  const component = mine.find((r) => r.type === "worker-identity:gcp:Federation");
  assert.ok(component, "the component registers itself");
  const ofType = (type: string) => mine.filter((r) => r.type === type);
  return { name, federation, mine, component, ofType };
}

describe("GcpFederation (provider fakes)", function () {
  this.timeout(60_000);

  before(async () => {
    installRecordingMocks();
    ({ GcpFederation } = await import("../../../infra/gcp/federation.js"));
  });

  it("declares the pool in the project with the configured id and console texts", async () => {
    const { ofType, federation } = await deploy();
    const [pool, ...more] = ofType(TYPE.pool);
    assert.equal(more.length, 0);
    assert.equal(pool!.inputs.project, PROJECT);
    assert.equal(pool!.inputs.workloadIdentityPoolId, "cf-workers");
    assert.ok(String(pool!.inputs.displayName).length <= 32);
    assert.ok(String(pool!.inputs.description).includes(ACCOUNT));
    assert.ok(String(pool!.inputs.description).includes("https://id.example.com"));
    assert.equal(await resolved(federation.poolName), POOL);
  });

  it("declares an OIDC provider for the issuer, its audience, the mapping and the account condition", async () => {
    const { ofType, federation } = await deploy();
    const [provider, ...more] = ofType(TYPE.poolProvider);
    assert.equal(more.length, 0);
    const inputs = provider!.inputs;
    assert.equal(inputs.project, PROJECT);
    assert.equal(inputs.workloadIdentityPoolId, "cf-workers");
    assert.equal(inputs.workloadIdentityPoolProviderId, "wid-issuer");
    assert.deepEqual(inputs.oidc, {
      issuerUri: "https://id.example.com",
      allowedAudiences: [`//iam.googleapis.com/${POOL}/providers/wid-issuer`],
    });
    assert.deepEqual(inputs.attributeMapping, {
      "google.subject": "assertion.sub",
      "attribute.account_id": "assertion.account_id",
      "attribute.worker": "assertion.worker",
      "attribute.environment": "assertion.environment",
    });
    assert.equal(inputs.attributeCondition, `assertion.account_id == "${ACCOUNT}"`);
    assert.ok(String(inputs.displayName).length <= 32);
    assert.equal(await resolved(federation.providerName), `${POOL}/providers/wid-issuer`);
  });

  it("passes jwksJson only when configured", async () => {
    const jwksJson = JSON.stringify({
      keys: [{ kty: "RSA", kid: "k1", alg: "RS256", use: "sig", n: "AQAB", e: "AQAB" }],
    });
    const withJwks = await deploy({ gcp: { ...gcpSettings, jwksJson } });
    assert.equal((withJwks.ofType(TYPE.poolProvider)[0]!.inputs.oidc as { jwksJson?: string }).jwksJson, jwksJson);
    const without = await deploy();
    assert.ok(!("jwksJson" in (without.ofType(TYPE.poolProvider)[0]!.inputs.oidc as object)));
  });

  it("grants workloadIdentityUser once per GCP workload, to exactly its principal, after the provider exists", async () => {
    const { ofType, federation } = await deploy();
    const grants = ofType(TYPE.serviceAccountMember);
    const provider = ofType(TYPE.poolProvider)[0]!;
    const expected = new Map([
      [
        "billing",
        "projects/example-identity-dev/serviceAccounts/wid-billing@example-identity-dev.iam.gserviceaccount.com",
      ],
      ["reports-exporter", "projects/shared-proj/serviceAccounts/exporter@shared-proj.iam.gserviceaccount.com"],
    ]);
    assert.equal(grants.length, expected.size);
    for (const [name, serviceAccountId] of expected) {
      const principal = `principal://iam.googleapis.com/${POOL}/subject/worker/${ACCOUNT}/${name}`;
      const mine = grants.filter((g) => g.inputs.member === principal);
      assert.equal(mine.length, 1, `one grant for ${name}`);
      assert.equal(mine[0]!.inputs.role, "roles/iam.workloadIdentityUser");
      assert.equal(mine[0]!.inputs.serviceAccountId, serviceAccountId);
      assert.ok(mine[0]!.dependencies.includes(provider.urn), `${name}'s grant waits for the provider`);
      assert.equal(await resolved(federation.workloads[name]!.principal), principal);
    }
    for (const grant of grants) {
      assert.ok(!String(grant.inputs.member).includes("principalSet"), "never a principalSet");
    }
  });

  it("creates a service account only for kind create, and binds its project roles to it", async () => {
    const { ofType, federation } = await deploy();
    const accounts = ofType(TYPE.serviceAccount);
    assert.deepEqual(
      accounts.map((a) => a.inputs.accountId),
      ["wid-billing"],
    );
    assert.equal(accounts[0]!.inputs.project, PROJECT);
    assert.ok(String(accounts[0]!.inputs.displayName).includes("billing"));
    assert.ok(String(accounts[0]!.inputs.description).includes(`worker/${ACCOUNT}/billing`));

    const roles = ofType(TYPE.projectMember);
    assert.deepEqual(roles.map((r) => r.inputs.role).sort(), ["roles/pubsub.publisher", "roles/storage.objectViewer"]);
    for (const role of roles) {
      assert.equal(role.inputs.project, PROJECT);
      assert.equal(role.inputs.member, "serviceAccount:wid-billing@example-identity-dev.iam.gserviceaccount.com");
    }
    assert.equal(
      await resolved(federation.workloads.billing!.serviceAccountEmail),
      "wid-billing@example-identity-dev.iam.gserviceaccount.com",
    );
    assert.equal(
      await resolved(federation.workloads["reports-exporter"]!.serviceAccountEmail),
      "exporter@shared-proj.iam.gserviceaccount.com",
    );
  });

  it("declares nothing for a workload without gcp settings", async () => {
    const { mine, federation } = await deploy();
    assert.deepEqual(Object.keys(federation.workloads).sort(), ["billing", "reports-exporter"]);
    assert.ok(!mine.some((r) => r.name.includes("edge-api")));
    assert.ok(!mine.some((r) => JSON.stringify(r.inputs).includes("edge-api")));
  });

  it("parents every child to the component, under stable names", async () => {
    const { mine, component, name } = await deploy();
    const children = mine.filter((r) => r !== component);
    assert.equal(children.length, 8, "pool, provider, 1 account and its settle wait, 2 grants, 2 project roles");
    for (const child of children) assert.equal(child.parent, component.urn, `${child.type} ${child.name}`);
    assert.deepEqual(children.map((c) => c.name).sort(), [
      `${name}-billing`,
      `${name}-billing-roles/pubsub.publisher`,
      `${name}-billing-roles/storage.objectViewer`,
      `${name}-billing-settle`,
      `${name}-billing-workload-identity-user`,
      `${name}-pool`,
      `${name}-provider`,
      `${name}-reports-exporter-workload-identity-user`,
    ]);
  });

  it("declares no workload resources when no workload has gcp settings", async () => {
    const { mine, federation } = await deploy({ workloads: [workload("edge-api")] });
    assert.deepEqual(Object.keys(federation.workloads), []);
    assert.deepEqual(
      mine.map((r) => r.type).sort(),
      ["gcp:iam/workloadIdentityPool:WorkloadIdentityPool", TYPE.poolProvider, "worker-identity:gcp:Federation"].sort(),
    );
  });

  it("grants on a created account only after a wait that runs when the account is created (or replaced)", async () => {
    const { ofType } = await deploy();
    const account = ofType(TYPE.serviceAccount)[0]!;
    const sleeps = ofType(TYPE.sleep);
    assert.equal(sleeps.length, 1, "one wait, for the one created account");
    const sleep = sleeps[0]!;
    assert.equal(sleep.inputs.createDuration, "30s");
    assert.equal(sleep.inputs.destroyDuration, undefined, "no wait on destroy");
    const triggers = sleep.inputs.triggers as Record<string, unknown>;
    assert.equal(triggers.email, "wid-billing@example-identity-dev.iam.gserviceaccount.com");
    assert.equal(typeof triggers.uniqueId, "string", "a replaced account (new uniqueId) waits again");
    assert.ok(sleep.dependencies.includes(account.urn), "the wait starts once the account exists");
    const billingGrants = [...ofType(TYPE.serviceAccountMember), ...ofType(TYPE.projectMember)].filter((g) =>
      JSON.stringify(g.inputs).includes("wid-billing@"),
    );
    assert.equal(billingGrants.length, 3, "workloadIdentityUser and two project roles");
    for (const grant of billingGrants)
      assert.ok(grant.dependencies.includes(sleep.urn), `${grant.name} waits for the sleep`);
  });

  it("does not wait for an existing account", async () => {
    const { ofType } = await deploy({ workloads: workloads.filter((w) => w.name === "reports-exporter") });
    assert.deepEqual(ofType(TYPE.sleep), []);
    const [grant, ...more] = ofType(TYPE.serviceAccountMember);
    assert.equal(more.length, 0);
    assert.ok(grant!.dependencies.every((urn) => !urn.includes(TYPE.sleep)));
  });

  it("waits on the first deploy only: the same config later leaves the wait unchanged, a replaced account waits again", async () => {
    const cloud = new FakeCloud();
    const plan = async (accountId: string) => {
      const deploy = installMocks("worker-identity", "test", { cloud });
      const billing = workload("billing", { serviceAccount: { kind: "create", accountId }, projectRoles: [] });
      const federation = new GcpFederation("gcp-seq", {
        issuer,
        gcp: gcpSettings,
        workloads: [billing],
        stack: "prod",
      });
      await resolved(federation.workloads.billing!.principal);
      await settled();
      const done = deploy.finish();
      const sleeps = (entries: readonly { type: string }[]) => entries.filter((e) => e.type === TYPE.sleep).length;
      return {
        created: sleeps(done.created),
        replaced: sleeps(done.replaced),
        unchanged: sleeps(done.unchanged),
        refusals: done.refusals,
      };
    };
    assert.deepEqual(await plan("wid-billing"), { created: 1, replaced: 0, unchanged: 0, refusals: [] });
    assert.deepEqual(await plan("wid-billing"), { created: 0, replaced: 0, unchanged: 1, refusals: [] });
    assert.deepEqual(await plan("wid-billing-2"), { created: 0, replaced: 1, unchanged: 0, refusals: [] });
  });

  it("stops before declaring any GCP resource when gcp.projectNumber is not the project's, naming both numbers and the fix", async () => {
    installRecordingMocks();
    const wrong = gcpFixture({ projectId: PROJECT, projectNumber: "999999999999" });
    const refusals = await unhandledRejectionsWhile(async (failed) => {
      const federation = new GcpFederation(`gcp${++deployments}`, { issuer, gcp: wrong, workloads, stack: "prod" });
      void federation;
      await settled(failed);
    });
    assert.ok(refusals.length > 0, "the deploy fails");
    for (const message of refusals) {
      assert.match(
        message,
        /gcp\.projectNumber is 999999999999, but GCP project example-identity-dev has number 123456789012/,
      );
      assert.match(message, /gcloud projects describe example-identity-dev --format='value\(projectNumber\)'/);
    }
    assert.deepEqual(
      recorded.filter((r) => r.type.startsWith("gcp:")).map((r) => r.type),
      [],
      "no pool, provider, account or grant",
    );
  });

  it("names each principal in the pool GCP created (its name carries GCP's number), by the workload's exact subject", async () => {
    const { federation, ofType } = await deploy();
    const pool = ofType(TYPE.pool)[0]!;
    assert.equal(pool.inputs.project, PROJECT, "the project is the checked id");
    assert.equal(
      await resolved(federation.workloads.billing!.principal),
      `principal://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/cf-workers/subject/worker/${ACCOUNT}/billing`,
    );
  });
});

/** Messages of the promise rejections left unhandled while `run` runs (how a failed Output stops `pulumi up`). */
async function unhandledRejectionsWhile(run: (failed: Promise<void>) => Promise<void>): Promise<string[]> {
  const messages: string[] = [];
  const others = process.listeners("unhandledRejection");
  process.removeAllListeners("unhandledRejection");
  let onFailure: () => void = () => {};
  const failed = new Promise<void>((resolve) => {
    onFailure = resolve;
  });
  const collect = (reason: unknown) => {
    messages.push(reason instanceof Error ? reason.message : String(reason));
    onFailure();
  };
  process.on("unhandledRejection", collect);
  try {
    await run(failed);
  } finally {
    process.off("unhandledRejection", collect);
    for (const listener of others) process.on("unhandledRejection", listener);
  }
  return messages;
}
