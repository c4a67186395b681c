// What the real providers refuse, in one table: every number and pattern the program, the stack
// validator and the test suite's provider fakes (test/support/fakes/) hold a deploy to, each with
// the public source it comes from. A limit that is a default quota (raisable on request) says so:
// the validator warns past it instead of refusing.
//
// Pure data: the validator, the program and the fakes import it; nothing here touches Pulumi. It
// lives in the config kernel so the validator never imports the Pulumi program (infra/).
// The relying parties beyond AWS and GCP keep their tables beside their config: entra-limits.ts,
// vault-limits.ts.

import { limit } from "./provider-limit.js";

export type { ProviderLimit } from "./provider-limit.js";

// ---- Cloudflare Workers -----------------------------------------------------------------
export const CLOUDFLARE = Object.freeze({
  /** One environment variable, plain or secret text. */
  textBindingBytes: limit(5 * 1_024, "Cloudflare Workers limits page, 'Environment variables': 5 KB per variable"),
  /** Environment variables per Worker on the paid plan (64 on the free plan). */
  textBindingsPerWorker: limit(
    128,
    "Cloudflare Workers limits page, 'Environment variables': 128 per Worker (paid), 64 (free)",
  ),
  /** Workers per account on the paid plan (100 on the free plan). */
  workersPerAccount: limit(500, "Cloudflare Workers limits page, 'Number of Workers': 500 (paid), 100 (free)", true),
  /** A script after compression (gzip) on the paid plan (3 MB on the free plan). */
  scriptCompressedBytes: limit(
    10 * 1_024 * 1_024,
    "Cloudflare Workers limits page, 'Worker size': 10 MB compressed (paid), 3 MB (free)",
  ),
  /** A binding name is the `env` property the Worker reads: a JavaScript identifier. */
  bindingName: limit(
    /^[A-Za-z_$][A-Za-z0-9_$]*$/,
    "terraform-provider-cloudflare v5 workers_script schema, bindings[].name: 'A JavaScript variable name for the binding'; Cloudflare Workers KV docs: a valid JavaScript variable name (wrangler's check: cloudflare/wrangler-legacy#686)",
  ),
  /** The binding types the Workers script upload API knows (`bindings[].type`). */
  bindingTypes: limit(
    Object.freeze([
      "ai",
      "ai_search",
      "ai_search_namespace",
      "messaging",
      "analytics_engine",
      "artifacts",
      "assets",
      "browser",
      "d1",
      "data_blob",
      "dispatch_namespace",
      "durable_object_namespace",
      "hyperdrive",
      "inherit",
      "images",
      "json",
      "kv_namespace",
      "media",
      "mtls_certificate",
      "plain_text",
      "pipelines",
      "k2",
      "queue",
      "ratelimit",
      "r2_bucket",
      "secret_text",
      "send_email",
      "service",
      "text_blob",
      "vectorize",
      "version_metadata",
      "secrets_store_secret",
      "flagship",
      "secret_key",
      "workflow",
      "wasm_module",
      "vpc_service",
      "vpc_network",
    ] as const),
    "@pulumi/cloudflare 6.22 WorkersScriptBinding.type, 'Available values' (terraform-provider-cloudflare v5 workers_script schema)",
  ),
  /** Script names: lowercase letters, digits, '-' and '_', at most 63. */
  scriptName: limit(
    /^[a-z0-9][a-z0-9_-]{0,62}$/,
    "Cloudflare API, Workers scripts: invalid_script_name [code: 10016] (cloudflare/serverless-cloudflare-workers#41); worker/config/limits.ts SCRIPT_NAME_PATTERN",
  ),
  /** An upload's `old_tag` must be the script's current migration tag. */
  migrationTagPrecondition: limit(
    10_079,
    "Cloudflare API, Workers script upload metadata.migrations.old_tag; 'Migration tag precondition failed; current tag is v1 [code: 10079]' (cloudflare/workers-sdk#705, #6953)",
  ),
  /** Account identifiers in API paths. */
  accountId: limit(
    /^[0-9a-f]{32}$/,
    "Cloudflare API reference, account_id: Identifier, a 32-character hexadecimal string (maxLength 32)",
  ),
  /** A KV namespace's title, unique in its account. */
  kvNamespaceTitle: limit(
    512,
    "Cloudflare API reference, Workers KV namespace create: title maxLength 512; 'a namespace with this account ID and title already exists' [code: 10014]",
  ),
  /** A Durable Object binding to the script's own class needs a migration that created the class. */
  durableObjectClassMigrated: limit(
    10_061,
    "Cloudflare Durable Objects docs, migrations: 'Cannot create binding for class … because it is not currently configured to implement durable objects' [code: 10061]",
  ),
});

