// The GCP IAM fake refuses what IAM refuses, naming the limit: service account ids outside
// 6-30 of [a-z][-a-z0-9]*[a-z0-9], display names over 100 and descriptions over 256 bytes, a
// 101st account in a project (default quota), pool and provider ids (4-32 of [a-z0-9-], no gcp-),
// console texts over 32/256, more than 50 custom attributes, conditions over 4,096 characters, an
// 11th audience, member and role formats, unknown projects, a grant on (or to) a service account
// the same deploy creates that waits for no Sleep naming it; and getProject answers the table.

import assert from "node:assert/strict";
import { FakeCloud } from "./engine.js";
import type { Properties } from "./model.js";
import { refused } from "./refusal-assert.js";
import { declare, declareAfter, freshDeploy, NOW } from "./register.js";
import { TYPE } from "./types.js";

const PROJECT = "example-identity-dev";
const POOL_NAME = "projects/123456789012/locations/global/workloadIdentityPools/worker-identity";

const account = (change: Properties = {}) => ({
  project: PROJECT,
  accountId: "wid-billing",
  displayName: "d",
  description: "d",
  ...change,
});
const pool = (change: Properties = {}) => ({
  project: PROJECT,
  workloadIdentityPoolId: "worker-identity",
  displayName: "Workers",
  description: "d",
  ...change,
});
const provider = (change: Properties = {}) => ({
  project: PROJECT,
  workloadIdentityPoolId: "worker-identity",
  workloadIdentityPoolProviderId: "worker-identity",
  displayName: "id.example.dev",
  attributeMapping: { "google.subject": "assertion.sub" },
  attributeCondition: 'assertion.account_id == "a"',
  oidc: { issuerUri: "https://id.example.dev", allowedAudiences: ["a"] },
  ...change,
});
const withPool = () => {
  const deploy = freshDeploy();
  declare(deploy, TYPE.pool, "p", pool());
  return deploy;
};
/** Declaring the account, pool or provider with `change` in a fresh deploy is refused with `message`. */
const refusesAccount = (change: Properties, message: RegExp) =>
  refused(() => declare(freshDeploy(), TYPE.serviceAccount, "a", account(change)), message);
const refusesPool = (change: Properties, message: RegExp) =>
  refused(() => declare(freshDeploy(), TYPE.pool, "p", pool(change)), message);
/** The provider is declared in a deploy that has its pool. */
const declaresProvider = (change: Properties) => declare(withPool(), TYPE.poolProvider, "v", provider(change));
const refusesProvider = (change: Properties, message: RegExp) => refused(() => declaresProvider(change), message);

describe("fake GCP IAM: service accounts", () => {
  it("accepts an account and answers its email", () => {
    assert.equal(
      declare(freshDeploy(), TYPE.serviceAccount, "a", account()).email,
      "wid-billing@example-identity-dev.iam.gserviceaccount.com",
    );
  });

  for (const accountId of ["short", "a".repeat(31), "1starts-with-digit", "ends-with-dash-", "Upper-case"]) {
    it(`refuses the account id ${JSON.stringify(accountId)}`, () => {
      refusesAccount({ accountId }, /accountId ".*" does not match/);
    });
  }

  it("refuses a display name over 100 bytes, a description over 256 and an unknown project", () => {
    declare(
      freshDeploy(),
      TYPE.serviceAccount,
      "a",
      account({ displayName: "d".repeat(100), description: "d".repeat(256) }),
    );
    refusesAccount({ displayName: "d".repeat(101) }, /displayName is 101 bytes; at most 100/);
    refusesAccount({ description: "d".repeat(257) }, /description is 257 bytes; at most 256/);
    refusesAccount({ project: "someone-else" }, /Permission denied on resource project someone-else/);
  });

  it("refuses a 101st service account in one project (default quota 100)", () => {
    const deploy = freshDeploy();
    for (let i = 0; i < 100; i++)
      declare(deploy, TYPE.serviceAccount, `a${i}`, account({ accountId: `wid-${String(i).padStart(3, "0")}` }));
    refused(
      () => declare(deploy, TYPE.serviceAccount, "a100", account({ accountId: "wid-100" })),
      /Maximum number of service accounts on project reached \(100\)/,
    );
  });

  it("refuses members and roles in formats IAM does not know", () => {
    const grant = (member: string, role = "roles/iam.workloadIdentityUser") => ({
      serviceAccountId:
        "projects/example-identity-dev/serviceAccounts/wid-billing@example-identity-dev.iam.gserviceaccount.com",
      role,
      member,
    });
    const grants = (member: string, role?: string) =>
      declare(freshDeploy(), TYPE.serviceAccountMember, "m", grant(member, role));
    grants(`principal://iam.googleapis.com/${POOL_NAME}/subject/worker/a/billing`);
    grants(`principalSet://iam.googleapis.com/${POOL_NAME}/attribute.workflow/nightly`);
    refused(
      () =>
        grants(
          "principal://iam.googleapis.com/projects/example-identity-dev/locations/global/workloadIdentityPools/p1/subject/s",
        ),
      /Invalid principal identifier/,
    );
    refused(
      () => grants(`principal://iam.googleapis.com/${POOL_NAME}/subject/${"s".repeat(128)}`),
      /google.subject is 128 bytes; at most 127/,
    );
    refused(() => grants("wid-billing@example-identity-dev.iam.gserviceaccount.com"), /Invalid principal identifier/);
    refused(() => grants("user:a@example.com", "iam.workloadIdentityUser"), /role "iam.workloadIdentityUser"/);
    declare(freshDeploy(), TYPE.projectMember, "m", {
      project: PROJECT,
      role: "roles/bigquery.dataViewer",
      member: "serviceAccount:wid-billing@example-identity-dev.iam.gserviceaccount.com",
    });
  });
});

