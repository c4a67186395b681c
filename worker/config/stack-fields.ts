// The top level of a stack's configuration: one reader per key of the project's namespace, the
// keys a stack may set and nothing else (validate.ts reads them, then resolves what they mean).

import { ACCESS_STACK_KEY_EMPTY, readAccessSettings } from "./access.js";
import { AWS_STACK_KEY_EMPTY, readAwsSettings } from "./aws.js";
import { AZURE_STACK_KEY_EMPTY, readAzureSettings } from "./azure.js";
import { readEdgeMiddleware } from "./edge-middleware.js";
import { type FieldReader, integerField, readString } from "./fields.js";
import { GCP_STACK_KEY_EMPTY, readGcpSettings } from "./gcp.js";
import { readIntrospectionClients } from "./introspection-clients.js";
import { readIssuerHostname, readWorkersDevSubdomain } from "./issuer-url.js";
import { KEY_ENCRYPTION_KEY_STACK_KEY_EMPTY, readKeyEncryptionKeySettings } from "./key-encryption-key.js";
import {
  ACCOUNT_ID_PATTERN,
  DEFAULT_CLOCK_SKEW_SECONDS,
  DEFAULT_MAX_INSTANCE_ID_LENGTH,
  DEFAULT_MAX_TOKEN_LIFETIME_SECONDS,
  DEFAULT_ROTATION_PERIOD_DAYS,
  DEFAULT_SIGNING_ALGORITHM,
  DEFAULT_TOKEN_LIFETIME_SECONDS,
  ENVIRONMENT_MAX_LENGTH,
  ENVIRONMENT_PATTERN,
  MAX_CLOCK_SKEW_SECONDS,
  MAX_CLOUDFLARE_INSTANCE_ID_LENGTH,
  MAX_ROTATION_PERIOD_DAYS,
  MAX_TOKEN_LIFETIME_CAP_SECONDS,
  MIN_CLOCK_SKEW_SECONDS,
  MIN_MAX_INSTANCE_ID_LENGTH,
  MIN_ROTATION_PERIOD_DAYS,
  MIN_TOKEN_LIFETIME_SECONDS,
  SIGNING_ALGORITHMS,
} from "./limits.js";
import { MTLS_STACK_KEY_EMPTY, readMtlsSettings } from "./mtls.js";
import { readRegistryPath } from "./registry-documents.js";
import { scriptNameProblem } from "./script-name.js";
import type { SigningAlgorithm } from "./types.js";
import { readVaultSettings, VAULT_STACK_KEY_EMPTY } from "./vault.js";
import { readWorkflows } from "./workflows.js";
import { readWorkloads } from "./workloads.js";

const readAccountId: FieldReader<string> = (value, key, issues) => {
  const expected =
    "your Cloudflare account id, 32 lowercase hex characters (copy it from the dashboard: Account details)";
  const id = readString(value, key, issues, expected);
  if (id === undefined || ACCOUNT_ID_PATTERN.test(id)) return id;
  const lower = id.trim().toLowerCase();
  issues.add(
    key,
    ACCOUNT_ID_PATTERN.test(lower)
      ? `must be lowercase, without spaces: '${lower}'`
      : `is ${JSON.stringify(id)}, but must be ${expected}`,
  );
  return undefined;
};

/** Empty means "the stack name", which is how Pulumi.yaml declares its default. */
const readEnvironment: FieldReader<string> = (value, key, issues) => {
  const environment = readString(value, key, issues, "an environment name such as prod");
  if (environment === undefined || environment === "" || ENVIRONMENT_PATTERN.test(environment)) {
    return environment === "" ? undefined : environment;
  }
  issues.add(
    key,
    `is ${JSON.stringify(environment)}, but ${ENVIRONMENT_RULE}; e.g. '${suggestEnvironment(environment)}'`,
  );
  return undefined;
};

export const ENVIRONMENT_RULE =
  "an environment name must be 1 to 63 lowercase letters, digits, '_', '.' or '-', starting with a letter or digit";

export function suggestEnvironment(name: string): string {
  const candidate = name
    .toLowerCase()
    .replace(/[^a-z0-9_.-]+/g, "-")
    .replace(/^[^a-z0-9]+/, "")
    .slice(0, ENVIRONMENT_MAX_LENGTH)
    .replace(/[^a-z0-9]+$/, "");
  return ENVIRONMENT_PATTERN.test(candidate) ? candidate : "prod";
}

const readIssuerScriptName: FieldReader<string> = (value, key, issues) => {
  const name = readString(value, key, issues, "the issuer's Worker script name, such as worker-identity");
  if (name === undefined) return undefined;
  const problem = scriptNameProblem(name);
  if (problem === undefined) return name;
  issues.add(key, problem);
  return undefined;
};

