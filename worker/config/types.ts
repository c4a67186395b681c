// The validated, resolved shape of a stack's identity configuration. Everything downstream
// (the issuer Worker, the local stack, the Pulumi program) reads these types, never raw config.

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

export interface WorkloadConfig {
  /** The Worker's Cloudflare script name; also its registry key. */
  readonly name: string;
  /** `worker/<account_id>/<name>`. */
  readonly subject: string;
  /** Name of the per-workload entrypoint class generated into the issuer bundle. */
  readonly entrypoint: string;
  /** Audiences this workload may request tokens for (non-empty, no duplicates). */
  readonly audiences: readonly string[];
  /** Lifetime when the caller asks for none (≤ maxTokenLifetimeSeconds). */
  readonly tokenLifetimeSeconds: number;
  /** Upper bound for this workload (≤ the issuer's maxTokenLifetimeSeconds). */
  readonly maxTokenLifetimeSeconds: number;
  /** Static claims added to every token; never a reserved claim name. */
  readonly claims: Readonly<Record<string, JsonValue>>;
  readonly awsSessionTags?: AwsSessionTags;
  readonly aws?: WorkloadAwsSettings;
  readonly gcp?: WorkloadGcpSettings;
}

export interface StackConfig {
  readonly project: string;
  readonly stack: string;
  readonly issuer: IssuerSettings;
  readonly aws?: AwsSettings;
  readonly gcp?: GcpSettings;
  /** Sorted by name. */
  readonly workloads: readonly WorkloadConfig[];
}
