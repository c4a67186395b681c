// The bounds the stack configuration is checked against, in one block: every bound that another
// module must agree with (the issuer, the runtime config check, the Pulumi program, the policy
// pack, the tests) is here, and they read these names. What providers impose is provider-limits.ts.
// A reader may keep a pattern only it checks next to itself (a route's zone id in
// edge-middleware.ts), and messages spell bounds out in prose ("1 to 64 letters ...").

// ---- identity ---------------------------------------------------------------------------
/** Cloudflare account ids are 32 lowercase hex characters; the account is the trust boundary. */
export const ACCOUNT_ID_PATTERN = /^[0-9a-f]{32}$/;
/** Cloudflare script names; 63 characters so a name is also one DNS label (workers.dev). */
export const SCRIPT_NAME_PATTERN = /^[a-z0-9]([a-z0-9_-]{0,62})$/;
/** Longest script name, the bound inside SCRIPT_NAME_PATTERN (used to build suggestions). */
export const SCRIPT_NAME_MAX_LENGTH = 63;
/** The `environment` claim is compared verbatim by relying parties: keep it a plain token. */
export const ENVIRONMENT_PATTERN = /^[a-z0-9][a-z0-9_.-]{0,62}$/;
/** Longest environment name, the bound inside ENVIRONMENT_PATTERN (used to build suggestions). */
export const ENVIRONMENT_MAX_LENGTH = 63;
/** The issuer's own script name when none is configured. */
export const DEFAULT_ISSUER_SCRIPT_NAME = "worker-identity";

// ---- issuer location --------------------------------------------------------------------
/** DNS caps a hostname at 253 characters (RFC 1035, without the trailing dot). */
export const HOSTNAME_MAX_LENGTH = 253;
/** One DNS label: letters, digits and inner hyphens, at most 63 characters (RFC 1123). */
export const DNS_LABEL_PATTERN = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
/** Parent domain of every account's workers.dev subdomain. */
export const WORKERS_DEV_DOMAIN = "workers.dev";
/** TCP ports of a local issuer URL (port 0 means "any", which is not an address). */
export const MIN_PORT = 1;
export const MAX_PORT = 65_535;

// ---- signing and rotation ---------------------------------------------------------------
/** Both are accepted by AWS STS and GCP STS. */
export const SIGNING_ALGORITHMS = ["RS256", "ES256"] as const;
/** RS256 is what every relying party supports. */
export const DEFAULT_SIGNING_ALGORITHM = "RS256";
/** Rotating more than daily gains nothing over the overlap windows the timeline must keep. */
export const MIN_ROTATION_PERIOD_DAYS = 1;
/** A key older than a year is past every common key-management policy. */
export const MAX_ROTATION_PERIOD_DAYS = 365;
/** Monthly rotation. */
export const DEFAULT_ROTATION_PERIOD_DAYS = 30;

// ---- token lifetimes (seconds) ----------------------------------------------------------
/** Below a minute, clock skew between issuer and relying party eats the whole token. */
export const MIN_TOKEN_LIFETIME_SECONDS = 60;
/** 12 hours, AWS's longest role session: a token outliving it buys nothing but exposure. */
export const MAX_TOKEN_LIFETIME_CAP_SECONDS = 43_200;
/** Five minutes, enough for one exchange at AWS STS or GCP STS. */
export const DEFAULT_TOKEN_LIFETIME_SECONDS = 300;
/** One hour, the longest a token may live unless a stack raises the cap. */
export const DEFAULT_MAX_TOKEN_LIFETIME_SECONDS = 3_600;
/** Relying parties' clocks may be exact. */
export const MIN_CLOCK_SKEW_SECONDS = 0;
/** Five minutes; a clock further off than that is broken and should be fixed, not tolerated. */
export const MAX_CLOCK_SKEW_SECONDS = 300;
/** One minute, the usual JWT library leeway. */
export const DEFAULT_CLOCK_SKEW_SECONDS = 60;

// ---- audiences --------------------------------------------------------------------------
/** At least one: a workload without audiences could request no token at all. */
export const MIN_AUDIENCES_PER_WORKLOAD = 1;
/** Each token names one audience; a long allow-list is a sign of one identity shared by many. */
export const MAX_AUDIENCES_PER_WORKLOAD = 20;
/** Long enough for a GCP provider resource name (about 130 characters) and URLs. */
export const MAX_AUDIENCE_LENGTH = 255;
/** Audiences are compared verbatim: invisible characters would make two look alike. */
export const AUDIENCE_FORBIDDEN_CHARACTERS = /[\s\p{Cc}\p{Cf}]/u;

