// Hand-written federated trust, each configuration unsafe in one way, with the policy that must
// refuse it and the input that decides (unknown during preview, it must be skipped instead).
// Written the way people write them by hand, not with the program's builders.

import { azureUnsafeCorpus } from "./azure/unsafe-corpus.js";
import { issuerScriptContent } from "./fixtures.js";
import type { TestResource } from "./harness.js";
import { vaultUnsafeCorpus } from "./vault/unsafe-corpus.js";

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

function withBinding(script: TestResource, binding: Record<string, unknown>): TestResource {
  return { ...script, props: { ...script.props, bindings: [...(script.props.bindings as unknown[]), binding] } };
}

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
    why: "the previous key-encryption key, during a KEK rotation, as plain text",
    resource: withBinding(issuerScript(SECRET_KEK), {
      type: "plain_text",
      name: "KEY_ENCRYPTION_KEY_PREVIOUS",
      text: "cHJldmlvdXM=",
    }),
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
  // Entra ID's and Vault's, hand-written beside their policies' tests.
  ...azureUnsafeCorpus,
  ...vaultUnsafeCorpus,
];

// ---- trust in a whole stack: what the stack registers (policies/stack-registry.ts) ---------
// Each entry adds hand-written resources to the stack the program declares for Pulumi.dev.yaml with
// billing's native tokens (NATIVE_ISSUER, NATIVE_SUBJECT) registered.

export const NATIVE_ISSUER = "https://oidc.cloudflare.example/accounts/7f3a";
export const NATIVE_SUBJECT = "cf:worker:7d1f0c2e-3b5a-4c8e-9f61-0a2b3c4d5e6f";
const NATIVE_PREFIX = "oidc.cloudflare.example/accounts/7f3a";
const NATIVE_PROVIDER = `arn:aws:iam::111122223333:oidc-provider/${NATIVE_PREFIX}`;
const DEV_ACCOUNT = "0123456789abcdef0123456789abcdef";

export interface UnsafeStackConfiguration {
  readonly why: string;
  /** The resources added to the stack. */
  readonly added: readonly TestResource[];
  readonly refusedBy: "aws-trust-registered-subjects" | "gcp-trust-registered-subjects";
}

const nativeRole = (sub: string, operator = "StringEquals"): TestResource =>
  role([
    {
      Effect: "Allow",
      Principal: { Federated: NATIVE_PROVIDER },
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: {
        StringEquals: { [`${NATIVE_PREFIX}:aud`]: "sts.amazonaws.com" },
        [operator]: { [`${NATIVE_PREFIX}:sub`]: sub },
      },
    },
  ]);
const nativePoolProvider = (props: Record<string, unknown>): TestResource => ({
  type: "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider",
  props: {
    workloadIdentityPoolId: "worker-identity",
    workloadIdentityPoolProviderId: "cfn-hand-written",
    oidc: { issuerUri: NATIVE_ISSUER },
    attributeMapping: { "google.subject": "assertion.sub" },
    ...props,
  },
});
const grant = (subject: string): TestResource => ({
  type: "gcp:serviceaccount/iAMMember:IAMMember",
  props: {
    serviceAccountId: SERVICE_ACCOUNT,
    role: USER,
    member: `principal://iam.googleapis.com/${POOL}/subject/${subject}`,
  },
});

export const unsafeStackCorpus: readonly UnsafeStackConfiguration[] = [
  {
    why: "a role trusting the native issuer's provider for a worker-identity subject (another issuer's sub)",
    added: [nativeRole(`worker/${DEV_ACCOUNT}/billing`)],
    refusedBy: "aws-trust-registered-subjects",
  },
  {
    why: "a role trusting every subject of the native issuer (StringLike *)",
    added: [nativeRole("cf:worker:*", "StringLike")],
    refusedBy: "aws-trust-registered-subjects",
  },
  {
    why: "a role trusting a look-alike of the registered native subject",
    added: [nativeRole(`${NATIVE_SUBJECT}0`)],
    refusedBy: "aws-trust-registered-subjects",
  },
  {
    why: "a role trusting the stack's own issuer for a subject no workload registers",
    added: [role([webIdentity(exact(`worker/${DEV_ACCOUNT}/ghost`))])],
    refusedBy: "aws-trust-registered-subjects",
  },
  {
    why: "an IAM OIDC provider for an issuer the stack neither runs nor registers",
    added: [
      {
        type: "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
        props: { url: "https://oidc.other.example", clientIdLists: ["sts.amazonaws.com"] },
      },
    ],
    refusedBy: "aws-trust-registered-subjects",
  },
  {
    why: "a native issuer's pool provider without attributeCondition: any Worker's native token enters the pool",
    added: [nativePoolProvider({})],
    refusedBy: "gcp-trust-registered-subjects",
  },
  {
    why: "a native issuer's pool provider whose condition admits everything",
    added: [nativePoolProvider({ attributeCondition: "true" })],
    refusedBy: "gcp-trust-registered-subjects",
  },
  {
    why: "a native issuer's pool provider admitting a subject no workload registers",
    added: [nativePoolProvider({ attributeCondition: `assertion.sub in ["${NATIVE_SUBJECT}", "cf:worker:other"]` })],
    refusedBy: "gcp-trust-registered-subjects",
  },
  {
    why: "a pool provider for an issuer the stack neither runs nor registers",
    added: [nativePoolProvider({ oidc: { issuerUri: "https://oidc.other.example" }, attributeCondition: "true" })],
    refusedBy: "gcp-trust-registered-subjects",
  },
  {
    why: "a service account grant to a look-alike of the registered native subject",
    added: [grant(`${NATIVE_SUBJECT}0`)],
    refusedBy: "gcp-trust-registered-subjects",
  },
  {
    why: "a service account grant to a worker-identity subject no workload registers",
    added: [grant(`worker/${DEV_ACCOUNT}/ghost`)],
    refusedBy: "gcp-trust-registered-subjects",
  },
];
