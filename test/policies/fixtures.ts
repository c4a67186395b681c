// Resources as the worker-identity program declares them (built with the program's own document
// builders), for specs that start from a happy path and change one field.

import type { IssuerSettings } from "../../worker/config/types.js";
import { validateStackConfig } from "../../worker/config/validate.js";
import { runtimeConfigOf } from "../../worker/runtime-config/compute.js";
import { runtimeConfigBanner } from "../../worker/runtime-config/embedding.js";
import { webIdentityTrustPolicy } from "../../worker/trust/aws/trust-policy.js";
import {
  attributeCondition,
  attributeMapping,
  WORKLOAD_IDENTITY_USER_ROLE,
} from "../../worker/trust/gcp/workload-identity.js";
import type { TestResource } from "./harness.js";

export const ACCOUNT = "0123456789abcdef0123456789abcdef";
export const HOST = "id.example.dev";
export const ISSUER_URL = `https://${HOST}`;
export const PROVIDER_ARN = `arn:aws:iam::111122223333:oidc-provider/${HOST}`;
export const SUBJECT = `worker/${ACCOUNT}/billing`;
export const POOL = "projects/123456789012/locations/global/workloadIdentityPools/worker-identity";
export const PRINCIPAL = `principal://iam.googleapis.com/${POOL}/subject/${SUBJECT}`;
export const SERVICE_ACCOUNT =
  "projects/example-identity-dev/serviceAccounts/wid-billing@example-identity-dev.iam.gserviceaccount.com";

export const TYPES = {
  role: "aws:iam/role:Role",
  provider: "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider",
  saMember: "gcp:serviceaccount/iAMMember:IAMMember",
  saBinding: "gcp:serviceaccount/iAMBinding:IAMBinding",
  saPolicy: "gcp:serviceaccount/iAMPolicy:IAMPolicy",
  projectMember: "gcp:projects/iAMMember:IAMMember",
  projectBinding: "gcp:projects/iAMBinding:IAMBinding",
  projectPolicy: "gcp:projects/iAMPolicy:IAMPolicy",
  script: "cloudflare:index/workersScript:WorkersScript",
} as const;

/** A trust statement as specs edit it (hand-written ones may hold anything). */
export interface Statement {
  Sid?: unknown;
  Effect?: unknown;
  Principal?: unknown;
  NotPrincipal?: unknown;
  Action?: unknown;
  NotAction?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

export interface ProviderProps {
  oidc: { issuerUri: unknown; allowedAudiences: string[] } | unknown;
  attributeMapping?: Record<string, unknown> | unknown;
  attributeCondition?: unknown;
  [field: string]: unknown;
}

export interface Binding {
  type: unknown;
  name: string;
  text?: unknown;
  json?: unknown;
  className?: string;
  [field: string]: unknown;
}

/** The program's trust statement for `billing` (with sts:TagSession), as a mutable copy. */
export function trustStatement(): Statement & { Condition: Record<string, Record<string, unknown>> } {
  const document = webIdentityTrustPolicy({
    providerArn: PROVIDER_ARN,
    issuerUrl: ISSUER_URL,
    subject: SUBJECT,
    audience: "sts.amazonaws.com",
    tagSession: true,
  });
  const statement: Statement & { Condition: Record<string, Record<string, unknown>> } = structuredClone(
    document.Statement[0]!,
  );
  return statement;
}

export function dropCondition(statement: Statement): void {
  delete statement.Condition;
}

export interface RoleOptions {
  /** Changes the program's statement. */
  readonly edit?: (statement: Statement & { Condition: Record<string, Record<string, unknown>> }) => void;
  /** Statements after it. */
  readonly more?: readonly Statement[];
  /** assumeRolePolicy as an object rather than JSON text. */
  readonly asObject?: boolean;
  readonly maxSessionDuration?: unknown;
}

export function role(options: RoleOptions = {}): TestResource {
  const statement = trustStatement();
  options.edit?.(statement);
  const document = { Version: "2012-10-17", Statement: [statement, ...(options.more ?? [])] };
  return {
    type: TYPES.role,
    props: {
      name: "wid-billing",
      assumeRolePolicy: options.asObject === true ? document : JSON.stringify(document),
      maxSessionDuration: options.maxSessionDuration ?? 3600,
    },
  };
}

/** A role whose trust policy is exactly `document`. */
export function roleTrusting(
  document: { readonly Statement: unknown; readonly Version?: string },
  maxSessionDuration: unknown = 3600,
): TestResource {
  return {
    type: TYPES.role,
    props: { name: "hand-written", assumeRolePolicy: JSON.stringify(document), maxSessionDuration },
  };
}

export function provider(edit?: (props: ProviderProps) => void): TestResource {
  const props: ProviderProps = {
    project: "example-identity-dev",
    workloadIdentityPoolId: "worker-identity",
    workloadIdentityPoolProviderId: "worker-identity",
    oidc: { issuerUri: ISSUER_URL, allowedAudiences: [`//iam.googleapis.com/${POOL}/providers/worker-identity`] },
    attributeMapping: attributeMapping(),
    attributeCondition: attributeCondition(ACCOUNT),
  };
  edit?.(props);
  return { type: TYPES.provider, props };
}

export function grant(type: string = TYPES.saMember, edit?: (props: Record<string, unknown>) => void): TestResource {
  const props: Record<string, unknown> = type.startsWith("gcp:projects/")
    ? { project: "example-identity-dev", role: "roles/bigquery.dataViewer" }
    : { serviceAccountId: SERVICE_ACCOUNT, role: WORKLOAD_IDENTITY_USER_ROLE };
  if (type.endsWith("IAMMember"))
    props.member = type.startsWith("gcp:projects/")
      ? "serviceAccount:wid-billing@example-identity-dev.iam.gserviceaccount.com"
      : PRINCIPAL;
  if (type.endsWith("IAMBinding"))
    props.members = [
      type.startsWith("gcp:projects/")
        ? "serviceAccount:wid-billing@example-identity-dev.iam.gserviceaccount.com"
        : PRINCIPAL,
    ];
  if (type.endsWith("IAMPolicy")) {
    props.policyData = JSON.stringify({ bindings: [{ role: props.role, members: [PRINCIPAL] }] });
    delete props.role;
  }
  edit?.(props);
  return { type, props };
}

/** The raw stack config of the issuer (values as Pulumi hands them: text). */
export function issuerStackConfig(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    "worker-identity:accountId": ACCOUNT,
    "worker-identity:issuerHostname": HOST,
    "worker-identity:rotationPeriodDays": "30",
    "worker-identity:maxTokenLifetimeSeconds": "3600",
    "worker-identity:workloads": JSON.stringify({ billing: { audiences: ["sts.amazonaws.com"] } }),
    ...overrides,
  };
}

