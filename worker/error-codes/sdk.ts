// The workload SDK's error codes: one call to the issuer binding, a native token binding or a cloud
// token service failed.

export type WorkloadIdentityErrorCode =
  | "ERR_ISSUER_REFUSED"
  | "ERR_ISSUER_UNAVAILABLE"
  | "ERR_AWS_STS"
  | "ERR_GCP_STS"
  | "ERR_GCP_IAM_CREDENTIALS"
  | "ERR_ENTRA"
  | "ERR_ANTHROPIC"
  | "ERR_OPENAI"
  | "ERR_VAULT"
  | "ERR_SERVICE_UNREACHABLE"
  | "ERR_MALFORMED_RESPONSE"
  | "ERR_NATIVE_TOKEN_UNAVAILABLE"
  | "ERR_NATIVE_TOKEN_INVALID";
