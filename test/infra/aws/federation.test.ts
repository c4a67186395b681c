// Wiring of the AwsFederation component on the provider fakes (one fresh deploy per build, so
// IAM's unique role names hold within each): which resources it asks for, with which inputs, and
// the ARNs the fake IAM answers with. The documents themselves are proven in trust-policy and
// trust-simulation tests.

import assert from "node:assert/strict";
import type * as pulumi from "@pulumi/pulumi";
import type { AwsFederationArgs, AwsFederation as AwsFederationClass } from "../../../infra/aws/federation.js";
import type { AwsSettings, IssuerSettings, WorkloadConfig } from "../../../worker/config/types.js";
import { webIdentityTrustPolicy } from "../../../worker/trust/aws/trust-policy.js";
import { issuerSettings } from "../../support/issuer-settings.js";
import { installMocks, recorded, resolved } from "../../support/pulumi-mocks.js";

const ACCOUNT = "0123456789abcdef0123456789abcdef";
/** The fake IAM account (test/support/fakes/aws.ts). */
const AWS_ACCOUNT = "111122223333";
const PROVIDER_ARN = `arn:aws:iam::${AWS_ACCOUNT}:oidc-provider/id.example.dev`;
const READ_LEDGER = JSON.stringify({
  Version: "2012-10-17",
  Statement: [
    { Effect: "Allow", Action: "dynamodb:GetItem", Resource: "arn:aws:dynamodb:us-east-1:111122223333:table/ledger" },
  ],
});
const WRITE_EXPORTS = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "s3:PutObject", Resource: "arn:aws:s3:::exports/*" }],
});

const ISSUER: IssuerSettings = issuerSettings({ accountId: ACCOUNT, environment: "prod" });
const AWS: AwsSettings = { audience: "sts.amazonaws.com" };

function workload(name: string, extra: Partial<WorkloadConfig> = {}): WorkloadConfig {
  return {
    name,
    subject: `worker/${ACCOUNT}/${name}`,
    entrypoint: `Workload_${name.replace(/-/g, "_")}`,
    audiences: ["sts.amazonaws.com"],
    tokenLifetimeSeconds: 300,
    maxTokenLifetimeSeconds: 3600,
    claims: {},
    ...extra,
  };
}

const BILLING = workload("billing", {
  awsSessionTags: { principalTags: { team: "payments" }, transitiveTagKeys: [] },
  aws: {
    roleName: "wid-billing",
    managedPolicyArns: [
      "arn:aws:iam::aws:policy/ReadOnlyAccess",
      `arn:aws:iam::${AWS_ACCOUNT}:policy/teams/ReadOnlyAccess`,
    ],
    inlinePolicies: { "read-ledger": READ_LEDGER, "write-exports": WRITE_EXPORTS },
    maxSessionDurationSeconds: 3600,
  },
});
const LEDGER = workload("ledger-sync", {
  aws: { roleName: "ledger-sync-prod", managedPolicyArns: [], inlinePolicies: {}, maxSessionDurationSeconds: 7200 },
});
const REPORTS = workload("reports-exporter", {
  audiences: ["//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/p"],
});

let AwsFederation: typeof AwsFederationClass;

/** Builds the component in a deploy of its own and waits until the fakes have seen every child. */
async function build(name: string, args: AwsFederationArgs) {
  const deploy = installMocks("worker-identity", "prod");
  const children: pulumi.Resource[] = [];
  const component = new AwsFederation(name, args, {
    transformations: [({ resource }) => (children.push(resource), undefined)],
  });
  const urns = (await Promise.all(children.map((child) => resolved(child.urn)))).map(String);
  assert.deepEqual(
    deploy.refusals.map((r) => r.message),
    [],
    "the providers accept every child",
  );
  const own = recorded.filter((r) => r.name.startsWith(`${name}-`));
  return { component, urns, own, of: (type: string) => own.filter((r) => r.type === type) };
}

const PROVIDER = "aws:iam/openIdConnectProvider:OpenIdConnectProvider";
const ROLE = "aws:iam/role:Role";
const ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
const INLINE = "aws:iam/rolePolicy:RolePolicy";

