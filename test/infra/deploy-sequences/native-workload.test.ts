// A workload of the dev stack given Cloudflare-native tokens (`native`), then returned to the
// issuer's alone: the first `pulumi up` creates the native issuer's AWS OIDC provider, its GCP
// pool provider and the workload's grant for its native subject, and updates only that workload's
// role (one more trust statement); the next removes exactly those and restores the role's trust.

import assert from "node:assert/strict";
import { deployProgram, dev, engineConfig } from "../../support/dev-stack.js";
import { FakeCloud } from "../../support/fakes/engine.js";
import { assertNoChange, assertSafe, changes, DAY_MS, names } from "./plan-summary.js";

const T0 = Date.UTC(2023, 2, 24, 6);
const ROLE = "aws:iam/role:Role";
const OIDC = "aws:iam/openIdConnectProvider:OpenIdConnectProvider";
const POOL_PROVIDER = "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider";
const SA_MEMBER = "gcp:serviceaccount/iAMMember:IAMMember";
const NATIVE_ISSUER = "https://oidc.cloudflare.example/accounts/7f3a";
const NATIVE_SUBJECT = "cf:worker:7d1f0c2e-3b5a-4c8e-9f61-0a2b3c4d5e6f";
const GCP_AUDIENCE =
  "//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/worker-identity/providers/worker-identity";

function withNativeBilling(): Record<string, string> {
  const workloads = structuredClone(dev.config["worker-identity:workloads"]) as Record<string, Record<string, unknown>>;
  workloads.billing!.native = {
    issuer: NATIVE_ISSUER,
    subject: NATIVE_SUBJECT,
    audiences: ["sts.amazonaws.com", GCP_AUDIENCE],
  };
  return engineConfig({ "worker-identity:workloads": workloads });
}

interface TrustStatement {
  Sid: string;
  Principal: { Federated: string };
  Condition: { StringEquals: Record<string, string> };
}

function trustOf(cloud: FakeCloud, role: string): TrustStatement[] {
  const stored = cloud.resource(ROLE, role);
  assert.ok(stored, `no role ${role}`);
  return (JSON.parse(String(stored.inputs.assumeRolePolicy)) as { Statement: TrustStatement[] }).Statement;
}