// ---- AWS IAM ----------------------------------------------------------------------------
export const AWS_IAM = Object.freeze({
  /** Characters allowed in a tag key or value (no `*`). */
  tagCharacters: limit(
    /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u,
    "IAM API reference, data type Tag: Key and Value pattern [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*",
  ),
  tagKeyLength: limit({ min: 1, max: 128 }, "IAM API reference, data type Tag: Key length 1-128"),
  tagValueLength: limit({ min: 0, max: 256 }, "IAM API reference, data type Tag: Value length 0-256"),
  tagsPerResource: limit(50, "IAM User Guide, IAM and AWS STS quotas: 50 tags per IAM resource"),
  /** Default quota: roles per account. */
  rolesPerAccount: limit(1_000, "IAM User Guide, IAM and AWS STS quotas: roles in an AWS account, default 1,000", true),
  /** Default quota: managed policies attached to one role (up to 20 on request). */
  managedPoliciesPerRole: limit(
    10,
    "IAM User Guide, IAM and AWS STS quotas: managed policies attached to an IAM role, default 10 (max 20)",
    true,
  ),
  /** A role's description: at most 1,000 characters of tab, newline and Latin-1 printables. */
  roleDescriptionLength: limit(1_000, "IAM API reference, CreateRole: Description length 0-1000"),
  roleDescriptionCharacters: limit(
    // biome-ignore lint/suspicious/noControlCharactersInRegex: IAM allows tab, LF and CR; the pattern is the API reference's
    /^[\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*$/,
    "IAM API reference, CreateRole: Description pattern [\\u0009\\u000A\\u000D\\u0020-\\u007E\\u00A1-\\u00FF]*",
  ),
  /** The highest the managed-policies quota can be raised to. */
  managedPoliciesPerRoleMax: limit(
    20,
    "IAM User Guide, IAM and AWS STS quotas: managed policies per role, raisable to 20",
  ),
  /** Role and inline policy names. */
  roleName: limit(/^[\w+=,.@-]{1,64}$/, "IAM API reference, CreateRole: RoleName length 1-64, pattern [\\w+=,.@-]+"),
  rolePath: limit(
    /^(?:\/|\/[\u0021-\u007E]{1,510}\/)$/,
    "IAM API reference, CreateRole: Path length 1-512, pattern (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)",
  ),
  /** Counted as IAM counts it: white space is not counted. */
  trustPolicyCharacters: limit(
    2_048,
    "IAM User Guide, IAM and AWS STS quotas: 'Role trust policy length', 2,048 characters by default (raisable); the page's note 'IAM doesn't count white space when calculating the size of a policy against these limits' is written under the inline and managed policy sizes, and the fake counts trust policies the same way",
    true,
  ),
  /** All inline policies of one role together, white space not counted. */
  inlinePoliciesPerRoleCharacters: limit(
    10_240,
    "IAM User Guide, IAM and AWS STS quotas: role policy size cannot exceed 10,240 characters (aggregate of a role's inline policies)",
  ),
  inlinePolicyName: limit(
    /^[\w+=,.@-]{1,128}$/,
    "IAM API reference, PutRolePolicy: PolicyName length 1-128, pattern [\\w+=,.@-]+",
  ),
  /** Characters a policy document may contain. */
  policyDocumentCharacters: limit(
    // biome-ignore lint/suspicious/noControlCharactersInRegex: IAM allows tab, LF and CR; the pattern is the API reference's
    /^[\u0009\u000A\u000D\u0020-\u00FF]+$/,
    "IAM API reference, CreateRole: AssumeRolePolicyDocument pattern [\\u0009\\u000A\\u000D\\u0020-\\u00FF]+",
  ),
  maxSessionDurationSeconds: limit(
    { min: 3_600, max: 43_200 },
    "IAM API reference, CreateRole: MaxSessionDuration 3600-43200",
  ),
  managedPolicyArn: limit(
    /^arn:aws(?:-cn|-us-gov)?:iam::(?:aws|\d{12}):policy\/(?:[\u0021-\u007E]+\/)?[\w+=,.@-]{1,128}$/,
    "IAM API reference, AttachRolePolicy: PolicyArn (ARN format, IAM identifiers: arn:<partition>:iam::<account>|aws:policy/<path><name>)",
  ),
  /** The reserved tag prefix. */
  reservedTagPrefix: limit("aws:", "IAM User Guide, tagging IAM resources: the aws: prefix is reserved for AWS use"),
  oidcProviderUrl: limit(
    255,
    "IAM API reference, CreateOpenIDConnectProvider: Url length 1-255, https only; no port, query or fragment",
  ),
  oidcClientIdsPerProvider: limit(
    100,
    "IAM API reference, CreateOpenIDConnectProvider: 'You cannot register more than 100 client IDs with a single IAM OIDC provider'",
  ),
  oidcClientIdLength: limit(
    { min: 1, max: 255 },
    "IAM API reference, CreateOpenIDConnectProvider: client IDs up to 255 characters",
  ),
  oidcThumbprintsPerProvider: limit(
    5,
    "IAM API reference, CreateOpenIDConnectProvider: ThumbprintList, up to five thumbprints",
  ),
  oidcThumbprint: limit(
    /^[0-9A-Fa-f]{40}$/,
    "IAM API reference, CreateOpenIDConnectProvider: a thumbprint is the hex SHA-1 of a certificate, always 40 characters",
  ),
});

// ---- GCP IAM ----------------------------------------------------------------------------
export const GCP_IAM = Object.freeze({
  serviceAccountId: limit(
    /^[a-z](?:[-a-z0-9]{4,28}[a-z0-9])$/,
    "IAM API reference, projects.serviceAccounts.create: accountId must be 6-30 characters matching ^[a-z](?:[-a-z0-9]{4,28}[a-z0-9])$",
  ),
  /** An account id is unique in its project (a deleted one frees it). */
  serviceAccountIdUnique: limit(
    true,
    "IAM API reference, projects.serviceAccounts.create: accountId is unique within the project (409 ALREADY_EXISTS)",
  ),
  serviceAccountDisplayName: limit(100, "IAM API reference, ServiceAccount.displayName: at most 100 UTF-8 bytes"),
  serviceAccountDescription: limit(256, "IAM API reference, ServiceAccount.description: at most 256 UTF-8 bytes"),
  serviceAccountsPerProject: limit(100, "IAM quotas and limits: service accounts per project, default 100", true),
  /** Pool and provider ids. */
  workloadIdentityId: limit(
    /^[a-z0-9-]{4,32}$/,
    "IAM API reference, workloadIdentityPools.create and providers.create: 4-32 characters of [a-z0-9-]; the prefix gcp- is reserved",
  ),
  reservedIdPrefix: limit(
    "gcp-",
    "IAM API reference, workloadIdentityPools.create: the prefix gcp- is reserved for use by Google",
  ),
  poolDisplayName: limit(32, "IAM API reference, WorkloadIdentityPool.displayName: at most 32 characters"),
  poolDescription: limit(256, "IAM API reference, WorkloadIdentityPool.description: at most 256 characters"),
  providerDisplayName: limit(32, "IAM API reference, WorkloadIdentityPoolProvider.displayName: at most 32 characters"),
  providerDescription: limit(
    256,
    "IAM API reference, WorkloadIdentityPoolProvider.description: at most 256 characters",
  ),
  /** The attributes a mapping may set: google.subject (required for OIDC), the other google.* ones, and attribute.<name>. */
  attributeMappingKeys: limit(
    Object.freeze(["google.subject", "google.groups", "google.display_name", "google.profile_photo"] as const),
    "IAM API reference, WorkloadIdentityPoolProvider.attributeMapping: keys are google.subject, google.groups, google.display_name, google.profile_photo or attribute.<name>; 'For OIDC providers, you must supply a custom mapping that includes the google.subject attribute'",
  ),
  customAttributes: limit(
    50,
    "IAM API reference, WorkloadIdentityPoolProvider.attributeMapping: 'You can define a maximum of 50 custom attributes'",
  ),
  customAttributeKey: limit(
    /^[a-z0-9_]{1,100}$/,
    "IAM API reference, WorkloadIdentityPoolProvider.attributeMapping: a mapped attribute key is at most 100 characters of [a-z0-9_]",
  ),
  attributeMappingExpression: limit(
    2_048,
    "IAM API reference, WorkloadIdentityPoolProvider.attributeMapping: 'The maximum length of an attribute mapping expression is 2048 characters'",
  ),
  attributeCondition: limit(
    4_096,
    "IAM API reference, WorkloadIdentityPoolProvider.attributeCondition: 'The maximum length of the attribute condition expression is 4096 characters'",
  ),
  allowedAudiences: limit(
    10,
    "IAM API reference, Oidc.allowedAudiences: 'A maximum of 10 audiences may be configured'",
  ),
  allowedAudienceLength: limit(
    256,
    "IAM API reference, Oidc.allowedAudiences: 'Each audience may be at most 256 characters'",
  ),
  /** A deleted pool or provider id stays taken (soft-deleted, undeletable) this long. */
  softDeleteDays: limit(
    30,
    "IAM docs, managing workload identity pools: a deleted pool can be undeleted for 30 days, and its id cannot be reused until it is purged",
  ),
  /** The principal identifiers an allow policy accepts (workload identity federation names the pool by project number). */
  members: limit(
    Object.freeze({
      serviceAccount: /^serviceAccount:[^@\s]+@[a-z0-9.-]+\.gserviceaccount\.com$/,
      user: /^user:[^@\s]+@[^@\s]+\.[^@\s]+$/,
      group: /^group:[^@\s]+@[^@\s]+\.[^@\s]+$/,
      domain: /^domain:[a-z0-9-]+(?:\.[a-z0-9-]+)+$/,
      principal:
        /^principal:\/\/iam\.googleapis\.com\/projects\/\d+\/locations\/global\/workloadIdentityPools\/[a-z0-9-]{4,32}\/subject\/.+$/,
      principalSet:
        /^principalSet:\/\/iam\.googleapis\.com\/projects\/\d+\/locations\/global\/workloadIdentityPools\/[a-z0-9-]{4,32}\/(?:\*|group\/.+|attribute\.[a-z0-9_]{1,100}\/.+)$/,
    }),
    "IAM docs, principal identifiers: serviceAccount:, user:, group:, domain:, and for workload identity federation principal://iam.googleapis.com/projects/PROJECT_NUMBER/locations/global/workloadIdentityPools/POOL_ID/subject/SUBJECT and principalSet://…/group/GROUP | attribute.NAME/VALUE | *",
  ),
  /** google.subject, which a principal:// identifier carries. */
  subjectBytes: limit(
    127,
    "IAM API reference, WorkloadIdentityPoolProvider.attributeMapping: google.subject cannot exceed 127 bytes",
  ),
  /** Roles a grant names. */
  role: limit(
    /^(?:roles\/[A-Za-z0-9_.]+|(?:projects|organizations)\/[a-z0-9.:-]+\/roles\/[A-Za-z0-9_.]+)$/,
    "IAM docs, understanding roles: predefined roles/<service>.<role>, custom projects/<project>/roles/<id> or organizations/<org>/roles/<id>",
  ),
});

// ---- Pulumi engine ----------------------------------------------------------------------
export const PULUMI_ENGINE = Object.freeze({
  /** The stack config reaches the program in one environment variable (PULUMI_CONFIG, `NAME=value` plus its NUL). */
  configEnvironmentBytes: limit(
    128 * 1_024,
    "Linux MAX_ARG_STRLEN (32 pages, 131,072 bytes) per environment string: 'argument list too long' (pulumi/pulumi#8680, #20402)",
  ),
});