describe("AwsFederation component (provider fakes)", () => {
  before(async () => {
    installMocks("worker-identity", "prod");
    ({ AwsFederation } = await import("../../../infra/aws/federation.js"));
  });

  const ARGS: AwsFederationArgs = { issuer: ISSUER, aws: AWS, workloads: [BILLING, LEDGER, REPORTS], stack: "prod" };

  it("creates one OIDC provider for the issuer URL with the STS audience as its only client id", async () => {
    const { component, of } = await build("main", ARGS);
    const providers = of(PROVIDER);
    assert.equal(providers.length, 1);
    const inputs = providers[0]?.inputs ?? {};
    assert.equal(inputs.url, "https://id.example.dev");
    assert.deepEqual(inputs.clientIdLists, ["sts.amazonaws.com"]);
    assert.equal(inputs.thumbprintLists, undefined);
    assert.deepEqual(inputs.tags, {
      "worker-identity:issuer": "https://id.example.dev",
      "worker-identity:stack": "prod",
    });
    assert.equal(await resolved(component.providerArn), PROVIDER_ARN);
  });

  it("creates one role per workload with AWS settings, and none for the others", async () => {
    const { component, of } = await build("roles", ARGS);
    assert.deepEqual(
      of(ROLE)
        .map((r) => r.inputs.name)
        .sort(),
      ["ledger-sync-prod", "wid-billing"],
    );
    assert.deepEqual(Object.keys(component.roles).sort(), ["billing", "ledger-sync"]);
    assert.equal(await resolved(component.roles.billing!.arn), `arn:aws:iam::${AWS_ACCOUNT}:role/wid-billing`);
    assert.equal(await resolved(component.roles["ledger-sync"]!.name), "ledger-sync-prod");
  });

  it("gives each role the trust policy of its own subject, on the provider's ARN", async () => {
    const { of } = await build("trust", ARGS);
    const byName = new Map(of(ROLE).map((r) => [r.inputs.name as string, r.inputs]));
    for (const [roleName, subject, tagSession] of [
      ["wid-billing", `worker/${ACCOUNT}/billing`, true],
      ["ledger-sync-prod", `worker/${ACCOUNT}/ledger-sync`, false],
    ] as const) {
      const policy = JSON.parse(String(byName.get(roleName)?.assumeRolePolicy));
      const expected = webIdentityTrustPolicy({
        providerArn: PROVIDER_ARN,
        issuerUrl: "https://id.example.dev",
        subject,
        audience: "sts.amazonaws.com",
        tagSession,
      });
      assert.equal(policy.Statement[0].Condition.StringEquals["id.example.dev:sub"], subject);
      assert.deepEqual(policy, expected);
    }
  });

  it("describes and tags each role with the Worker it trusts, and sets its session limit", async () => {
    const { of } = await build("labels", ARGS);
    const billing = of(ROLE).find((r) => r.inputs.name === "wid-billing")?.inputs ?? {};
    assert.match(
      String(billing.description),
      /Cloudflare Worker billing \(sub worker\/0123456789abcdef0123456789abcdef\/billing\)/,
    );
    assert.match(String(billing.description), /https:\/\/id\.example\.dev$/);
    assert.deepEqual(billing.tags, {
      "worker-identity:workload": "billing",
      "worker-identity:subject": `worker/${ACCOUNT}/billing`,
      "worker-identity:issuer": "https://id.example.dev",
      "worker-identity:stack": "prod",
    });
    assert.equal(billing.maxSessionDuration, 3600);
    const ledger = of(ROLE).find((r) => r.inputs.name === "ledger-sync-prod")?.inputs ?? {};
    assert.equal(ledger.maxSessionDuration, 7200);
    assert.equal((ledger.tags as Record<string, string> | undefined)?.["worker-identity:workload"], "ledger-sync");
  });

  it("attaches each managed policy and each inline policy to its workload's role", async () => {
    const { of } = await build("policies", ARGS);
    const attachments = of(ATTACHMENT)
      .map((r) => `${r.inputs.role} <- ${r.inputs.policyArn}`)
      .sort();
    assert.deepEqual(attachments, [
      "wid-billing <- arn:aws:iam::111122223333:policy/teams/ReadOnlyAccess",
      "wid-billing <- arn:aws:iam::aws:policy/ReadOnlyAccess",
    ]);
    const inline = of(INLINE).map((r) => [r.inputs.role, r.inputs.name, r.inputs.policy]);
    inline.sort((a, b) => String(a[1]).localeCompare(String(b[1])));
    assert.deepEqual(inline, [
      ["wid-billing", "read-ledger", READ_LEDGER],
      ["wid-billing", "write-exports", WRITE_EXPORTS],
    ]);
  });

  it("parents every child on the component", async () => {
    const { urns } = await build("parents", ARGS);
    const children = urns.filter((urn) => !urn.endsWith("::parents"));
    assert.equal(children.length, 1 + 2 + 2 + 2, children.join("\n"));
    for (const urn of children) assert.match(urn, /::worker-identity:aws:Federation\$aws:iam\//, urn);
  });

  it("keeps a workload's resource names when other workloads come and go", async () => {
    const names = async (stackName: string, workloads: readonly WorkloadConfig[]) => {
      const { own } = await build(stackName, { ...ARGS, workloads });
      return own
        .filter((r) => r.type !== PROVIDER)
        .map((r) => r.name.slice(stackName.length))
        .sort();
    };
    const billingAlone = await names("alone", [BILLING]);
    const billingAmongOthers = (await names("among", [LEDGER, BILLING, REPORTS])).filter((n) =>
      n.startsWith("-billing-"),
    );
    assert.equal(billingAlone.length, 5);
    assert.deepEqual(billingAmongOthers, billingAlone);
    const unique = new Set(recorded.filter((r) => r.name.startsWith("among-")).map((r) => `${r.type}::${r.name}`));
    assert.equal(unique.size, recorded.filter((r) => r.name.startsWith("among-")).length);
  });

  it("refuses an issuer URL AWS could not match against iss", () => {
    assert.throws(
      () => new AwsFederation("bad", { ...ARGS, issuer: { ...ISSUER, issuerUrl: "http://127.0.0.1:8787" } }),
      /AWS trusts only https issuers/,
    );
  });
});