describe("deploy sequence: a workload's native tokens federated, then removed", function () {
  this.timeout(120_000);
  const cloud = new FakeCloud();
  let original: Record<string, TrustStatement[]> = {};
  let created: string[] = [];

  before(async () => {
    for (const day of [0, 1])
      assertSafe((await deployProgram(engineConfig(), { cloud, nowMs: T0 + day * DAY_MS })).plan, `dev, day ${day}`);
    original = Object.fromEntries(cloud.resources(ROLE).map((r) => [r.name, trustOf(cloud, r.name)]));
  });

  it("creates the native issuer's two providers and the native grant, and changes only billing's role", async () => {
    const { plan, deployment } = await deployProgram(withNativeBilling(), { cloud, nowMs: T0 + 2 * DAY_MS });
    assertSafe(plan, "native added");
    created = names(plan.created);
    assert.deepEqual(
      plan.created.map((e) => e.type).sort(),
      [SA_MEMBER, OIDC, POOL_PROVIDER].sort(),
      `created ${created.join(", ")}`,
    );
    assert.ok(created.includes("gcp-billing-native-workload-identity-user"));
    const updated = changes(plan.updated);
    assert.deepEqual(
      Object.keys(updated)
        .filter((n) => n !== "issuer-script")
        .sort(),
      ["aws-billing-role", "edge-middleware-script", "gcp-provider"],
    );
    // The edge middleware's NATIVE_ISSUERS binding now admits billing's native tokens.
    assert.deepEqual(updated["edge-middleware-script"], ["bindings"]);
    // The issuer's own provider now admits only the subject forms the issuer mints.
    assert.deepEqual(updated["gcp-provider"], ["attributeCondition"]);
    assert.deepEqual(names(plan.replaced), []);
    assert.deepEqual(names(plan.deleted), []);

    // The AWS provider: the native issuer's URL, the AWS audience as its only client id, no thumbprints.
    const [provider] = plan.created.filter((e) => e.type === OIDC).map((e) => cloud.resource(OIDC, e.name)!);
    assert.ok(provider);
    assert.equal(provider?.inputs.url, NATIVE_ISSUER);
    assert.deepEqual(provider?.inputs.clientIdLists, ["sts.amazonaws.com"]);
    assert.equal(provider?.inputs.thumbprintLists, undefined);
    assert.equal((provider.inputs.tags as Record<string, string>)["worker-identity:workloads"], "billing");

    // billing's role: its own statement unchanged, and one for exactly the native subject and audience.
    const trust = trustOf(cloud, "aws-billing-role");
    assert.deepEqual(trust[0], original["aws-billing-role"]![0]);
    assert.deepEqual(trust.slice(1), [
      {
        Sid: "CloudflareNativeWebIdentity",
        Effect: "Allow",
        Principal: { Federated: "arn:aws:iam::111122223333:oidc-provider/oidc.cloudflare.example/accounts/7f3a" },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: {
            "oidc.cloudflare.example/accounts/7f3a:sub": NATIVE_SUBJECT,
            "oidc.cloudflare.example/accounts/7f3a:aud": "sts.amazonaws.com",
          },
        },
      },
    ]);
    for (const [role, statements] of Object.entries(original)) {
      if (role !== "aws-billing-role") assert.deepEqual(trustOf(cloud, role), statements, `${role} changed`);
    }
    const described = String(cloud.resource(ROLE, "aws-billing-role")?.inputs.description);
    assert.match(described, new RegExp(`sub ${NATIVE_SUBJECT}\\) from ${NATIVE_ISSUER}`));

    // GCP: a provider of the same pool admitting only billing's native subject, and the grant for it.
    const [gcpProvider] = plan.created
      .filter((e) => e.type === POOL_PROVIDER)
      .map((e) => cloud.resource(POOL_PROVIDER, e.name)!);
    assert.equal(gcpProvider?.inputs.workloadIdentityPoolId, "worker-identity");
    assert.deepEqual(gcpProvider?.inputs.oidc, { issuerUri: NATIVE_ISSUER, allowedAudiences: [GCP_AUDIENCE] });
    assert.deepEqual(gcpProvider?.inputs.attributeMapping, { "google.subject": "assertion.sub" });
    assert.equal(gcpProvider?.inputs.attributeCondition, `assertion.sub in ["${NATIVE_SUBJECT}"]`);
    const grant = cloud.resource(SA_MEMBER, "gcp-billing-native-workload-identity-user");
    assert.equal(
      grant?.inputs.member,
      `principal://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/worker-identity/subject/${NATIVE_SUBJECT}`,
    );
    assert.equal(grant?.inputs.role, "roles/iam.workloadIdentityUser");
    assert.equal(
      grant?.inputs.serviceAccountId,
      cloud.resource(SA_MEMBER, "gcp-billing-workload-identity-user")?.inputs.serviceAccountId,
    );

    // The stack output names what billing's clouds trust of its native tokens.
    const native = deployment.workloads.billing?.native;
    assert.equal(native?.issuer, NATIVE_ISSUER);
    assert.equal(native?.subject, NATIVE_SUBJECT);
    assert.equal(deployment.workloads["edge-api"]?.native, undefined);
  });

  it("the same config again changes nothing", async () => {
    assertNoChange((await deployProgram(withNativeBilling(), { cloud, nowMs: T0 + 3 * DAY_MS })).plan, "again");
  });

  it("removing native deletes exactly what adding it created and restores billing's trust", async () => {
    const { plan } = await deployProgram(engineConfig(), { cloud, nowMs: T0 + 4 * DAY_MS });
    assertSafe(plan, "native removed");
    assert.deepEqual(names(plan.deleted), created);
    assert.deepEqual(names(plan.created), []);
    assert.deepEqual(
      Object.keys(changes(plan.updated))
        .filter((n) => n !== "issuer-script")
        .sort(),
      ["aws-billing-role", "edge-middleware-script", "gcp-provider"],
    );
    for (const [role, statements] of Object.entries(original))
      assert.deepEqual(trustOf(cloud, role), statements, `${role} after removal`);
    assert.equal(cloud.resources(OIDC).length, 1, "only the issuer's own provider remains");
  });
});
