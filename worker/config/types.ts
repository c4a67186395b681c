// The validated, resolved shape of a stack's identity configuration. Everything downstream
// (the issuer Worker, the local stack, the Pulumi program) reads these types, never raw config.
// Each relying party beyond AWS and GCP keeps its shapes in its own file (<party>-settings.ts).

import type { AccessSettings } from "./access-settings.js";
import type { WorkloadAnthropicSettings } from "./anthropic-settings.js";
import type { AzureSettings, WorkloadAzureSettings } from "./azure-settings.js";
import type { KeyEncryptionKeySettings } from "./key-encryption-key.js";
import type { WorkloadOpenAiSettings } from "./openai-settings.js";
import type { VaultSettings, WorkloadVaultSettings } from "./vault-settings.js";

export type { WorkloadAnthropicSettings } from "./anthropic-settings.js";
export type { AzureIdentity, AzureSettings, WorkloadAzureSettings } from "./azure-settings.js";
export type { WorkloadOpenAiSettings } from "./openai-settings.js";
export type { VaultSettings, WorkloadVaultSettings } from "./vault-settings.js";

export type SigningAlgorithm = "RS256" | "ES256";

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface IssuerSettings {
  /** Cloudflare account id: 32 lowercase hex characters. The trust boundary. */
  readonly accountId: string;
  /** Free-form environment name carried in every token (`environment` claim). */
  readonly environment: string;
  /** Exact `iss` value: `https://<host>` with no path, port or query (AWS compares it verbatim). */
  readonly issuerUrl: string;
  /** Name of the issuer's own Worker script. */
  readonly scriptName: string;
  readonly signingAlgorithm: SigningAlgorithm;
  readonly rotationPeriodDays: number;
  /** Lifetime of a token when the caller asks for none. */
  readonly tokenLifetimeSeconds: number;
  /** Upper bound on any token's lifetime, for every workload. */
  readonly maxTokenLifetimeSeconds: number;
  /** Leeway granted to relying parties' clocks; widens every publication window. */
  readonly clockSkewSeconds: number;
}

/** AWS session tags carried in the `https://aws.amazon.com/tags` claim. */
export interface AwsSessionTags {
  readonly principalTags: Readonly<Record<string, string>>;
  readonly transitiveTagKeys: readonly string[];
}

/** Issuer-level AWS federation settings (`<project>:aws`); absent when AWS is not federated. */
export interface AwsSettings {
  /** The audience AWS STS receives: the OIDC provider's client id (default sts.amazonaws.com). */
  readonly audience: string;
}

/** Issuer-level GCP Workload Identity Federation settings (`<project>:gcp`). */
export interface GcpSettings {
  readonly projectId: string;
  /** Numeric project number: GCP principals and audiences name the project by number. */
  readonly projectNumber: string;
  /** Workload identity pool id: 4 to 32 of [a-z0-9-], not starting with `gcp-`. */
  readonly poolId: string;
  /** OIDC provider id in the pool, same rules. */
  readonly providerId: string;
  /** `//iam.googleapis.com/projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<provider>`. */
  readonly audience: string;
  /** For an issuer GCP cannot reach: the JWKS GCP should trust, inline (refresh it on rotation). */
  readonly jwksJson?: string;
}

/** Per-workload AWS settings: the role this workload, and only it, may assume. */
export interface WorkloadAwsSettings {
  /** IAM role name (default `wid-<workload>`), at most 64 characters. */
  readonly roleName: string;
  readonly managedPolicyArns: readonly string[];
  /** Inline policies by name: JSON policy documents. */
  readonly inlinePolicies: Readonly<Record<string, string>>;
  readonly maxSessionDurationSeconds: number;
}

/** Per-workload GCP settings: the service account this workload may impersonate. */
export interface WorkloadGcpSettings {
  readonly serviceAccount:
    | { readonly kind: "create"; readonly accountId: string }
    | { readonly kind: "existing"; readonly email: string };
  /** Project roles granted to the service account (created accounts only). */
  readonly projectRoles: readonly string[];
}

/** Stack-level mTLS settings (`<project>:mtls`), defaulted; present when the key is set or a workload enables mTLS. */
export interface MtlsSettings {
  /** SPIFFE trust domain of every workload certificate's URI SAN (default: the issuer's hostname). */
  readonly trustDomain: string;
  /** Lifetime of the stack's CA certificates. */
  readonly caValidityDays: number;
}

/** A workload's client certificate (`workloads.<name>.mtls` with `enabled: true`). */
export interface WorkloadMtlsSettings {
  /** `spiffe://<trustDomain>/worker/<account_id>/<name>`: the certificate's URI SAN. */
  readonly spiffeId: string;
  /** Lifetime of each certificate; `pulumi up` renews it once a third is left. */
  readonly validityDays: number;
}

/**
 * What a registered identity (a workload, or every instance of a workflow) may put in its tokens,
 * and the cloud role and account it alone may use.
 */
export interface TokenSettings {
  /** Audiences it may request tokens for (non-empty, no duplicates). */
  readonly audiences: readonly string[];
  /** Lifetime when the caller asks for none (≤ maxTokenLifetimeSeconds). */
  readonly tokenLifetimeSeconds: number;
  /** Upper bound for its tokens (≤ the issuer's maxTokenLifetimeSeconds). */
  readonly maxTokenLifetimeSeconds: number;
  /** Static claims added to every token; never a reserved claim name. */
  readonly claims: Readonly<Record<string, JsonValue>>;
  /** The role it, and nothing else, may assume. */
  readonly aws?: WorkloadAwsSettings;
  /** The service account it may impersonate. */
  readonly gcp?: WorkloadGcpSettings;
}

