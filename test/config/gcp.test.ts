// The `gcp` stack key and a workload's `gcp` section: one broken field per test, each asserting
// the issue's key and that its message names the fix.

import assert from "node:assert/strict";
import { validateStackConfig } from "../../worker/config/validate.js";
import {
  CLOUD_GCP_AUDIENCE,
  cloudWithKey,
  cloudWithSetting,
  cloudWithWorkload,
  itRefusesBillingFields,
  key,
  section,
} from "./cloud-fixtures.js";
import { expectOneIssue, OPTIONS } from "./fixtures.js";

const gcp = (field: string) => key(`gcp.${field}`);
const withReportsAccount = (value: unknown) =>
  cloudWithWorkload("reports-exporter", (w) => {
    section(w, "gcp").serviceAccount = value;
  });

/** A JWKS holding one key with the given members, as JSON text. */
const jwks = (jwk: Record<string, unknown>) => JSON.stringify({ keys: [jwk] });
const EC_PUBLIC = {
  kty: "EC",
  crv: "P-256",
  x: "MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4",
  y: "4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM",
  kid: "ec-1",
};

describe("validateStackConfig: the gcp stack key, one error each", () => {
  it("gcp written with no value", () => {
    expectOneIssue(
      cloudWithKey("gcp", null),
      key("gcp"),
      /write gcp: \{projectId: <project-id>, projectNumber: <number>\}/,
    );
  });

  it("gcp given as a string that is not JSON", () => {
    expectOneIssue(
      cloudWithKey("gcp", "acme-identity-stage"),
      key("gcp"),
      /not valid JSON.*write it in the stack file as a map/,
    );
  });

  it("unknown gcp field, with a suggestion", () => {
    expectOneIssue(cloudWithSetting("gcp", "poolID", "cf-workers"), gcp("poolID"), /did you mean 'poolId'\?/);
  });

  it("missing projectId", () => {
    expectOneIssue(
      cloudWithSetting("gcp", "projectId", undefined),
      gcp("projectId"),
      /is missing; .*pulumi config set --path gcp\.projectId <project-id>/,
    );
  });

  it("missing projectNumber", () => {
    expectOneIssue(
      cloudWithSetting("gcp", "projectNumber", undefined),
      gcp("projectNumber"),
      /is missing; .*gcloud projects describe <projectId> --format='value\(projectNumber\)'/,
    );
  });

  it("projectId in uppercase", () => {
    expectOneIssue(
      cloudWithSetting("gcp", "projectId", "Acme-Identity-Stage"),
      gcp("projectId"),
      /6 to 30 lowercase letters.*write it 'acme-identity-stage'/,
    );
  });

  it("projectId too short", () => {
    expectOneIssue(cloudWithSetting("gcp", "projectId", "acme"), gcp("projectId"), /6 to 30 .*gcloud projects list/);
  });

  it("projectId holding the project number", () => {
    expectOneIssue(
      cloudWithSetting("gcp", "projectId", "987654321098"),
      gcp("projectId"),
      /that is the project number/,
    );
  });

  it("projectNumber holding the project id", () => {
    expectOneIssue(
      cloudWithSetting("gcp", "projectNumber", "acme-identity-stage"),
      gcp("projectNumber"),
      /looks like the project id, which goes in projectId.*gcloud projects describe/,
    );
  });

  it("projectNumber too large to read exactly as a YAML integer", () => {
    expectOneIssue(
      // biome-ignore lint/correctness/noPrecisionLoss: a project number too large for a number must be refused
      cloudWithSetting("gcp", "projectNumber", 12_345_678_901_234_567_890),
      gcp("projectNumber"),
      /too large to be read exactly.*quoted string \(projectNumber: "123456789012"\)/,
    );
  });

  it("projectNumber longer than 20 digits", () => {
    expectOneIssue(cloudWithSetting("gcp", "projectNumber", "1".repeat(21)), gcp("projectNumber"), /1 to 20 digits/);
  });

  it("poolId with GCP's reserved prefix", () => {
    expectOneIssue(
      cloudWithSetting("gcp", "poolId", "gcp-workers"),
      gcp("poolId"),
      /GCP reserves the prefix 'gcp-' for its own pool ids; choose an id without it, e\.g\. 'workers'/,
    );
  });

  it("poolId shorter than 4 characters", () => {
    expectOneIssue(
      cloudWithSetting("gcp", "poolId", "cfw"),
      gcp("poolId"),
      /a workload identity pool id is 4 to 32 lowercase letters, digits or '-', starting with a letter; rename it/,
    );
  });

  it("providerId with uppercase and '_'", () => {
    expectOneIssue(
      cloudWithSetting("gcp", "providerId", "Id_Example"),
      gcp("providerId"),
      /workload identity provider id is 4 to 32 .*rename it, e\.g\. 'id-example'/,
    );
  });

  it("providerId starting with a digit", () => {
    expectOneIssue(
      cloudWithSetting("gcp", "providerId", "1provider"),
      gcp("providerId"),
      /starting with a letter; rename it/,
    );
  });

  it("providerId longer than 32 characters", () => {
    expectOneIssue(cloudWithSetting("gcp", "providerId", "p".repeat(33)), gcp("providerId"), /4 to 32 /);
  });

  it("jwksJson holding a private key", () => {
    expectOneIssue(
      cloudWithSetting("gcp", "jwksJson", jwks({ ...EC_PUBLIC, d: "870MB6gfuTJ4HtUnUvYMyJpr5eUZNP4Bk43bVdj3eAE" })),
      gcp("jwksJson"),
      /keys\[0\] with the private member 'd'.*public keys only.*revoke it/,
    );
  });

  it("jwksJson holding a symmetric key", () => {
    expectOneIssue(
      cloudWithSetting("gcp", "jwksJson", jwks({ kty: "oct", k: "GawgguFyGrWKav7AX4VKUg", kid: "s" })),
      gcp("jwksJson"),
      /private member 'k'.*Replace jwksJson with the body of the issuer's \/\.well-known\/jwks\.json/,
    );
  });

  it("jwksJson with a key type GCP does not accept", () => {
    expectOneIssue(
      cloudWithSetting("gcp", "jwksJson", jwks({ kty: "OKP", crv: "Ed25519", x: "11qYAY", kid: "ed" })),
      gcp("jwksJson"),
      /kty "OKP", but GCP accepts only RSA and EC keys/,
    );
  });

  it("jwksJson with a key without kid", () => {
    const { kid: _, ...withoutKid } = EC_PUBLIC;
    expectOneIssue(
      cloudWithSetting("gcp", "jwksJson", jwks(withoutKid)),
      gcp("jwksJson"),
      /without a kid.*use the body of/,
    );
  });

  it("jwksJson with no keys", () => {
    expectOneIssue(
      cloudWithSetting("gcp", "jwksJson", '{"keys": []}'),
      gcp("jwksJson"),
      /non-empty "keys" list.*set it to/,
    );
  });

  it("jwksJson that is not JSON", () => {
    expectOneIssue(
      cloudWithSetting("gcp", "jwksJson", "keys: []"),
      gcp("jwksJson"),
      /not valid JSON.*set it to the body of/,
    );
  });

  it("jwksJson given as a map", () => {
    expectOneIssue(
      cloudWithSetting("gcp", "jwksJson", { keys: [EC_PUBLIC] }),
      gcp("jwksJson"),
      /must be the issuer's public JWKS as JSON text/,
    );
  });
});

