// A workload's `external_account` credential configuration (AIP-4117) for google-auth-library,
// without a credential source: the SDK's gcpSubjectTokenSupplier supplies the token. Pure, so the
// Pulumi program writes it into the stack outputs (infra/worker-identity.ts).

export const JWT_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:jwt";
export const AUDIENCE_PREFIX = "//iam.googleapis.com/";

/** The external_account configuration (AIP-4117) for a workload's provider and service account, without a credential source. */
export interface GcpCredentialConfiguration {
  readonly type: "external_account";
  readonly audience: string;
  readonly subject_token_type: typeof JWT_TOKEN_TYPE;
  readonly token_url: string;
  readonly service_account_impersonation_url?: string;
}

/** `providerResourceName`: projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<provider>. */
export function gcpCredentialConfiguration(
  providerResourceName: string,
  serviceAccountEmail?: string,
): GcpCredentialConfiguration {
  return {
    type: "external_account",
    audience: `${AUDIENCE_PREFIX}${providerResourceName}`,
    subject_token_type: JWT_TOKEN_TYPE,
    token_url: "https://sts.googleapis.com/v1/token",
    ...(serviceAccountEmail === undefined
      ? {}
      : {
          service_account_impersonation_url: `https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/${serviceAccountEmail}:generateAccessToken`,
        }),
  };
}
