// The one loader of a stack's identity configuration: from the raw `config:` map of a Pulumi
// stack file to a resolved, frozen StackConfig, or one ConfigError listing every problem.
// Pure (no I/O, no clock, no Node built-ins): the issuer Worker runs it in workerd on the map
// the local stack or the Pulumi program hands it, and they run it too before deploying.

import { AWS_STACK_KEY_EMPTY, readAwsSettings } from "./aws.js";
import { deepFreeze } from "./deep-freeze.js";
import { readEdgeMiddleware } from "./edge-middleware.js";
import { reportUnregisteredRuleNames } from "./edge-middleware-registry.js";
import { type FieldReader, integerField, readSection, readString } from "./fields.js";
import { GCP_STACK_KEY_EMPTY, readGcpSettings } from "./gcp.js";
import { reportMisnumberedGcpAudiences } from "./gcp-audiences.js";
import { readIntrospectionClients } from "./introspection-clients.js";
import {
  isHostnameLabel,
  localIssuerUrlProblem,
  readIssuerHostname,
  readWorkersDevSubdomain,
  workersDevUrl,
} from "./issuer-url.js";
import { IssueCollector } from "./issues.js";
import { topLevelKey } from "./key-path.js";
import {
  ACCOUNT_ID_PATTERN,
  DEFAULT_CLOCK_SKEW_SECONDS,
  DEFAULT_ISSUER_SCRIPT_NAME,
  DEFAULT_MAX_INSTANCE_ID_LENGTH,
  DEFAULT_MAX_TOKEN_LIFETIME_SECONDS,
  DEFAULT_ROTATION_PERIOD_DAYS,
  DEFAULT_SIGNING_ALGORITHM,
  DEFAULT_TOKEN_LIFETIME_SECONDS,
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
import { defaultTrustDomain, MTLS_STACK_KEY_EMPTY, readMtlsSettings, resolveMtls } from "./mtls.js";
import {
  mergeRegistryEntries,
  type RegistryFileEntries,
  type RegistrySource,
  readRegistryDocuments,
  readRegistryPath,
} from "./registry-documents.js";
import { scriptNameProblem } from "./script-name.js";
import { closestName } from "./suggest.js";
import type { SigningAlgorithm, StackConfig } from "./types.js";
import { readWorkflows, resolveWorkflows } from "./workflows.js";
import { readWorkloads, resolveWorkloads } from "./workloads.js";

export interface ValidateOptions {
  /** The Pulumi project name: the namespace of our keys (`<project>:accountId`). */
  readonly project: string;
  /** The stack name; also the default `environment`. */
  readonly stack: string;
  /** Serve `iss` from here instead (local stack): http://127.0.0.1:<port>, http://localhost:<port> or an https origin. */
  readonly localIssuerUrl?: string;
  /** The documents the `registry` key names, as the Node side read them (registry-files.ts); required when the key is set. */
  readonly registry?: RegistrySource;
}

const WORKLOADS_MISSING =
  "is missing; add at least one workload, e.g. workloads: {billing: {audiences: [sts.amazonaws.com]}}";

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

const ENVIRONMENT_RULE =
  "an environment name must be 1 to 63 lowercase letters, digits, '_', '.' or '-', starting with a letter or digit";

function suggestEnvironment(name: string): string {
  const candidate = name
    .toLowerCase()
    .replace(/[^a-z0-9_.-]+/g, "-")
    .replace(/^[^a-z0-9]+/, "")
    .slice(0, 63)
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
const STACK_FIELDS = {
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
} as const;

/** The keys a stack may set in the project's namespace. */
export const STACK_CONFIG_KEYS: readonly string[] = Object.freeze(Object.keys(STACK_FIELDS));

export function validateStackConfig(raw: Readonly<Record<string, unknown>>, options: ValidateOptions): StackConfig {
  const { project, stack, localIssuerUrl } = options;
  if (project === "" || stack === "") throw new TypeError("validateStackConfig: project and stack must be non-empty");
  const issues = new IssueCollector();
  const key = (name: string): string => topLevelKey(project, name);
  const entries = ourEntries(raw, project, issues);
  const fields = readSection(entries, STACK_FIELDS, issues, { what: `a ${project} setting`, keyOf: key });
  const unset = (name: string): boolean => {
    const value = entries.get(name);
    return value === undefined || value === "";
  };
  /** The value read, its default when unset, or undefined when given but invalid. */
  function settled<T>(name: string, value: T | undefined, fallback: T): T | undefined {
    return value ?? (unset(name) ? fallback : undefined);
  }

  let environment = fields.environment;
  if (unset("environment")) {
    if (ENVIRONMENT_PATTERN.test(stack)) environment = stack;
    else
      issues.add(
        key("environment"),
        `is not set, and the stack name '${stack}' cannot be its default (${ENVIRONMENT_RULE}); ` +
          `set it: pulumi config set environment ${suggestEnvironment(stack)}`,
      );
  }

  const scriptName = settled("issuerScriptName", fields.issuerScriptName, DEFAULT_ISSUER_SCRIPT_NAME);
  const maxLifetime = settled(
    "maxTokenLifetimeSeconds",
    fields.maxTokenLifetimeSeconds,
    DEFAULT_MAX_TOKEN_LIFETIME_SECONDS,
  );
  // A fixed default, not min(default, max): Pulumi writes Pulumi.yaml's default into the stack,
  // so a computed default here would make the local stack accept what `pulumi up` refuses.
  let tokenLifetime = settled("tokenLifetimeSeconds", fields.tokenLifetimeSeconds, DEFAULT_TOKEN_LIFETIME_SECONDS);
  if (tokenLifetime !== undefined && maxLifetime !== undefined && tokenLifetime > maxLifetime) {
    const shown = unset("tokenLifetimeSeconds") ? `not set, so ${tokenLifetime} (the default)` : `${tokenLifetime}`;
    issues.add(
      key("tokenLifetimeSeconds"),
      `is ${shown}, above maxTokenLifetimeSeconds (${maxLifetime}); ` +
        `set it to at most ${maxLifetime}, or raise maxTokenLifetimeSeconds`,
    );
    tokenLifetime = undefined;
  }

  const issuerUrl = resolveIssuerUrl(fields, scriptName, unset, localIssuerUrl, key, issues);

  const files = registryFiles(fields.registry, unset("registry"), options.registry, key("registry"), issues);
  const workloadEntries = mergeRegistryEntries([fields.workloads ?? [], files.workloads], "workload", issues);
  const workflowEntries = mergeRegistryEntries([fields.workflows ?? [], files.workflows], "workflow", issues);
  if (workloadEntries.length === 0 && unset("workloads") && (options.registry?.problems.length ?? 0) === 0) {
    issues.add(
      key("workloads"),
      unset("registry")
        ? WORKLOADS_MISSING
        : `${WORKLOADS_MISSING}, in the stack config or in the registry files${fields.registry === undefined ? "" : ` (${fields.registry})`}`,
    );
  }

  const registry = resolveWorkloads(
    workloadEntries,
    {
      accountId: fields.accountId,
      scriptName,
      tokenLifetimeSeconds: tokenLifetime,
      maxTokenLifetimeSeconds: maxLifetime,
      aws: { key: key("aws"), configured: entries.get("aws") !== undefined, settings: fields.aws },
      gcp: { key: key("gcp"), configured: entries.get("gcp") !== undefined, settings: fields.gcp },
    },
    issues,
  );
  const subdomain = fields.workersDevSubdomain;
  const mtls = resolveMtls(
    {
      key: key("mtls"),
      configured: entries.get("mtls") !== undefined,
      settings: fields.mtls,
      defaultTrustDomain: defaultTrustDomain(
        fields.issuerHostname,
        subdomain !== undefined && scriptName !== undefined ? workersDevUrl(scriptName, subdomain) : undefined,
        localIssuerUrl,
      ),
    },
    workloadEntries,
    registry,
    issues,
  );
  const workloads = mtls.workloads;

  const workflows = resolveWorkflows(
    workflowEntries,
    {
      accountId: fields.accountId,
      scriptName,
      tokenLifetimeSeconds: tokenLifetime,
      maxTokenLifetimeSeconds: maxLifetime,
      maxInstanceIdLength: settled("maxInstanceIdLength", fields.maxInstanceIdLength, DEFAULT_MAX_INSTANCE_ID_LENGTH),
      maxInstanceIdLengthKey: key("maxInstanceIdLength"),
      workloads,
      aws: { key: key("aws"), configured: entries.get("aws") !== undefined, settings: fields.aws },
      gcp: { key: key("gcp"), configured: entries.get("gcp") !== undefined, settings: fields.gcp },
    },
    issues,
  );

  reportMisnumberedGcpAudiences([...workloadEntries, ...workflowEntries], fields.gcp, issues);

  const edgeClient = fields.edgeMiddleware?.introspectionClient;
  if (edgeClient !== undefined && !(fields.introspectionClients ?? []).includes(edgeClient)) {
    issues.add(
      `${key("edgeMiddleware")}.introspectionClient`,
      `names '${edgeClient}', which is not among introspectionClients; ` +
        `add it there (the stack generates its secret), or remove introspectionClient`,
    );
  }

  if (fields.edgeMiddleware !== undefined) {
    reportUnregisteredRuleNames(
      fields.edgeMiddleware,
      {
        accountId: fields.accountId,
        workloads: workloadEntries.map((entry) => entry.name),
        workflows: workflowEntries.map((entry) => entry.name),
        maxInstanceIdLength: settled("maxInstanceIdLength", fields.maxInstanceIdLength, DEFAULT_MAX_INSTANCE_ID_LENGTH),
      },
      key("edgeMiddleware"),
      issues,
    );
  }

  issues.throwIfAny(`stack '${stack}' of project '${project}'`);
  return deepFreeze({
    project,
    stack,
    issuer: {
      accountId: present(fields.accountId),
      environment: present(environment),
      issuerUrl: present(issuerUrl),
      scriptName: present(scriptName),
      signingAlgorithm: fields.signingAlgorithm ?? DEFAULT_SIGNING_ALGORITHM,
      rotationPeriodDays: fields.rotationPeriodDays ?? DEFAULT_ROTATION_PERIOD_DAYS,
      tokenLifetimeSeconds: present(tokenLifetime),
      maxTokenLifetimeSeconds: present(maxLifetime),
      clockSkewSeconds: fields.clockSkewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS,
    },
    ...(fields.aws === undefined ? {} : { aws: fields.aws }),
    ...(fields.gcp === undefined ? {} : { gcp: fields.gcp }),
    ...(mtls.settings === undefined ? {} : { mtls: mtls.settings }),
    workloads,
    workflows,
    introspectionClients: fields.introspectionClients ?? [],
    ...(fields.edgeMiddleware === undefined ? {} : { edgeMiddleware: fields.edgeMiddleware }),
  });
}

/**
 * The entries of our namespace, by unqualified name. Pulumi reads an unqualified key of a
 * stack file as the project's, so we do too; other namespaces (aws:, gcp:, cloudflare:) are
 * not ours to judge, unless the namespace looks like a misspelling of the project's.
 */
function ourEntries(
  raw: Readonly<Record<string, unknown>>,
  project: string,
  issues: IssueCollector,
): Map<string, unknown> {
  const entries = new Map<string, unknown>();
  for (const [fullKey, value] of Object.entries(raw)) {
    const colon = fullKey.indexOf(":");
    const namespace = colon === -1 ? project : fullKey.slice(0, colon);
    const name = colon === -1 ? fullKey : fullKey.slice(colon + 1);
    if (namespace !== project) {
      if (closestName(namespace, [project]) !== undefined) {
        issues.add(
          fullKey,
          `is in namespace '${namespace}', not this project's; did you mean '${topLevelKey(project, name)}'?`,
        );
      }
      continue;
    }
    if (entries.has(name)) {
      issues.add(
        topLevelKey(project, name),
        `is set twice (as '${name}' and as '${topLevelKey(project, name)}'); keep one`,
      );
      continue;
    }
    entries.set(name, value);
  }
  return entries;
}

function resolveIssuerUrl(
  fields: { readonly issuerHostname?: string; readonly workersDevSubdomain?: string },
  scriptName: string | undefined,
  unset: (name: string) => boolean,
  localIssuerUrl: string | undefined,
  key: (name: string) => string,
  issues: IssueCollector,
): string | undefined {
  const hostnameSet = !unset("issuerHostname");
  const subdomainSet = !unset("workersDevSubdomain");
  if (hostnameSet && subdomainSet) {
    issues.add(
      key("workersDevSubdomain"),
      "is set together with issuerHostname; keep only one: issuerHostname for a " +
        "custom domain, or workersDevSubdomain to serve the issuer at https://<issuerScriptName>.<subdomain>.workers.dev",
    );
  } else if (!hostnameSet && !subdomainSet && localIssuerUrl === undefined) {
    issues.add(
      key("issuerHostname"),
      "is missing, and so is workersDevSubdomain; set one: pulumi config set issuerHostname " +
        "id.example.com (a custom domain in your account), or pulumi config set workersDevSubdomain <your-subdomain>",
    );
  }
  const subdomain = fields.workersDevSubdomain;
  if (subdomain !== undefined && scriptName !== undefined && !isHostnameLabel(scriptName)) {
    issues.add(
      key("issuerScriptName"),
      `is '${scriptName}', which cannot start the workers.dev hostname ('_' is not ` +
        `allowed in hostnames); rename it to '${scriptName.replaceAll("_", "-")}', or use issuerHostname`,
    );
  }
  if (localIssuerUrl !== undefined) {
    const problem = localIssuerUrlProblem(localIssuerUrl);
    if (problem === undefined) return localIssuerUrl;
    issues.add("localIssuerUrl", problem);
    return undefined;
  }
  if (fields.issuerHostname !== undefined) return `https://${fields.issuerHostname}`;
  if (subdomain !== undefined && scriptName !== undefined) return workersDevUrl(scriptName, subdomain);
  return undefined;
}

/** The registry files' entries; none when the key is unset, or when the loader could not read files (reported). */
function registryFiles(
  path: string | undefined,
  unset: boolean,
  source: RegistrySource | undefined,
  registryKey: string,
  issues: IssueCollector,
): RegistryFileEntries {
  const none: RegistryFileEntries = { workloads: [], workflows: [] };
  if (unset || path === undefined) return none;
  if (source === undefined) {
    issues.add(
      registryKey,
      `names registry files (${path}), but this loader reads no files; load the stack with ` +
        "loadStackConfigFile or the Pulumi program, which read them, or move the registry into the workloads and workflows keys",
    );
    return none;
  }
  return readRegistryDocuments(source, issues);
}

/** After throwIfAny every setting is known; this narrows the type and guards the invariant. */
function present<T>(value: T | undefined): T {
  if (value === undefined)
    throw new Error("validateStackConfig: a setting is unresolved although no issue was reported");
  return value;
}
