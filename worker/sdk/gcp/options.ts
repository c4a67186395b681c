// The options of gcpAccessToken, checked and defaulted once.

import { isRecord, OptionProblems } from "../option-checks.js";

export interface GcpAccessTokenOptions {
  /** projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<provider>:
   * the workload's `gcpProviderResourceName` stack output. */
  readonly providerResourceName: string;
  /** Impersonate this service account (the workload's `gcpServiceAccount` stack output); without
   * it, the federated token itself is returned (direct resource access for the principal). */
  readonly serviceAccountEmail?: string;
  /** OAuth scopes of the access token. Default ["https://www.googleapis.com/auth/cloud-platform"]. */
  readonly scopes?: readonly string[];
  /** Lifetime of the service account's token, 60 to 43200 (above 3600 needs an org policy). Default 3600.
   * Only with serviceAccountEmail: a federated token's lifetime is GCP's choice. */
  readonly lifetimeSeconds?: number;
  /** Default https://sts.googleapis.com/v1/token */
  readonly stsEndpoint?: string;
  /** Default https://iamcredentials.googleapis.com (the SDK appends /v1/projects/-/serviceAccounts/<email>:generateAccessToken). */
  readonly iamCredentialsEndpoint?: string;
  /** Renew this long before the token expires (at most half its life). Default 300. */
  readonly renewBeforeSeconds?: number;
}

export interface ResolvedGcpAccessTokenOptions {
  readonly providerResourceName: string;
  /** //iam.googleapis.com/<providerResourceName>: the token's audience and the exchange's. */
  readonly audience: string;
  readonly serviceAccountEmail: string | undefined;
  readonly scopes: readonly string[];
  readonly lifetimeSeconds: number;
  readonly stsEndpoint: string;
  /** The generateAccessToken URL for the service account, when there is one. */
  readonly impersonationUrl: string | undefined;
  readonly renewBeforeMs: number;
  readonly cacheKey: string;
}

export const CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform";
const KNOWN = [
  "providerResourceName",
  "serviceAccountEmail",
  "scopes",
  "lifetimeSeconds",
  "stsEndpoint",
  "iamCredentialsEndpoint",
  "renewBeforeSeconds",
];
const PROVIDER =
  /^projects\/\d{1,20}\/locations\/global\/workloadIdentityPools\/[a-z0-9-]{4,32}\/providers\/[a-z0-9-]{4,32}$/;
const EMAIL = /^[a-z0-9][a-z0-9._-]{0,62}@[a-z0-9][a-z0-9.-]{0,251}\.[a-z]{2,}$/;
const SCOPE = /^\S{1,512}$/;

export function resolveGcpAccessTokenOptions(options: unknown): ResolvedGcpAccessTokenOptions {
  const problems = new OptionProblems("gcpAccessToken");
  if (!isRecord(options)) {
    problems.add("options", "must be an object such as { providerResourceName, serviceAccountEmail }");
    options = {};
  }
  const record = options as Record<string, unknown>;
  problems.unknown(record, KNOWN);
  const fullName =
    typeof record.providerResourceName === "string" && record.providerResourceName.startsWith("//iam.googleapis.com/");
  const providerResourceName = problems.string(
    record.providerResourceName,
    "providerResourceName",
    PROVIDER,
    "must be projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<provider> (the workload's gcpProviderResourceName stack output)" +
      (fullName ? ", without the leading //iam.googleapis.com/" : ""),
  );
  const serviceAccountEmail =
    record.serviceAccountEmail === undefined
      ? undefined
      : problems.string(
          record.serviceAccountEmail,
          "serviceAccountEmail",
          EMAIL,
          "must be a service account email such as wid-billing@my-project.iam.gserviceaccount.com",
        );
  const scopes = scopesOption(record.scopes, problems);
  if (record.lifetimeSeconds !== undefined && record.serviceAccountEmail === undefined) {
    problems.add(
      "lifetimeSeconds",
      "applies only with serviceAccountEmail: GCP STS chooses a federated token's lifetime",
    );
  }
  const lifetimeSeconds = problems.integer(record.lifetimeSeconds, "lifetimeSeconds", 60, 43_200, 3_600);
  const stsEndpoint = problems.endpoint(record.stsEndpoint, "stsEndpoint", "https://sts.googleapis.com/v1/token");
  const iamBase = problems
    .endpoint(record.iamCredentialsEndpoint, "iamCredentialsEndpoint", "https://iamcredentials.googleapis.com/")
    .replace(/\/+$/, "");
  const impersonationUrl =
    serviceAccountEmail === undefined
      ? undefined
      : `${iamBase}/v1/projects/-/serviceAccounts/${serviceAccountEmail}:generateAccessToken`;
  const renewBeforeSeconds = problems.integer(record.renewBeforeSeconds, "renewBeforeSeconds", 0, 3_600, 300);
  problems.throwIfAny();
  const audience = `//iam.googleapis.com/${providerResourceName}`;
  const cacheKey = JSON.stringify([
    "gcp",
    audience,
    serviceAccountEmail ?? null,
    scopes,
    lifetimeSeconds,
    stsEndpoint,
    impersonationUrl ?? null,
  ]);
  return Object.freeze({
    providerResourceName,
    audience,
    serviceAccountEmail,
    scopes,
    lifetimeSeconds,
    stsEndpoint,
    impersonationUrl,
    renewBeforeMs: renewBeforeSeconds * 1_000,
    cacheKey,
  });
}

function scopesOption(value: unknown, problems: OptionProblems): readonly string[] {
  if (value === undefined) return Object.freeze([CLOUD_PLATFORM_SCOPE]);
  const ok =
    Array.isArray(value) &&
    value.length > 0 &&
    value.length <= 64 &&
    value.every((s) => typeof s === "string" && SCOPE.test(s));
  if (!ok) {
    problems.add("scopes", `must be a non-empty array of OAuth scope URLs such as ["${CLOUD_PLATFORM_SCOPE}"]`);
    return [];
  }
  return Object.freeze([...(value as string[])]);
}
