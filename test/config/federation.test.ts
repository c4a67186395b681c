// The cloud federation sections as a whole: every field resolved, the defaults, and the checks
// between the stack's `aws`/`gcp` keys and the workloads' sections.

import assert from "node:assert/strict";
import { validateStackConfig } from "../../worker/config/validate.js";
import { CLOUD_GCP_AUDIENCE, cloudRaw, cloudWithKey, cloudWithWorkload, key, section } from "./cloud-fixtures.js";
import { ACCOUNT_ID, expectOneIssue, issuesOf, OPTIONS, PROJECT } from "./fixtures.js";

describe("validateStackConfig: cloud federation, every field set", () => {
  const config = validateStackConfig(cloudRaw(), OPTIONS);
  const workload = (name: string) => config.workloads.find((w) => w.name === name);

  it("resolves the stack's aws and gcp keys, with the GCP audience derived from them", () => {
    assert.deepEqual(config.aws, { audience: "aws-sts.id.example.dev" });
    assert.deepEqual(config.gcp, {
      projectId: "acme-identity-stage",
      // A YAML integer, turned into its decimal string.
      projectNumber: "987654321098",
      poolId: "cf-workers",
      providerId: "id-example-dev",
      audience:
        "//iam.googleapis.com/projects/987654321098/locations/global/workloadIdentityPools/cf-workers/providers/id-example-dev",
      // Compacted: the same document without the whitespace.
      jwksJson:
        '{"keys":[{"kty":"EC","crv":"P-256","x":"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4",' +
        '"y":"4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM","use":"sig","alg":"ES256","kid":"ec-1"},' +
        '{"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECP",' +
        '"e":"AQAB","use":"sig","alg":"RS256","kid":"rsa-1"}]}',
    });
    assert.equal(config.gcp?.audience, CLOUD_GCP_AUDIENCE);
  });

  it("resolves a workload's aws section, policies stored as JSON text", () => {
    assert.deepEqual(workload("billing")?.aws, {
      roleName: "BillingRole",
      managedPolicyArns: [
        "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
        "arn:aws-us-gov:iam::111122223333:policy/billing/ledger-read",
      ],
      inlinePolicies: {
        "ledger-write":
          '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"dynamodb:PutItem",' +
          '"Resource":"arn:aws:dynamodb:eu-west-1:111122223333:table/ledger"}]}',
        "queue-send":
          '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"*"}}',
      },
      maxSessionDurationSeconds: 7200,
    });
    assert.deepEqual(workload("ledger-sync")?.aws, {
      roleName: "ledger-sync-writer",
      managedPolicyArns: [],
      inlinePolicies: {},
      maxSessionDurationSeconds: 3600,
    });
  });

  it("resolves a workload's gcp section: a created account with roles, or an existing one", () => {
    assert.deepEqual(workload("billing")?.gcp, {
      serviceAccount: { kind: "create", accountId: "billing-payments" },
      projectRoles: [
        "roles/bigquery.dataViewer",
        "projects/acme-identity-stage/roles/ledgerReader",
        "organizations/123456/roles/audit.viewer",
      ],
    });
    assert.deepEqual(workload("reports-exporter")?.gcp, {
      serviceAccount: { kind: "existing", email: "reports@acme-data.iam.gserviceaccount.com" },
      projectRoles: [],
    });
  });

  it("leaves the sections out of workloads that have none", () => {
    const edge = workload("edge-api");
    assert.ok(edge !== undefined && !("aws" in edge) && !("gcp" in edge));
    assert.ok(!("gcp" in (workload("ledger-sync") ?? {})));
    assert.ok(!("aws" in (workload("reports-exporter") ?? {})));
  });

  it("freezes the cloud settings, and leaves the input unfrozen", () => {
    const raw = cloudRaw();
    const frozen = validateStackConfig(raw, OPTIONS);
    const billing = frozen.workloads[0];
    assert.ok(Object.isFrozen(frozen.aws) && Object.isFrozen(frozen.gcp));
    assert.ok(billing?.aws && billing.gcp);
    for (const part of [
      billing.aws,
      billing.aws.managedPolicyArns,
      billing.aws.inlinePolicies,
      billing.gcp,
      billing.gcp.serviceAccount,
      billing.gcp.projectRoles,
    ]) {
      assert.ok(Object.isFrozen(part));
    }
    // biome-ignore lint/correctness/noUnsafeOptionalChaining: the push must throw TypeError on a frozen array
    assert.throws(() => (billing.gcp?.projectRoles as string[]).push("roles/owner"), TypeError);
    const input = (raw[key("workloads")] as Record<string, Record<string, Record<string, unknown>>>).billing;
    assert.ok(!Object.isFrozen(input?.aws) && !Object.isFrozen(input?.aws?.managedPolicyArns));
    assert.ok(!Object.isFrozen(raw[key("gcp")]));
  });

  it("accepts the stack keys as JSON text, as `pulumi config set` stores maps", () => {
    const raw = cloudRaw();
    raw[key("aws")] = JSON.stringify(raw[key("aws")]);
    raw[key("gcp")] = JSON.stringify(raw[key("gcp")]);
    assert.deepEqual(validateStackConfig(raw, OPTIONS), config);
  });

  it("reads projectNumber given as digits the same as a YAML integer", () => {
    const raw = cloudRaw();
    (raw[key("gcp")] as Record<string, unknown>).projectNumber = "987654321098";
    assert.deepEqual(validateStackConfig(raw, OPTIONS), config);
  });
});

