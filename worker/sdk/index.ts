// The workload SDK: from a Worker's issuer binding (or Cloudflare's native oidc_tokens bindings) to its own tokens, AWS credentials and GCP
// access tokens. Web-standard APIs only (fetch, WebCrypto, URL) plus aws4fetch for SigV4, so it
// runs in any Worker and in Node. See README.md in this folder.

export type {
  AnthropicAccessToken,
  AnthropicAccessTokenOptions,
} from "./anthropic/exchange.js";
export type { AwsRequestClient } from "./aws/client.js";
export {
  type AwsCredentialIdentity,
  type AwsCredentialIdentityProvider,
  type AwsCredentialsProviderOptions,
  awsCredentialsProvider,
} from "./aws/credential-provider.js";
export type { AwsClientOptions, AwsCredentialsOptions } from "./aws/options.js";
export type { AwsCredentials } from "./aws/sts.js";
export type { AzureAccessToken, AzureAccessTokenOptions } from "./azure/exchange.js";
export {
  AnthropicError,
  AwsStsError,
  CloudServiceError,
  EntraError,
  GcpIamCredentialsError,
  GcpStsError,
  type IdentityService,
  IssuerRefusalError,
  IssuerUnavailableError,
  MalformedResponseError,
  NativeTokenInvalidError,
  NativeTokenUnavailableError,
  OpenAiError,
  type PresentedClaims,
  type RefusalExplanation,
  ServiceUnreachableError,
  VaultError,
  WorkloadIdentityError,
  type WorkloadIdentityErrorCode,
} from "./errors.js";
export { type GcpCredentialConfiguration, gcpCredentialConfiguration } from "./gcp/credential-configuration.js";
export {
  type GcpSubjectTokenContext,
  type GcpSubjectTokenSupplier,
  gcpSubjectTokenSupplier,
} from "./gcp/external-account.js";
export type { GcpAccessTokenOptions } from "./gcp/options.js";
export type { SdkFetch } from "./http.js";
export { type GcpAccessToken, type IdentityOptions, identity, WorkloadIdentity } from "./identity.js";
export type { IssuedToken, IssuerBinding, TokenOptions } from "./issuer-token.js";
export type { NativeTokenBinding } from "./native-token.js";
export type { OpenAiAccessToken, OpenAiAccessTokenOptions } from "./openai/exchange.js";
export type { TokenSource, TokenSources } from "./token-sources.js";
export type { VaultToken, VaultTokenOptions } from "./vault/exchange.js";