// ---- static claims ----------------------------------------------------------------------
/** Static claims describe the workload (team, tier); more than a handful is a data store. */
export const MAX_STATIC_CLAIMS = 20;
/** Claim names are keys in every token. */
export const MAX_CLAIM_NAME_LENGTH = 64;
/** Tokens travel in headers: keep each workload's static claims small. */
export const MAX_CLAIMS_JSON_BYTES = 4_096;
/** Nesting of a claim value; also stops a self-referencing YAML alias from recursing forever. */
export const MAX_CLAIM_VALUE_DEPTH = 16;
/** The claim AWS STS reads session tags from (AssumeRoleWithWebIdentity). */
export const AWS_SESSION_TAGS_CLAIM = "https://aws.amazon.com/tags";
/**
 * The claims the issuer writes (or reserves), which discovery advertises as claims_supported:
 * static claims may not override them.
 */
export const RESERVED_CLAIM_NAMES: readonly string[] = Object.freeze([
  "iss",
  "sub",
  "aud",
  "exp",
  "nbf",
  "iat",
  "jti",
  "account_id",
  "worker",
  "workflow",
  "instance_id",
  "environment",
  "cnf",
  AWS_SESSION_TAGS_CLAIM,
]);

// ---- AWS session tags (their characters and lengths: AWS_IAM in provider-limits.ts) ----
/** AWS STS accepts at most 50 session tags per AssumeRoleWithWebIdentity call. */
export const MAX_AWS_SESSION_TAGS = 50;

// ---- GCP --------------------------------------------------------------------------------
/** GCP maps `sub` to `google.subject`, which is at most 127 bytes of UTF-8. */
export const MAX_GCP_SUBJECT_BYTES = 127;

// ---- AWS federation (the `aws` key and each workload's `aws` section) --------------------
/** The audience AWS STS receives by default: the IAM OIDC provider's client id. */
export const DEFAULT_AWS_AUDIENCE = "sts.amazonaws.com";
/** An IAM OIDC provider's client id is 1 to 255 characters. */
export const MAX_AWS_AUDIENCE_LENGTH = 255;
/** Default role and service-account names are `wid-<workload>`. */
export const DEFAULT_CLOUD_NAME_PREFIX = "wid-";
// IAM role names, managed policy ARNs and the managed policies per role: AWS_IAM in
// provider-limits.ts (the validator reads the provider table, as the program and the fakes do).
export const MAX_IAM_ROLE_NAME_LENGTH = 64;
/** IAM inline policy names: the role-name characters, up to 128. */
export const IAM_POLICY_NAME_PATTERN = /^[\w+=,.@-]{1,128}$/;
/** The bound inside IAM_POLICY_NAME_PATTERN (used to build suggestions). */
export const IAM_POLICY_NAME_MAX_LENGTH = 128;
/** All inline policies of one role together, in characters without whitespace. */
export const MAX_ROLE_INLINE_POLICY_CHARACTERS = 10_240;
/** The current IAM policy language; the older 2008-10-17 lacks policy variables. */
export const IAM_POLICY_VERSION = "2012-10-17";
/** An IAM role's MaxSessionDuration: 1 to 12 hours. */
export const MIN_ROLE_SESSION_SECONDS = 3_600;
export const MAX_ROLE_SESSION_SECONDS = 43_200;
export const DEFAULT_ROLE_SESSION_SECONDS = 3_600;

