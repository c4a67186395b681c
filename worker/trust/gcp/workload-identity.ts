// What GCP Workload Identity Federation is told about the issuer, as pure functions of the
// resolved config: the attribute mapping and condition the provider applies to every token, the
// resource names and principals IAM bindings refer to, and the console texts a security engineer
// reads. federation.ts declares the resources; nothing here touches Pulumi.

import { utf8Length } from "../../config/fields.js";
import { MAX_GCP_SUBJECT_BYTES } from "../../config/limits.js";
import type {
  GcpSettings,
  IssuerSettings,
  WorkflowConfig,
  WorkloadConfig,
  WorkloadGcpSettings,
} from "../../config/types.js";

/** GCP's limits on the console texts (characters). */
export const POOL_DISPLAY_NAME_MAX = 32;
export const POOL_DESCRIPTION_MAX = 256;
export const PROVIDER_DISPLAY_NAME_MAX = 32;
export const PROVIDER_DESCRIPTION_MAX = 256;
export const SERVICE_ACCOUNT_DISPLAY_NAME_MAX = 100;
export const SERVICE_ACCOUNT_DESCRIPTION_MAX = 256;

/** The role that lets a federated principal impersonate a service account. */
export const WORKLOAD_IDENTITY_USER_ROLE = "roles/iam.workloadIdentityUser";

const IAM_HOST = "iam.googleapis.com";
const SERVICE_ACCOUNT_DOMAIN = /^[^@]+@([a-z][a-z0-9-]{4,28}[a-z0-9])\.iam\.gserviceaccount\.com$/;

export interface ConsoleText {
  readonly displayName: string;
  readonly description: string;
}

/**
 * `google.subject` is the token's `sub` verbatim (worker/<account>/<script> fits 127 bytes), so
 * the principal an IAM binding names is the subject the issuer attests; the other claims become
 * attributes for conditions in IAM policies.
 */
export function attributeMapping(options: { readonly workflows?: boolean } = {}): Record<string, string> {
  if (options.workflows !== true) {
    return {
      "google.subject": "assertion.sub",
      "attribute.account_id": "assertion.account_id",
      "attribute.worker": "assertion.worker",
      "attribute.environment": "assertion.environment",
    };
  }
  // With workflows, a token carries `worker` or `workflow`, never both: each is mapped when
  // present and "-" otherwise ("-" starts neither a script nor a Workflow name, so it can never
  // be granted by mistake, and no attribute is left to a missing claim).
  return {
    "google.subject": "assertion.sub",
    "attribute.account_id": "assertion.account_id",
    "attribute.worker": 'has(assertion.worker) ? assertion.worker : "-"',
    "attribute.workflow": 'has(assertion.workflow) ? assertion.workflow : "-"',
    "attribute.environment": "assertion.environment",
  };
}

/**
 * Every instance of one workflow, in the pool named `pool` (the pool's own `name` output, so what
 * IAM is told is what GCP created): instance ids change with each run, so a workflow's grant names
 * the attribute its tokens carry, never a subject. Requires attributeMapping({ workflows: true }).
 */
export function principalSetInPool(pool: string, workflowName: string): string {
  if (!/^[A-Za-z0-9_][A-Za-z0-9_-]{0,63}$/.test(workflowName)) {
    throw new RangeError(`principalSetInPool: ${JSON.stringify(workflowName)} is not a Workflow name`);
  }
  return `principalSet://${IAM_HOST}/${requirePoolName(pool)}/attribute.workflow/${workflowName}`;
}

/**
 * Admits only tokens issued for this Cloudflare account. A missing claim or one of another type
 * makes the comparison false or an error, and GCP refuses the token either way.
 */
export function attributeCondition(accountId: string, options: { readonly ownSubjectsOnly?: boolean } = {}): string {
  if (accountId === "") throw new TypeError("attributeCondition: the account id is empty");
  const account = `assertion.account_id == ${celStringLiteral(accountId)}`;
  if (options.ownSubjectsOnly !== true) return account;
  // With native providers in the pool (native-provider.ts), the issuer's provider admits only the
  // subject forms the issuer mints, so no token of it can ever be a native subject's principal.
  const worker = celStringLiteral(`worker/${accountId}/`);
  const workflow = celStringLiteral(`workflow/${accountId}/`);
  return `${account} && (assertion.sub.startsWith(${worker}) || assertion.sub.startsWith(${workflow}))`;
}

/** A CEL string literal for any text: printable ASCII as is, everything else escaped. */
function celStringLiteral(value: string): string {
  let literal = '"';
  for (const char of value) {
    const code = char.codePointAt(0)!;
    if (code >= 0xd800 && code <= 0xdfff)
      throw new TypeError("attributeCondition: the account id is not well-formed Unicode");
    if (char === '"' || char === "\\") literal += `\\${char}`;
    else if (code >= 0x20 && code < 0x7f) literal += char;
    else if (code <= 0xffff) literal += `\\u${code.toString(16).padStart(4, "0")}`;
    else literal += `\\U${code.toString(16).padStart(8, "0")}`;
  }
  return `${literal}"`;
}

