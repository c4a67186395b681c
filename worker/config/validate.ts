// The one loader of a stack's identity configuration: from the raw `config:` map of a Pulumi
// stack file to a resolved, frozen StackConfig, or one ConfigError listing every problem.
// Pure (no I/O, no clock, no Node built-ins): the issuer Worker runs it in workerd on the map
// the local stack or the Pulumi program hands it, and they run it too before deploying.

import { deepFreeze } from "../deep-freeze.js";
import { reportUnregisteredRuleNames } from "./edge-middleware-registry.js";
import { readSection } from "./fields.js";
import { reportMisnumberedGcpAudiences } from "./gcp-audiences.js";
import { workersDevUrl } from "./issuer-url.js";
import { IssueCollector } from "./issues.js";
import { FIRST_KEY_ENCRYPTION_KEY } from "./key-encryption-key.js";
import { topLevelKey } from "./key-path.js";
import {
  DEFAULT_CLOCK_SKEW_SECONDS,
  DEFAULT_ISSUER_SCRIPT_NAME,
  DEFAULT_MAX_INSTANCE_ID_LENGTH,
  DEFAULT_MAX_TOKEN_LIFETIME_SECONDS,
  DEFAULT_ROTATION_PERIOD_DAYS,
  DEFAULT_SIGNING_ALGORITHM,
  DEFAULT_TOKEN_LIFETIME_SECONDS,
  ENVIRONMENT_PATTERN,
} from "./limits.js";
import { defaultTrustDomain, resolveMtls } from "./mtls.js";
import {
  mergeRegistryEntries,
  type RegistryFileEntries,
  type RegistrySource,
  readRegistryDocuments,
} from "./registry-documents.js";
import { ourEntries } from "./stack-entries.js";
import { ENVIRONMENT_RULE, STACK_FIELDS, suggestEnvironment } from "./stack-fields.js";
import { resolveIssuerUrl } from "./stack-issuer-url.js";
import type { StackConfig } from "./types.js";
import { resolveWorkflows } from "./workflows.js";
import { resolveWorkloads } from "./workloads.js";

export { STACK_CONFIG_KEYS } from "./stack-fields.js";

export interface ValidateOptions {
  /** The Pulumi project name: the namespace of our keys (`<project>:accountId`). */
  readonly project: string;
  /** The stack name; also the default `environment`. */
  readonly stack: string;
  /** Serve `iss` from here instead (local stack): http://127.0.0.1:<port>, http://localhost:<port> or an https origin. */
  readonly localIssuerUrl?: string;
  /** The documents the `registry` key names, as the Node side read them (worker/config-files/); required when the key is set. */
  readonly registry?: RegistrySource;
}

const WORKLOADS_MISSING =
  "is missing; add at least one workload, e.g. workloads: {billing: {audiences: [sts.amazonaws.com]}}";

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

  const federation = {
    aws: { key: key("aws"), configured: entries.get("aws") !== undefined, settings: fields.aws },
    gcp: { key: key("gcp"), configured: entries.get("gcp") !== undefined, settings: fields.gcp },
  };
  const relyingParties = {
    azure: { key: key("azure"), configured: entries.get("azure") !== undefined, settings: fields.azure },
    vault: { key: key("vault"), configured: entries.get("vault") !== undefined, settings: fields.vault },
  };
  const maxInstanceIdLength = settled(
    "maxInstanceIdLength",
    fields.maxInstanceIdLength,
    DEFAULT_MAX_INSTANCE_ID_LENGTH,
  );
  const registry = resolveWorkloads(
    workloadEntries,
    {
      accountId: fields.accountId,
      scriptName,
      issuerUrl,
      tokenLifetimeSeconds: tokenLifetime,
      maxTokenLifetimeSeconds: maxLifetime,
      ...federation,
      ...relyingParties,
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
      maxInstanceIdLength,
      maxInstanceIdLengthKey: key("maxInstanceIdLength"),
      workloads,
      ...federation,
      ...relyingParties,
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
        maxInstanceIdLength,
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
    ...(fields.azure === undefined ? {} : { azure: fields.azure }),
    ...(fields.vault === undefined ? {} : { vault: fields.vault }),
    ...(mtls.settings === undefined ? {} : { mtls: mtls.settings }),
    workloads,
    workflows,
    introspectionClients: fields.introspectionClients ?? [],
    ...(fields.edgeMiddleware === undefined ? {} : { edgeMiddleware: fields.edgeMiddleware }),
    ...(fields.access === undefined ? {} : { access: fields.access }),
    keyEncryptionKey: fields.keyEncryptionKey ?? FIRST_KEY_ENCRYPTION_KEY,
  });
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