describe("validateStackConfig: cloud federation defaults", () => {
  const minimal = (workloads: Record<string, unknown>, cloud: Record<string, unknown>) => ({
    [key("accountId")]: ACCOUNT_ID,
    [key("issuerHostname")]: "id.example.dev",
    ...cloud,
    [key("workloads")]: workloads,
  });
  const gcpAudience =
    "//iam.googleapis.com/projects/42/locations/global/workloadIdentityPools/worker-identity/providers/worker-identity";

  it("without aws or gcp keys, federates neither", () => {
    const config = validateStackConfig(minimal({ billing: { audiences: ["sts.amazonaws.com"] } }, {}), OPTIONS);
    assert.ok(!("aws" in config) && !("gcp" in config));
    assert.ok(!("aws" in (config.workloads[0] ?? {})));
  });

  it("aws: {} federates AWS with audience sts.amazonaws.com; a workload's aws: {} gets wid-<name>", () => {
    const config = validateStackConfig(
      minimal({ billing: { audiences: ["sts.amazonaws.com"], aws: {} } }, { [key("aws")]: {} }),
      OPTIONS,
    );
    assert.deepEqual(config.aws, { audience: "sts.amazonaws.com" });
    assert.deepEqual(config.workloads[0]?.aws, {
      roleName: "wid-billing",
      managedPolicyArns: [],
      inlinePolicies: {},
      maxSessionDurationSeconds: 3600,
    });
  });

  it("gcp: pool and provider worker-identity; a workload's gcp: {} creates wid-<name> with no roles", () => {
    const config = validateStackConfig(
      minimal(
        { "reports-exporter": { audiences: [gcpAudience], gcp: {} } },
        { [key("gcp")]: { projectId: "example-identity-dev", projectNumber: "42" } },
      ),
      OPTIONS,
    );
    assert.deepEqual(config.gcp, {
      projectId: "example-identity-dev",
      projectNumber: "42",
      poolId: "worker-identity",
      providerId: "worker-identity",
      audience: gcpAudience,
    });
    assert.ok(config.gcp && !("jwksJson" in config.gcp));
    assert.deepEqual(config.workloads[0]?.gcp, {
      serviceAccount: { kind: "create", accountId: "wid-reports-exporter" },
      projectRoles: [],
    });
  });

  it("create: {} gives the default id too", () => {
    const gcp = { [key("gcp")]: { projectId: "example-identity-dev", projectNumber: 42 } };
    const config = validateStackConfig(
      minimal(
        {
          billing: {
            audiences: [gcpAudience],
            gcp: { serviceAccount: { create: {} }, projectRoles: ["roles/viewer"] },
          },
        },
        gcp,
      ),
      OPTIONS,
    );
    assert.deepEqual(config.workloads[0]?.gcp?.serviceAccount, { kind: "create", accountId: "wid-billing" });
  });

  it("cuts a long default service-account id to 30 characters, without a trailing '-'", () => {
    const gcp = { [key("gcp")]: { projectId: "example-identity-dev", projectNumber: 42 } };
    const config = validateStackConfig(
      minimal(
        {
          "reporting-pipeline-eu-west-1": { audiences: [gcpAudience], gcp: {} },
          "reporting-pipeline-eu-wes-x": { audiences: [gcpAudience], gcp: {} },
        },
        gcp,
      ),
      OPTIONS,
    );
    assert.deepEqual(
      config.workloads.map((w) => w.gcp?.serviceAccount),
      [
        { kind: "create", accountId: "wid-reporting-pipeline-eu-wes" },
        { kind: "create", accountId: "wid-reporting-pipeline-eu-west" },
      ],
    );
  });
});

