// Hand-written federated trust, each configuration unsafe in one way, with the policy that must
// refuse it and the input that decides (unknown during preview, it must be skipped instead).
// Written the way people write them by hand, not with the program's builders.

import { issuerScriptContent } from "./fixtures.js";
import type { TestResource } from "./harness.js";

export interface UnsafeConfiguration {
  readonly why: string;
  readonly resource: TestResource;
  readonly refusedBy: string;
  /** A top-level input which, unknown during preview, leaves the policy nothing to judge. */
  readonly decidedBy: string;
}

const ACCOUNT = "0123456789abcdef0123456789abcdef";
const HOST = "id.example.dev";
const PROVIDER = `arn:aws:iam::111122223333:oidc-provider/${HOST}`;
const SUB = `worker/${ACCOUNT}/billing`;
const POOL = "projects/123456789012/locations/global/workloadIdentityPools/worker-identity";
const SERVICE_ACCOUNT = "projects/acme-prod/serviceAccounts/billing@acme-prod.iam.gserviceaccount.com";
const USER = "roles/iam.workloadIdentityUser";

type Condition = Record<string, Record<string, string | string[]>>;

function webIdentity(condition: Condition | undefined, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    Effect: "Allow",
    Principal: { Federated: PROVIDER },
    Action: "sts:AssumeRoleWithWebIdentity",
    ...(condition === undefined ? {} : { Condition: condition }),
    ...extra,
  };
}

function role(statements: readonly Record<string, unknown>[], maxSessionDuration = 3600): TestResource {
  return {
    type: "aws:iam/role:Role",
    props: { assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: statements }), maxSessionDuration },
  };
}

const exact = (sub: string | string[] = SUB): Condition => ({
  StringEquals: { [`${HOST}:aud`]: "sts.amazonaws.com", [`${HOST}:sub`]: sub },
});
const like = (sub: string | string[], operator = "StringLike"): Condition => ({
  StringEquals: { [`${HOST}:aud`]: "sts.amazonaws.com" },
  [operator]: { [`${HOST}:sub`]: sub },
});

function issuerScript(kek: Record<string, unknown>, settings: Record<string, string> = {}): TestResource {
  const config = {
    "worker-identity:accountId": ACCOUNT,
    "worker-identity:issuerHostname": HOST,
    "worker-identity:workloads": JSON.stringify({ billing: { audiences: ["sts.amazonaws.com"] } }),
    ...settings,
  };
  return {
    type: "cloudflare:index/workersScript:WorkersScript",
    props: {
      scriptName: "worker-identity",
      content: issuerScriptContent(config),
      bindings: [
        { type: "durable_object_namespace", name: "KEY_STORE", className: "KeyStore" },
        { name: "KEY_ENCRYPTION_KEY", ...kek },
      ],
    },
  };
}

const SECRET_KEK = { type: "secret_text", text: "c2VjcmV0" };