export interface WorkloadConfig extends TokenSettings {
  /** The Worker's Cloudflare script name; also its registry key. */
  readonly name: string;
  /** `worker/<account_id>/<name>`. */
  readonly subject: string;
  /** Name of the per-workload entrypoint class generated into the issuer bundle. */
  readonly entrypoint: string;
  readonly awsSessionTags?: AwsSessionTags;
  /** Present when the workload has a client certificate (its tokens then carry `cnf`). */
  readonly mtls?: WorkloadMtlsSettings;
  /**
   * Present when the workload (also) holds tokens from Cloudflare's own `oidc_tokens` binding:
   * the issuer and subject `wrangler deploy` printed for it. Nothing reads a native token's other
   * claims: the claim set is not public.
   */
  readonly native?: NativeTokenSettings;
  /** The Entra identity whose federated identity credentials trust exactly this workload. */
  readonly azure?: WorkloadAzureSettings;
  /** The Vault role bound to exactly this workload's subject. */
  readonly vault?: WorkloadVaultSettings;
  /** The Claude API federation rule and service account this workload's tokens exchange for. */
  readonly anthropic?: WorkloadAnthropicSettings;
  /** The OpenAI API identity provider and service account this workload's tokens exchange for. */
  readonly openai?: WorkloadOpenAiSettings;
}

/**
 * `workloads.<name>.native`: the workload's tokens from Cloudflare's `oidc_tokens` binding
 * (`../shared/DESIGN.md`, "The platform moved"). Federated with the same exact-subject rules as
 * the issuer's own tokens, and exchanged at the issuer (`POST /token`, RFC 8693) for them.
 */
export interface NativeTokenSettings {
  /** The issuer `wrangler deploy` printed: the tokens' exact `iss`, an https URL without a trailing slash. */
  readonly issuer: string;
  /** The subject `wrangler deploy` printed (it contains the Worker's immutable ID): the tokens' exact `sub`. */
  readonly subject: string;
  /** The audiences the workload's `oidc_tokens` bindings use (one per binding), sorted, unique. */
  readonly audiences: readonly string[];
  /** The issuer's JWKS; absent: `jwks_uri` from `<issuer>/.well-known/openid-configuration`. */
  readonly jwksUri?: string;
}

export interface StackConfig {
  readonly project: string;
  readonly stack: string;
  readonly issuer: IssuerSettings;
  readonly aws?: AwsSettings;
  readonly gcp?: GcpSettings;
  /** Microsoft Entra ID: the tenant the workloads' `azure` sections federate into. */
  readonly azure?: AzureSettings;
  /** HashiCorp Vault: the JWT auth method the workloads' `vault` roles live in. */
  readonly vault?: VaultSettings;
  readonly mtls?: MtlsSettings;
  /** Sorted by name. */
  readonly workloads: readonly WorkloadConfig[];
  /** Sorted by name; empty when the stack registers none. */
  readonly workflows: readonly WorkflowConfig[];
  /** Relying parties that may call POST /introspect (their secrets are in INTROSPECTION_SECRETS). */
  readonly introspectionClients: readonly string[];
  /** The edge middleware the program deploys in front of an API, when configured. */
  readonly edgeMiddleware?: EdgeMiddlewareSettings;
  /** Cloudflare Access in front of the operator page, when configured (access-settings.ts). */
  readonly access?: AccessSettings;
  /** The KEK generations the issuer script binds (key-encryption-key.ts); `{generation: 1}` when unset. */
  readonly keyEncryptionKey: KeyEncryptionKeySettings;
}

/** `<project>:edgeMiddleware`: a relying-party Worker (worker/middleware/) on a Workers route. */
export interface EdgeMiddlewareSettings {
  readonly scriptName: string;
  /** The audiences the API accepts. */
  readonly audiences: readonly string[];
  /** The rules document, checked with the middleware's parser (format: worker/middleware/README.md). */
  readonly rules: unknown;
  /** The Worker behind it (a script name, bound as a service) or its https URL. */
  readonly origin: string;
  readonly route: { readonly pattern: string; readonly zoneId: string };
  readonly forwardAuthorization: boolean;
  /** Refuse tokens on the issuer's revocation list. */
  readonly revocationList: boolean;
  /** Introspect workflow tokens as this client (one of introspectionClients). */
  readonly introspectionClient?: string;
  /**
   * Where the middleware learns client certificates (worker/middleware/client-certificate.ts):
   * "none", or "cloudflare-edge" (`request.cf.tlsClientAuth`, when no Worker service-binds it).
   */
  readonly clientCertificates: "none" | "cloudflare-edge";
}

/**
 * A registered Cloudflare Workflow: its instances get tokens with
 * sub = workflow/<account_id>/<name>/<instance_id>, through the binding of the script defining it.
 */
export interface WorkflowConfig extends TokenSettings {
  /** The Workflow's name (Cloudflare's `workflow_name`); also its registry key. */
  readonly name: string;
  /** The Worker script that defines the Workflow (and holds the binding to the issuer). */
  readonly script: string;
  /** The Workflow class the script exports. */
  readonly className: string;
  /** `workflow/<account_id>/<name>/`: every instance's subject is this plus its instance id. */
  readonly subjectPrefix: string;
  /** The per-workflow entrypoint class generated into the issuer bundle (`Workflow_<name>`). */
  readonly entrypoint: string;
  /** The issuer's own Workflows binding to this workflow, for instance status (`WORKFLOW_<name>`). */
  readonly binding: string;
  /** Instance ids longer than this are refused; the subject's worst case fits GCP's 127 bytes. */
  readonly maxInstanceIdLength: number;
}
