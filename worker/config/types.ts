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
}

export interface StackConfig {
  readonly project: string;
  readonly stack: string;
  readonly issuer: IssuerSettings;
  /** Sorted by name. */
  readonly workloads: readonly WorkloadConfig[];
}