export const unsafeCorpus: readonly UnsafeConfiguration[] = [
  {
    why: "trusts the provider with an audience but no subject: any Worker of the account",
    resource: role([webIdentity({ StringEquals: { [`${HOST}:aud`]: "sts.amazonaws.com" } })]),
    refusedBy: "aws-web-identity-conditions",
    decidedBy: "assumeRolePolicy",
  },
  {
    why: "pins the subject but not the audience: tokens minted for any relying party",
    resource: role([webIdentity({ StringEquals: { [`${HOST}:sub`]: SUB } })]),
    refusedBy: "aws-web-identity-conditions",
    decidedBy: "assumeRolePolicy",
  },
  {
    why: "no Condition at all",
    resource: role([webIdentity(undefined)]),
    refusedBy: "aws-web-identity-conditions",
    decidedBy: "assumeRolePolicy",
  },
  {
    why: "StringEqualsIfExists on sub, true for a token without the key",
    resource: role([
      webIdentity({
        StringEquals: { [`${HOST}:aud`]: "sts.amazonaws.com" },
        StringEqualsIfExists: { [`${HOST}:sub`]: SUB },
      }),
    ]),
    refusedBy: "aws-web-identity-conditions",
    decidedBy: "assumeRolePolicy",
  },
  {
    why: "ForAllValues:StringEquals on sub, true when the request has no sub",
    resource: role([
      webIdentity({
        StringEquals: { [`${HOST}:aud`]: "sts.amazonaws.com" },
        "ForAllValues:StringEquals": { [`${HOST}:sub`]: SUB },
      }),
    ]),
    refusedBy: "aws-web-identity-conditions",
    decidedBy: "assumeRolePolicy",
  },
  {
    why: "conditions copied from another issuer's role: keys of another host",
    resource: role([
      webIdentity({
        StringEquals: {
          "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
          "token.actions.githubusercontent.com:sub": SUB,
        },
      }),
    ]),
    refusedBy: "aws-web-identity-conditions",
    decidedBy: "assumeRolePolicy",
  },
  {
    why: "a subject prefix without a '/' boundary: bill* also admits billing-export",
    resource: role([webIdentity(like(`worker/${ACCOUNT}/bill*`))]),
    refusedBy: "aws-web-identity-exact-subject",
    decidedBy: "assumeRolePolicy",
  },
  {
    why: "any subject at all",
    resource: role([webIdentity(like("*"))]),
    refusedBy: "aws-web-identity-exact-subject",
    decidedBy: "assumeRolePolicy",
  },
  {
    why: "a Worker of any account",
    resource: role([webIdentity(like("worker/*/billing"))]),
    refusedBy: "aws-web-identity-exact-subject",
    decidedBy: "assumeRolePolicy",
  },
  {
    why: "a ? wildcard in the subject",
    resource: role([webIdentity(like(`worker/${ACCOUNT}/billin?`))]),
    refusedBy: "aws-web-identity-exact-subject",
    decidedBy: "assumeRolePolicy",
  },
  {
    why: "one loose subject in a list of exact ones, under ForAnyValue:StringLike",
    resource: role([webIdentity(like([SUB, `worker/${ACCOUNT}/ledger*`], "ForAnyValue:StringLike"))]),
    refusedBy: "aws-web-identity-exact-subject",
    decidedBy: "assumeRolePolicy",
  },
  {
    why: "the subject compared with itself through a policy variable",
    resource: role([webIdentity(exact(`\${${HOST}:sub}`))]),
    refusedBy: "aws-web-identity-exact-subject",
    decidedBy: "assumeRolePolicy",
  },
  {
    why: 'Principal "*" may assume the role',
    resource: role([{ Effect: "Allow", Principal: "*", Action: "sts:AssumeRole" }]),
    refusedBy: "aws-trust-no-wildcard-principal",
    decidedBy: "assumeRolePolicy",
  },
  {
    why: '{AWS: "*"} next to a correct web identity statement',
    resource: role([webIdentity(exact()), { Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" }]),
    refusedBy: "aws-trust-no-wildcard-principal",
    decidedBy: "assumeRolePolicy",
  },
  {
    why: '{Federated: "*"}: web identity from any provider',
    resource: role([{ Effect: "Allow", Principal: { Federated: "*" }, Action: "sts:AssumeRoleWithWebIdentity" }]),
    refusedBy: "aws-trust-no-wildcard-principal",
    decidedBy: "assumeRolePolicy",
  },
  {
    why: "sts:TagSession in a statement of its own, without the web identity conditions",
    resource: role([
      webIdentity(exact()),
      { Effect: "Allow", Principal: { Federated: PROVIDER }, Action: "sts:TagSession" },
    ]),
    refusedBy: "aws-tag-session-with-web-identity",
    decidedBy: "assumeRolePolicy",
  },
  {
    why: "twelve-hour sessions from a five-minute token",
    resource: role([webIdentity(exact())], 43_200),
    refusedBy: "aws-role-max-session-duration",
    decidedBy: "maxSessionDuration",
  },
  {
    why: "a provider for the issuer without attributeCondition",
    resource: {
      type: "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider",
      props: {
        workloadIdentityPoolId: "worker-identity",
        workloadIdentityPoolProviderId: "worker-identity",
        oidc: { issuerUri: `https://${HOST}` },
        attributeMapping: { "google.subject": "assertion.sub", "attribute.worker": "assertion.worker" },
      },
    },
    refusedBy: "gcp-provider-condition-and-subject",
    decidedBy: "attributeMapping",
  },
  {
    why: "a provider that maps the worker claim but not google.subject",
    resource: {
      type: "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider",
      props: {
        oidc: { issuerUri: "https://identity.acme.workers.dev" },
        attributeMapping: { "attribute.worker": "assertion.worker" },
        attributeCondition: `assertion.account_id == "${ACCOUNT}"`,
      },
    },
    refusedBy: "gcp-provider-condition-and-subject",
    decidedBy: "attributeMapping",
  },
  {
    why: "the whole pool may impersonate the service account",
    resource: {
      type: "gcp:serviceaccount/iAMMember:IAMMember",
      props: { serviceAccountId: SERVICE_ACCOUNT, role: USER, member: `principalSet://iam.googleapis.com/${POOL}/*` },
    },
    refusedBy: "gcp-no-pool-wide-impersonation",
    decidedBy: "member",
  },
  {
    why: "every Worker with environment=prod may impersonate it",
    resource: {
      type: "gcp:serviceaccount/iAMBinding:IAMBinding",
      props: {
        serviceAccountId: SERVICE_ACCOUNT,
        role: USER,
        members: [`principalSet://iam.googleapis.com/${POOL}/attribute.environment/prod`],
      },
    },
    refusedBy: "gcp-no-pool-wide-impersonation",
    decidedBy: "members",
  },
  {
    why: "allUsers in the service account's whole policy",
    resource: {
      type: "gcp:serviceaccount/iAMPolicy:IAMPolicy",
      props: {
        serviceAccountId: SERVICE_ACCOUNT,
        policyData: JSON.stringify({ bindings: [{ role: USER, members: ["allUsers"] }] }),
      },
    },
    refusedBy: "gcp-no-pool-wide-impersonation",
    decidedBy: "policyData",
  },
  {
    why: "workloadIdentityUser on the project: the Worker may impersonate every service account",
    resource: {
      type: "gcp:projects/iAMMember:IAMMember",
      props: { project: "acme-prod", role: USER, member: `principal://iam.googleapis.com/${POOL}/subject/${SUB}` },
    },
    refusedBy: "gcp-no-project-wide-impersonation",
    decidedBy: "member",
  },
  {
    why: "a principal whose subject no token can carry (over 127 bytes)",
    resource: {
      type: "gcp:serviceaccount/iAMMember:IAMMember",
      props: {
        serviceAccountId: SERVICE_ACCOUNT,
        role: USER,
        member: `principal://iam.googleapis.com/${POOL}/subject/workflow/${ACCOUNT}/${"nightly-".repeat(12)}`,
      },
    },
    refusedBy: "gcp-principal-subject-fits",
    decidedBy: "member",
  },
  {
    why: "the key-encryption key as plain text",
    resource: issuerScript({ type: "plain_text", text: "c2VjcmV0" }),
    refusedBy: "cloudflare-key-encryption-key-secret",
    decidedBy: "bindings",
  },
  {
    why: "the key-encryption key as a json binding",
    resource: issuerScript({ type: "json", json: '"c2VjcmV0"' }),
    refusedBy: "cloudflare-key-encryption-key-secret",
    decidedBy: "bindings",
  },
  {
    why: "twelve-hour tokens",
    resource: issuerScript(SECRET_KEK, { "worker-identity:maxTokenLifetimeSeconds": "43200" }),
    refusedBy: "cloudflare-issuer-token-lifetime-cap",
    decidedBy: "content",
  },
  {
    why: "signing keys kept for a year",
    resource: issuerScript(SECRET_KEK, { "worker-identity:rotationPeriodDays": "365" }),
    refusedBy: "cloudflare-issuer-rotation-period",
    decidedBy: "content",
  },
];