/**
 * The one federated identity a token with this `sub` becomes, in the pool named `pool` (the
 * pool's own `name` output: GCP names it by project number, so a number predicted from the config
 * could name another project's pool).
 */
export function principalInPool(pool: string, subject: string): string {
  const bytes = utf8Length(subject);
  if (subject === "" || bytes > MAX_GCP_SUBJECT_BYTES) {
    throw new RangeError(
      `principalInPool: google.subject must be 1 to ${MAX_GCP_SUBJECT_BYTES} bytes, "${subject}" is ${bytes}`,
    );
  }
  return `principal://${IAM_HOST}/${requirePoolName(pool)}/subject/${subject}`;
}

const POOL_NAME = /^projects\/\d+\/locations\/global\/workloadIdentityPools\/[^/]+$/;

function requirePoolName(pool: string): string {
  if (!POOL_NAME.test(pool)) {
    throw new RangeError(
      `${JSON.stringify(pool)} is not a pool's resource name (projects/<number>/locations/global/workloadIdentityPools/<id>)`,
    );
  }
  return pool;
}

export function serviceAccountEmail(gcp: GcpSettings, settings: WorkloadGcpSettings): string {
  const account = settings.serviceAccount;
  return account.kind === "create" ? `${account.accountId}@${gcp.projectId}.iam.gserviceaccount.com` : account.email;
}

/**
 * `projects/<project>/serviceAccounts/<email>`, what service account IAM bindings address. An
 * existing account may live in another project: its email names that project.
 */
export function serviceAccountResourceName(gcp: GcpSettings, email: string): string {
  const project = SERVICE_ACCOUNT_DOMAIN.exec(email)?.[1] ?? gcp.projectId;
  return `projects/${project}/serviceAccounts/${email}`;
}

export function describePool(issuer: IssuerSettings, stack: string): ConsoleText {
  return {
    displayName: clipTo(`Cloudflare Workers ${stack}`, POOL_DISPLAY_NAME_MAX),
    description: clipTo(
      `Cloudflare Workers of account ${issuer.accountId} (environment ${issuer.environment}) with tokens ` +
        `from the worker-identity issuer ${issuer.issuerUrl}. Pulumi stack ${stack}.`,
      POOL_DESCRIPTION_MAX,
    ),
  };
}

export function describeProvider(issuer: IssuerSettings): ConsoleText {
  const host = new URL(issuer.issuerUrl).host;
  return {
    // The end of a hostname (the domain) says more than its start.
    displayName: clipTo(host, PROVIDER_DISPLAY_NAME_MAX, "end"),
    description: clipTo(
      `OIDC issuer ${issuer.issuerUrl} (worker-identity). Admits only tokens with account_id ` +
        `${issuer.accountId}; google.subject is the token's sub, worker/${issuer.accountId}/<script name>.`,
      PROVIDER_DESCRIPTION_MAX,
    ),
  };
}

export function describeWorkflowServiceAccount(
  issuer: IssuerSettings,
  gcp: GcpSettings,
  workflow: Pick<WorkflowConfig, "name" | "subjectPrefix">,
  stack: string,
): ConsoleText {
  return serviceAccountText(
    `Cloudflare Workflow ${workflow.name}`,
    `Impersonated only by instances of the Cloudflare Workflow ${workflow.name} (subjects ${workflow.subjectPrefix}<id>, ` +
      `attribute.workflow in pool ${gcp.poolId}), tokens from ${issuer.issuerUrl}. worker-identity, Pulumi stack ${stack}.`,
  );
}

export function describeServiceAccount(
  issuer: IssuerSettings,
  gcp: GcpSettings,
  workload: Pick<WorkloadConfig, "name" | "subject">,
  stack: string,
): ConsoleText {
  return serviceAccountText(
    `Cloudflare Worker ${workload.name}`,
    `Impersonated only by the Cloudflare Worker ${workload.name}: subject ${workload.subject} in pool ` +
      `${gcp.poolId}, tokens from ${issuer.issuerUrl}. worker-identity, Pulumi stack ${stack}.`,
  );
}

/** A service account's console text, clipped to GCP's limits for it. */
function serviceAccountText(displayName: string, description: string): ConsoleText {
  return {
    displayName: clipTo(displayName, SERVICE_ACCOUNT_DISPLAY_NAME_MAX),
    description: clipTo(description, SERVICE_ACCOUNT_DESCRIPTION_MAX),
  };
}

/**
 * Shortens text to `max` characters, marking the cut with "..." (ASCII: every input here is, so
 * characters and bytes agree whichever GCP counts).
 */
function clipTo(text: string, max: number, keep: "start" | "end" = "start"): string {
  if (text.length <= max) return text;
  return keep === "start" ? `${text.slice(0, max - 3)}...` : `...${text.slice(text.length - max + 3)}`;
}
