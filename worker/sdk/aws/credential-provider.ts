// The AWS SDK v3's `credentials` for a workload: an AwsCredentialIdentityProvider (@smithy/types)
// over the SDK's cached AssumeRoleWithWebIdentity, so
//   new S3Client({ region, credentials: awsCredentialsProvider(env.ISSUER, { roleArn }) })
// signs with the role's temporary credentials and renews them before they expire. The shape is
// declared here, so the SDK depends on no AWS package; test/sdk/aws-credential-provider.test.ts
// checks it against @aws-sdk/client-sts's own type and client.

import type { IdentityOptions } from "../identity.js";
import { identity } from "../identity.js";
import { OptionProblems } from "../option-checks.js";
import type { TokenSource } from "../token-sources.js";
import type { AwsCredentialsOptions } from "./options.js";
import { resolveAwsCredentialsOptions } from "./options.js";

/** AwsCredentialIdentity as @smithy/types declares it. */
export interface AwsCredentialIdentity {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  /** When the AWS SDK must ask again (it does so 5 minutes ahead). */
  readonly expiration?: Date;
  readonly accountId?: string;
}

/** What an AWS SDK v3 client passes its credential provider: its own resolved config. */
export interface AwsIdentityProperties {
  readonly callerClientConfig?: { readonly region?: () => Promise<string> };
}

export type AwsCredentialIdentityProvider = (properties?: AwsIdentityProperties) => Promise<AwsCredentialIdentity>;

/** `region` may be left out: the provider then uses the region of the AWS SDK client that calls it. */
export type AwsCredentialsProviderOptions = Omit<AwsCredentialsOptions, "region"> & { readonly region?: string };

const ACCOUNT_OF_ASSUMED_ROLE = /^arn:aws[\w-]*:sts::(\d{12}):assumed-role\//;

/**
 * The credential provider for `options.roleArn`. Options are checked here, once (an OptionsError
 * names each misuse); a call without `region` and outside an AWS SDK client rejects with one too.
 */
export function awsCredentialsProvider(
  /** env.ISSUER, or { issuer?, native } as identity() takes it. */
  binding: TokenSource,
  options: AwsCredentialsProviderOptions,
  identityOptions?: IdentityOptions,
): AwsCredentialIdentityProvider {
  const client = identity(binding, identityOptions);
  const given = typeof options === "object" && options !== null ? options.region : undefined;
  // Checked with a stand-in region when none is given, so every other misuse is named now.
  resolveAwsCredentialsOptions({ ...options, region: given ?? "us-east-1" });
  return async (properties) => {
    const region = given ?? (await properties?.callerClientConfig?.region?.());
    if (region === undefined) {
      const problems = new OptionProblems("awsCredentialsProvider");
      problems.add(
        "region",
        "is needed outside an AWS SDK client: give it, or pass the provider as a client's credentials",
      );
      problems.throwIfAny();
    }
    const credentials = await client.awsCredentials({ ...options, region: region as string });
    const accountId = ACCOUNT_OF_ASSUMED_ROLE.exec(credentials.assumedRoleArn ?? "")?.[1];
    return {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      sessionToken: credentials.sessionToken,
      expiration: new Date(credentials.expiresAt * 1_000),
      ...(accountId === undefined ? {} : { accountId }),
    };
  };
}