const readSigningAlgorithm: FieldReader<SigningAlgorithm> = (value, key, issues) => {
  const expected = `${SIGNING_ALGORITHMS.join(" or ")} (both accepted by AWS STS and GCP STS)`;
  const text = readString(value, key, issues, expected);
  if (text === undefined) return undefined;
  const match = SIGNING_ALGORITHMS.find((algorithm) => algorithm === text);
  if (match !== undefined) return match;
  const upper = SIGNING_ALGORITHMS.find((algorithm) => algorithm === text.trim().toUpperCase());
  issues.add(
    key,
    upper !== undefined
      ? `must be written '${upper}'`
      : `is ${JSON.stringify(text)}, but must be ${expected}; remove it to use ${DEFAULT_SIGNING_ALGORITHM}, the default`,
  );
  return undefined;
};

/** One entry per key of our namespace: the keys a stack may set, and nothing else. */
export const STACK_FIELDS = {
  accountId: {
    read: readAccountId,
    required: "is missing; set it to your Cloudflare account id (32 hex characters): pulumi config set accountId <id>",
  },
  environment: { read: readEnvironment },
  issuerHostname: { read: readIssuerHostname },
  workersDevSubdomain: { read: readWorkersDevSubdomain },
  issuerScriptName: { read: readIssuerScriptName },
  signingAlgorithm: { read: readSigningAlgorithm },
  rotationPeriodDays: integerField({
    min: MIN_ROTATION_PERIOD_DAYS,
    max: MAX_ROTATION_PERIOD_DAYS,
    unit: "days",
    fix: `set it to ${DEFAULT_ROTATION_PERIOD_DAYS} for monthly rotation`,
  }),
  tokenLifetimeSeconds: integerField({
    min: MIN_TOKEN_LIFETIME_SECONDS,
    max: MAX_TOKEN_LIFETIME_CAP_SECONDS,
    unit: "seconds",
    fix: `set it to ${DEFAULT_TOKEN_LIFETIME_SECONDS} (5 minutes), the default`,
  }),
  maxTokenLifetimeSeconds: integerField({
    min: MIN_TOKEN_LIFETIME_SECONDS,
    max: MAX_TOKEN_LIFETIME_CAP_SECONDS,
    unit: "seconds",
    fix: `set it to ${DEFAULT_MAX_TOKEN_LIFETIME_SECONDS} (1 hour), the default`,
  }),
  clockSkewSeconds: integerField({
    min: MIN_CLOCK_SKEW_SECONDS,
    max: MAX_CLOCK_SKEW_SECONDS,
    unit: "seconds",
    fix: `set it to ${DEFAULT_CLOCK_SKEW_SECONDS}, the default`,
  }),
  /** Present (even `{}`): the stack federates AWS. */
  aws: { read: readAwsSettings, empty: AWS_STACK_KEY_EMPTY },
  /** Present: the stack federates GCP. */
  gcp: { read: readGcpSettings, empty: GCP_STACK_KEY_EMPTY },
  /** Present: the stack federates Microsoft Entra ID (the tenant; workloads' `azure` sections get FICs). */
  azure: { read: readAzureSettings, empty: AZURE_STACK_KEY_EMPTY },
  /** Present: the stack federates HashiCorp Vault (a JWT auth method; workloads' `vault` sections get roles). */
  vault: { read: readVaultSettings, empty: VAULT_STACK_KEY_EMPTY },
  /** The stack's mTLS certificate authority; workloads opt in with their own `mtls` section. */
  mtls: { read: readMtlsSettings, empty: MTLS_STACK_KEY_EMPTY },
  /** Required unless the registry files define workloads (checked after merging them). */
  workloads: { read: readWorkloads },
  /** A file or folder (relative to the project directory) of workloads:/workflows: documents (registry-documents.ts). */
  registry: { read: readRegistryPath },
  /** Workflow name → {script, className, audiences, …}: instances get workflow/<account>/<name>/<id>. */
  workflows: { read: readWorkflows },
  maxInstanceIdLength: integerField({
    min: MIN_MAX_INSTANCE_ID_LENGTH,
    max: MAX_CLOUDFLARE_INSTANCE_ID_LENGTH,
    unit: "characters",
    fix: `set it to ${DEFAULT_MAX_INSTANCE_ID_LENGTH}, the default (a random UUID, Cloudflare's default id, has 36)`,
  }),
  /** Relying parties that may call POST /introspect; their secrets are in INTROSPECTION_SECRETS. */
  introspectionClients: { read: readIntrospectionClients },
  /** The relying-party Worker the program deploys in front of an API. */
  edgeMiddleware: { read: readEdgeMiddleware },
  /** Cloudflare Access in front of the operator page (/admin/): the team domain and the application's AUD tag. */
  access: { read: readAccessSettings, empty: ACCESS_STACK_KEY_EMPTY },
  /** The KEK generation that seals the signing keys, and the previous one during a KEK rotation. */
  keyEncryptionKey: { read: readKeyEncryptionKeySettings, empty: KEY_ENCRYPTION_KEY_STACK_KEY_EMPTY },
} as const;

/** The keys a stack may set in the project's namespace. */
export const STACK_CONFIG_KEYS: readonly string[] = Object.freeze(Object.keys(STACK_FIELDS));