describe("validateStackConfig: cloud cross-checks, one error each", () => {
  it("a workload's aws section while the stack does not federate AWS", () => {
    const issues = issuesOf(() => validateStackConfig(cloudWithKey("aws", undefined), OPTIONS));
    assert.deepEqual(
      issues.map((i) => i.key),
      [key("workloads.billing.aws"), key("workloads.ledger-sync.aws")],
    );
    for (const issue of issues) {
      assert.match(
        issue.message,
        /does not federate AWS; add worker-identity:aws: \{\} to federate AWS, or remove this workload's aws settings/,
      );
    }
  });

  it("a workload's gcp section while the stack does not federate GCP", () => {
    const raw = cloudWithKey("gcp", undefined);
    const issues = issuesOf(() => validateStackConfig(raw, OPTIONS));
    assert.deepEqual(
      issues.map((i) => i.key),
      [key("workloads.billing.gcp"), key("workloads.reports-exporter.gcp")],
    );
    for (const issue of issues) {
      assert.match(
        issue.message,
        /add worker-identity:gcp: \{projectId: .*\} to federate GCP, or remove this workload's gcp settings/,
      );
    }
  });

  it("an AWS workload that does not list the AWS audience", () => {
    const issue = expectOneIssue(
      cloudWithWorkload("ledger-sync", (w) => {
        w.audiences = ["sts.amazonaws.com"];
      }),
      key("workloads.ledger-sync.audiences"),
      /add 'aws-sts\.id\.example\.dev' to audiences/,
    );
    assert.match(
      issue.message,
      /the AWS audience \(worker-identity:aws\.audience\), so it could never assume its role/,
    );
  });

  it("a GCP workload that does not list the GCP provider's audience, spelled out", () => {
    const issue = expectOneIssue(
      cloudWithWorkload("reports-exporter", (w) => {
        // The example stack's audience: another project number, pool and provider.
        w.audiences = [
          "//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/" +
            "worker-identity/providers/worker-identity",
        ];
      }),
      key("workloads.reports-exporter.audiences"),
      /add '\/\/iam\.googleapis\.com\/.*' to audiences/,
    );
    assert.ok(issue.message.includes(`add '${CLOUD_GCP_AUDIENCE}' to audiences`), issue.message);
  });

  it("two workloads with the same role name", () => {
    expectOneIssue(
      cloudWithWorkload("ledger-sync", (w) => {
        section(w, "aws").roleName = "BillingRole";
      }),
      key("workloads.ledger-sync.aws.roleName"),
      /also the role of workload 'billing' \(its aws\.roleName\).*set another aws\.roleName here/,
    );
  });

  it("role names that differ only in case (IAM ignores case)", () => {
    expectOneIssue(
      cloudWithWorkload("ledger-sync", (w) => {
        section(w, "aws").roleName = "billingrole";
      }),
      key("workloads.ledger-sync.aws.roleName"),
      /IAM reads as 'BillingRole' \(it ignores case in role names\).*set another aws\.roleName/,
    );
  });

  it("a role name that takes another workload's default is the one reported", () => {
    const raw = cloudWithWorkload("billing", (w) => {
      section(w, "aws").roleName = "wid-ledger-sync";
    });
    const ledger = (raw[key("workloads")] as Record<string, Record<string, Record<string, unknown>>>)["ledger-sync"];
    delete ledger?.aws?.roleName;
    expectOneIssue(
      raw,
      key("workloads.billing.aws.roleName"),
      /is 'wid-ledger-sync', which is also the role of workload 'ledger-sync' \(its default\).*set another aws\.roleName here/,
    );
  });

  it("two workloads creating the same service account", () => {
    expectOneIssue(
      cloudWithWorkload("reports-exporter", (w) => {
        section(w, "gcp").serviceAccount = { create: { accountId: "billing-payments" } };
      }),
      key("workloads.reports-exporter.gcp.serviceAccount.create.accountId"),
      /also the service account workload 'billing' creates.*set another serviceAccount\.create\.accountId here/,
    );
  });

  it("two long workload names whose default service-account ids collide once cut", () => {
    const raw = cloudRaw();
    const workloads = raw[key("workloads")] as Record<string, unknown>;
    workloads["reporting-pipeline-eu-west-1"] = { audiences: [CLOUD_GCP_AUDIENCE], gcp: {} };
    workloads["reporting-pipeline-eu-west-2"] = { audiences: [CLOUD_GCP_AUDIENCE], gcp: {} };
    expectOneIssue(
      raw,
      key("workloads.reporting-pipeline-eu-west-2.gcp.serviceAccount.create.accountId"),
      new RegExp(
        "'wid-reporting-pipeline-eu-west' \\(the default wid-<workload>, cut to 30 characters\\).*" +
          "workload 'reporting-pipeline-eu-west-1'.*set another serviceAccount\\.create\\.accountId",
      ),
    );
  });
});

describe("validateStackConfig: cloud problems in one error", () => {
  it("reports every cloud problem together, including the cross-checks", () => {
    const raw = cloudWithKey("aws", undefined);
    const workloads = raw[key("workloads")] as Record<string, Record<string, unknown>>;
    section(workloads.billing ?? {}, "aws").maxSessionDurationSeconds = 60;
    (raw[key("gcp")] as Record<string, unknown>).poolId = "gcp-pool";
    section(workloads["reports-exporter"] ?? {}, "gcp").projectRoles = ["roles/viewer"];
    const issues = issuesOf(() => validateStackConfig(raw, OPTIONS));
    assert.deepEqual(
      issues.map((i) => i.key).sort(),
      [
        `${PROJECT}:gcp.poolId`,
        `${PROJECT}:workloads.billing.aws`,
        `${PROJECT}:workloads.billing.aws.maxSessionDurationSeconds`,
        `${PROJECT}:workloads.ledger-sync.aws`,
        `${PROJECT}:workloads.reports-exporter.gcp.projectRoles`,
      ].sort(),
    );
  });
});