/**
 * An issuer script's content as the program builds it: the runtime config of the validated stack
 * `config` as its first line (with `issuer` settings overridden, for values the validator would
 * refuse, as a hand-built bundle could carry), then code, here a stand-in for the bundle's.
 */
export function issuerScriptContent(
  config: Record<string, unknown> = issuerStackConfig(),
  issuer: Partial<Record<keyof IssuerSettings, unknown>> = {},
): string {
  const runtime = runtimeConfigOf(validateStackConfig(config, { project: "worker-identity", stack: "dev" }));
  const document = { ...runtime, issuer: { ...runtime.issuer, ...issuer } };
  return `${runtimeConfigBanner(JSON.stringify(document))}\nexport default {};\n`;
}

/** The issuer's script as infra/cloudflare/issuer-worker.ts declares it. */
export function issuerScript(
  options: {
    config?: Record<string, unknown>;
    issuer?: Partial<Record<keyof IssuerSettings, unknown>>;
    /** The script's content instead of issuerScriptContent(config, issuer). */
    content?: unknown;
    edit?: (bindings: Binding[]) => void;
  } = {},
): TestResource {
  const content = "content" in options ? options.content : issuerScriptContent(options.config, options.issuer);
  const bindings: Binding[] = [
    { type: "kv_namespace", name: "PUBLISHED", namespaceId: "jwks-id" },
    { type: "durable_object_namespace", name: "KEY_STORE", className: "KeyStore" },
    { type: "secret_text", name: "KEY_ENCRYPTION_KEY", text: "a2V5LWVuY3J5cHRpb24ta2V5LWtleS1lbmNyeXB0aW9uIQ==" },
    { type: "secret_text", name: "ADMIN_TOKEN", text: "x".repeat(48) },
  ];
  options.edit?.(bindings);
  return {
    type: TYPES.script,
    props: { accountId: ACCOUNT, scriptName: "worker-identity", mainModule: "issuer.js", content, bindings },
  };
}

export function bindingNamed(bindings: Binding[], name: string): Binding {
  const found = bindings.find((binding) => binding.name === name);
  if (found === undefined) throw new Error(`no binding ${name}`);
  return found;
}