// ---- GCP federation (the `gcp` key and each workload's `gcp` section) --------------------
/** GCP project ids: 6 to 30 lowercase letters, digits and '-', starting with a letter. */
export const GCP_PROJECT_ID_PATTERN = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
/** GCP project numbers: digits only. */
export const GCP_PROJECT_NUMBER_PATTERN = /^\d{1,20}$/;
/** Workload identity pool and provider ids: 4 to 32 of [a-z0-9-], starting with a letter. */
export const GCP_FEDERATION_ID_PATTERN = /^[a-z][a-z0-9-]{3,31}$/;
/** GCP reserves this prefix of pool and provider ids for itself. */
export const GCP_RESERVED_ID_PREFIX = "gcp-";
export const DEFAULT_GCP_POOL_ID = "worker-identity";
export const DEFAULT_GCP_PROVIDER_ID = "worker-identity";
/** Key types GCP accepts in a provider's inline JWKS. */
export const GCP_JWK_KEY_TYPES: readonly string[] = Object.freeze(["RSA", "EC"]);
/** JWK members that only private or symmetric keys have (RFC 7518 §6). */
export const JWK_PRIVATE_MEMBERS: readonly string[] = Object.freeze(["d", "p", "q", "dp", "dq", "qi", "k"]);
/** GCP service-account ids (the part before '@'): 6 to 30 characters. */
export const GCP_SERVICE_ACCOUNT_ID_PATTERN = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
export const MIN_GCP_SERVICE_ACCOUNT_ID_LENGTH = 6;
export const MAX_GCP_SERVICE_ACCOUNT_ID_LENGTH = 30;
/** User-managed service-account emails end in this. */
export const GCP_SERVICE_ACCOUNT_EMAIL_PATTERN =
  /^[a-z0-9][a-z0-9._-]*@[a-z0-9][a-z0-9.-]*\.iam\.gserviceaccount\.com$/;
/** Predefined roles, and custom roles of a project or an organization. */
export const GCP_ROLE_PATTERN = /^(roles|projects\/[^/]+\/roles|organizations\/\d+\/roles)\/[\w.]+$/;

// ---- mTLS (the `mtls` key and each workload's `mtls` section) ---------------------------
/** Workload certificates are short-lived: renewed by `pulumi up` once a third of their life is left. */
export const MIN_MTLS_CERTIFICATE_VALIDITY_DAYS = 3;
export const MAX_MTLS_CERTIFICATE_VALIDITY_DAYS = 90;
export const DEFAULT_MTLS_CERTIFICATE_VALIDITY_DAYS = 30;
/** The stack's CA signs the workload certificates; origins trust its bundle. */
export const MIN_MTLS_CA_VALIDITY_DAYS = 30;
export const MAX_MTLS_CA_VALIDITY_DAYS = 3_650;
export const DEFAULT_MTLS_CA_VALIDITY_DAYS = 365;
/** A CA must live this many times as long as any certificate it signs, so CA rotation overlaps. */
export const MTLS_CA_VALIDITY_FACTOR = 3;
/** SPIFFE trust domain names: lowercase letters, digits, '.', '-' and '_' (SPIFFE-ID §2.1). */
export const SPIFFE_TRUST_DOMAIN_PATTERN = /^[a-z0-9._-]+$/;
/** SPIFFE trust domain names should not be longer than 255 characters. */
export const MAX_SPIFFE_TRUST_DOMAIN_LENGTH = 255;

// ---- workflows (the `workflows` key) ------------------------------------------------------
/** Cloudflare's rule for Workflow names (wrangler and the Workflows API enforce it). */
export const WORKFLOW_NAME_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/;
export const MAX_WORKFLOW_NAME_LENGTH = 64;
/** Cloudflare's rule for Workflow instance ids: at most 100 of [A-Za-z0-9_-], not starting with '-'. */
export const INSTANCE_ID_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/;
export const MAX_CLOUDFLARE_INSTANCE_ID_LENGTH = 100;
/** Instance ids longer than this are refused at issuance; it bounds the workflow subject's length. */
export const DEFAULT_MAX_INSTANCE_ID_LENGTH = 64;
/** A random UUID (Cloudflare's default instance id) must fit. */
export const MIN_MAX_INSTANCE_ID_LENGTH = 36;
/** JavaScript class names a Workflow's `className` may have (it is an export of its script). */
export const CLASS_NAME_PATTERN = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

// ---- introspection (the `introspectionClients` key) ---------------------------------------
/** A client id travels in HTTP Basic credentials (no ':'), and names a Worker secret's member. */
export const INTROSPECTION_CLIENT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** Relying parties allowed to introspect; more than a few dozen is a sign of a shared secret. */
export const MAX_INTROSPECTION_CLIENTS = 50;
/** Characters of each client's generated secret (letters and digits: about 285 bits). */
export const INTROSPECTION_SECRET_LENGTH = 48;