describe("fake GCP IAM: grants wait for a service account created in the same deploy (eventually consistent)", () => {
  const SLEEP = "time:index/sleep:Sleep";
  const EMAIL = "wid-billing@example-identity-dev.iam.gserviceaccount.com";
  const onAccount = {
    serviceAccountId: `projects/${PROJECT}/serviceAccounts/${EMAIL}`,
    role: "roles/iam.workloadIdentityUser",
    member: "user:a@example.com",
  };
  const toAccount = { project: PROJECT, role: "roles/bigquery.dataViewer", member: `serviceAccount:${EMAIL}` };
  /** A deploy that has just created the account, and a Sleep whose triggers name `triggers` of it. */
  const created = (
    triggers: (outputs: Properties) => Properties = (o) => ({ uniqueId: o.uniqueId, email: o.email }),
  ) => {
    const deploy = freshDeploy();
    const outputs = declare(deploy, TYPE.serviceAccount, "sa", account());
    declareAfter(deploy, SLEEP, "settle", { createDuration: "30s", triggers: triggers(outputs) }, [
      { type: TYPE.serviceAccount, name: "sa" },
    ]);
    return deploy;
  };

  it("refuses a grant on the new account, and one naming it as a project member, that wait for no Sleep", () => {
    refused(
      () => declare(created(), TYPE.serviceAccountMember, "m", onAccount),
      /Error 404: Service account projects\/example-identity-dev\/serviceAccounts\/wid-billing@example-identity-dev\.iam\.gserviceaccount\.com does not exist\., notFound \(limit: @pulumi\/gcp serviceaccount\.Account doc: creation of service accounts is eventually consistent/,
    );
    refused(
      () => declare(created(), TYPE.projectMember, "m", toAccount),
      /Error 400: Service account wid-billing@example-identity-dev\.iam\.gserviceaccount\.com does not exist\., badRequest/,
    );
    refused(
      () => declareAfter(created(), TYPE.projectMember, "m", toAccount, [{ type: TYPE.serviceAccount, name: "sa" }]),
      /does not exist/,
    );
  });

  it("accepts grants that wait for the Sleep, directly or through a resource that waits for it", () => {
    const direct = created();
    declareAfter(direct, TYPE.serviceAccountMember, "m", onAccount, [{ type: SLEEP, name: "settle" }]);
    declareAfter(direct, TYPE.projectMember, "p", toAccount, [{ type: SLEEP, name: "settle" }]);
    const transitive = created();
    declareAfter(transitive, TYPE.serviceAccount, "other", account({ accountId: "wid-other" }), [
      { type: SLEEP, name: "settle" },
    ]);
    declareAfter(transitive, TYPE.projectMember, "p", toAccount, [{ type: TYPE.serviceAccount, name: "other" }]);
  });

  it("refuses a grant whose Sleep's triggers name another account", () => {
    const deploy = created(() => ({ email: "wid-other@example-identity-dev.iam.gserviceaccount.com" }));
    refused(
      () => declareAfter(deploy, TYPE.projectMember, "p", toAccount, [{ type: SLEEP, name: "settle" }]),
      /does not exist/,
    );
  });

  it("accepts grants on an account an earlier deploy created, with no Sleep", () => {
    const cloud = new FakeCloud();
    const first = cloud.begin(NOW);
    declareAfter(first, TYPE.serviceAccount, "sa", account(), []);
    assert.deepEqual(first.finish().refusals, []);
    const later = cloud.begin(NOW + 86_400_000);
    declare(later, TYPE.serviceAccount, "sa", account());
    declare(later, TYPE.serviceAccountMember, "m", onAccount);
    declare(later, TYPE.projectMember, "p", toAccount);
    assert.deepEqual(later.finish().refusals, []);
  });
});

describe("fake GCP IAM: workload identity pools and providers", () => {
  it("names the pool by its project's number", () => {
    assert.equal(declare(freshDeploy(), TYPE.pool, "p", pool()).name, POOL_NAME);
  });

  for (const id of ["abc", "a".repeat(33), "gcp-pool", "Pool_1"]) {
    it(`refuses the pool id ${JSON.stringify(id)}`, () => {
      refusesPool({ workloadIdentityPoolId: id }, /workloadIdentityPoolId/);
    });
  }

  it("refuses a display name over 32 characters and a description over 256", () => {
    declare(freshDeploy(), TYPE.pool, "p", pool({ displayName: "d".repeat(32) }));
    refusesPool({ displayName: "d".repeat(33) }, /displayName is 33 characters; at most 32/);
    refusesPool({ description: "d".repeat(257) }, /description is 257 characters; at most 256/);
  });

  it("accepts a provider in its pool, and refuses one whose pool does not exist", () => {
    assert.equal(declaresProvider({}).name, `${POOL_NAME}/providers/worker-identity`);
    refused(() => declare(freshDeploy(), TYPE.poolProvider, "v", provider()), /Error 404: the pool .* was not found/);
  });

  it("refuses a 51st custom attribute, a key outside [a-z0-9_], an expression over 2,048 and a mapping without google.subject", () => {
    const attributes = (n: number) => ({
      "google.subject": "assertion.sub",
      ...Object.fromEntries(Array.from({ length: n }, (_, i) => [`attribute.a${i}`, "assertion.x"])),
    });
    declaresProvider({ attributeMapping: attributes(50) });
    refusesProvider({ attributeMapping: attributes(51) }, /custom attributes is 51 attributes; at most 50/);
    refusesProvider({ attributeMapping: { "google.subject": "assertion.sub", "attribute.Team": "x" } }, /key "Team"/);
    refusesProvider({ attributeMapping: { "google.subject": "a".repeat(2_049) } }, /is 2049 characters; at most 2048/);
    refusesProvider({ attributeMapping: { "attribute.a": "x" } }, /must map google.subject/);
  });

  it("refuses a second provider with the same id in one pool, and accepts another id beside it", () => {
    const deploy = withPool();
    declare(deploy, TYPE.poolProvider, "v", provider());
    declare(deploy, TYPE.poolProvider, "native", provider({ workloadIdentityPoolProviderId: "cfn-0123456789ab" }));
    refused(
      () => declare(deploy, TYPE.poolProvider, "twin", provider()),
      /Error 409: Requested entity already exists: provider worker-identity of pool worker-identity/,
    );
  });

  it("refuses a condition over 4,096 characters, an 11th audience and an issuer that is not https", () => {
    declaresProvider({ attributeCondition: "a".repeat(4_096) });
    refusesProvider({ attributeCondition: "a".repeat(4_097) }, /attributeCondition is 4097 characters; at most 4096/);
    const oidc = (allowedAudiences: string[]) => ({ oidc: { issuerUri: "https://id.example.dev", allowedAudiences } });
    const audiences = (n: number) => Array.from({ length: n }, (_, i) => `aud-${i}`);
    declaresProvider(oidc(audiences(10)));
    refusesProvider(oidc(audiences(11)), /allowedAudiences is 11 audiences; at most 10/);
    refusesProvider({ oidc: { issuerUri: "http://id.example.dev" } }, /must be an https URL/);
    refusesProvider(oidc(["a".repeat(257)]), /is 257 characters; at most 256/);
  });

  it("answers getProject from the project table and refuses an unknown project", () => {
    const deploy = freshDeploy();
    assert.equal(
      deploy.call({ token: "gcp:organizations/getProject:getProject", inputs: { projectId: PROJECT } }).number,
      "123456789012",
    );
    refused(
      () => deploy.call({ token: "gcp:organizations/getProject:getProject", inputs: { projectId: "typo-project" } }),
      /Project "typo-project".*403/,
    );
  });
});