describe("validateStackConfig: a workload's gcp section, one error each", () => {
  it("gcp section written with no value", () => {
    expectOneIssue(
      cloudWithWorkload("reports-exporter", (w) => {
        w.gcp = null;
      }),
      key("workloads.reports-exporter.gcp"),
      /write gcp: \{\} for a service account the stack creates/,
    );
  });

  itRefusesBillingFields("gcp", [
    [
      "unknown gcp field, with a suggestion",
      "projectRole",
      ["roles/viewer"],
      "projectRole",
      /did you mean 'projectRoles'\?/,
    ],
    [
      "created account id with uppercase and '_'",
      "serviceAccount",
      { create: { accountId: "Billing_Payments" } },
      "serviceAccount.create.accountId",
      /breaks GCP's service-account id rule: 6 to 30 .*e\.g\. to 'billing-payments'/,
    ],
    [
      "created account id too short",
      "serviceAccount",
      { create: { accountId: "bill" } },
      "serviceAccount.create.accountId",
      /service-account id rule: 6 to 30 .*e\.g\. to 'bill-sa'/,
    ],
    [
      "project role without the roles/ prefix",
      "projectRoles",
      ["bigquery.dataViewer"],
      "projectRoles[0]",
      /write 'roles\/bigquery\.dataViewer'/,
    ],
    [
      "project role of an organization named by id instead of number",
      "projectRoles",
      ["organizations/acme/roles/auditor"],
      "projectRoles[0]",
      /organizations\/<number>\/roles\/<role>; e\.g\. roles\/bigquery\.dataViewer/,
    ],
    [
      "duplicate project role",
      "projectRoles",
      ["roles/viewer", "roles/viewer"],
      "projectRoles[1]",
      /repeats projectRoles\[0\]; remove the duplicate/,
    ],
    [
      "project roles given as one string",
      "projectRoles",
      "roles/viewer",
      "projectRoles",
      /write it as a list: \[roles\/viewer\]/,
    ],
  ]);

  it("serviceAccount with both create and existing", () => {
    expectOneIssue(
      withReportsAccount({ create: {}, existing: "reports@acme-data.iam.gserviceaccount.com" }),
      key("workloads.reports-exporter.gcp.serviceAccount"),
      /sets both create and existing; keep create .* or existing/,
    );
  });

  it("serviceAccount with neither", () => {
    expectOneIssue(
      withReportsAccount({}),
      key("workloads.reports-exporter.gcp.serviceAccount"),
      /names no account; write \{create: \{\}\} .* or \{existing: <email>\}/,
    );
  });

  it("serviceAccount given as the email alone", () => {
    expectOneIssue(
      withReportsAccount("reports@acme-data.iam.gserviceaccount.com"),
      key("workloads.reports-exporter.gcp.serviceAccount"),
      /write \{existing: reports@acme-data\.iam\.gserviceaccount\.com\}/,
    );
  });

  it("create written with no value", () => {
    expectOneIssue(
      withReportsAccount({ create: null }),
      key("workloads.reports-exporter.gcp.serviceAccount.create"),
      /write create: \{\} for the account wid-<workload>/,
    );
  });

  it("default account id too short", () => {
    expectOneIssue(
      cloudWithWorkload("a", (w) => {
        w.audiences = [CLOUD_GCP_AUDIENCE];
        w.gcp = {};
      }),
      key("workloads.a.gcp.serviceAccount.create.accountId"),
      /is not set, and the default 'wid-a' \(wid-<workload>\) breaks .*; set serviceAccount\.create\.accountId, e\.g\. to 'wid-a-sa'/,
    );
  });

  it("default account id with '_'", () => {
    expectOneIssue(
      cloudWithWorkload("batch_job", (w) => {
        w.audiences = [CLOUD_GCP_AUDIENCE];
        w.gcp = {};
      }),
      key("workloads.batch_job.gcp.serviceAccount.create.accountId"),
      /the default 'wid-batch_job' .*set serviceAccount\.create\.accountId, e\.g\. to 'wid-batch-job'/,
    );
  });

  it("existing account that is not a service-account email", () => {
    expectOneIssue(
      withReportsAccount({ existing: "123456789012-compute@developer.gserviceaccount.com" }),
      key("workloads.reports-exporter.gcp.serviceAccount.existing"),
      /must be a service-account email ending in \.iam\.gserviceaccount\.com.*create one for this workload/,
    );
  });

  it("existing account email in uppercase", () => {
    expectOneIssue(
      withReportsAccount({ existing: "Reports@acme-data.iam.gserviceaccount.com" }),
      key("workloads.reports-exporter.gcp.serviceAccount.existing"),
      /write it 'reports@acme-data\.iam\.gserviceaccount\.com'/,
    );
  });

  it("projectRoles for an existing account", () => {
    const raw = cloudWithWorkload("reports-exporter", (w) => {
      section(w, "gcp").projectRoles = ["roles/bigquery.dataEditor"];
    });
    expectOneIssue(
      raw,
      key("workloads.reports-exporter.gcp.projectRoles"),
      /roles of an existing account are managed where it was created; remove projectRoles and grant them there/,
    );
  });

  it("an audience naming the stack's pool and provider under another project number", () => {
    // The stack's project number is 987654321098 (cloud-fixtures); 987654321099 is one digit off.
    const typo = CLOUD_GCP_AUDIENCE.replace("987654321098", "987654321099");
    const issue = expectOneIssue(
      cloudWithWorkload("edge-api", (w) => {
        w.audiences = ["https://api.internal.example.dev", typo];
      }),
      key("workloads.edge-api.audiences[1]"),
      /names the stack's pool and provider in project 987654321099, but gcp\.projectNumber is 987654321098/,
    );
    assert.match(
      issue.message,
      /accepts only \/\/iam\.googleapis\.com\/projects\/987654321098\/.*gcloud projects describe acme-identity-stage/,
    );
  });

  it("an audience of another pool or provider is someone else's, and allowed", () => {
    const other =
      "//iam.googleapis.com/projects/111111111111/locations/global/workloadIdentityPools/partner/providers/p";
    const raw = cloudWithWorkload("edge-api", (w) => {
      w.audiences = [other];
    });
    assert.doesNotThrow(() => validateStackConfig(raw, OPTIONS));
  });
});
