// Typed errors of the workload SDK: one base class with a stable `code`, one subclass per kind of
// failure. A misused option is a TypeError (thrown by the factory, or rejected by the call that
// got it); everything here is a failure of one call, raised per call.
//
// Messages never contain a token, a credential or an access token. They do contain what the
// remote service said (its error code and message), which names the cause.

import { type IssuerErrorCode, RETRYABLE_ISSUER_CODES } from "../error-codes/issuer.js";
import type { WorkloadIdentityErrorCode } from "../error-codes/sdk.js";
import type { PresentedClaims } from "./presented-token.js";

export type { WorkloadIdentityErrorCode } from "../error-codes/sdk.js";
export type { PresentedClaims } from "./presented-token.js";

/**
 * What a refusal of our token says beyond the service's words: the claims the token presented
 * (decoded, never the token) and the likely mismatch, as `wid explain` would name it.
 */
export interface RefusalExplanation {
  /** The refused token's sub, aud and iss; undefined when the token could not be decoded. */
  readonly presented: PresentedClaims | undefined;
  /** The likely mismatch and where to fix it; undefined when the answer names none. */
  readonly hint: string | undefined;
}

/**
 * Who answered (or failed to): the issuer binding, a native token binding (Cloudflare's
 * `oidc_tokens`), or one of the clouds' token services.
 */
export type IdentityService =
  | "issuer"
  | "native-binding"
  | "aws-sts"
  | "gcp-sts"
  | "gcp-iamcredentials"
  | "entra"
  | "anthropic"
  | "openai"
  | "vault";

export abstract class WorkloadIdentityError extends Error {
  abstract readonly code: WorkloadIdentityErrorCode;

  constructor(
    readonly service: IdentityService,
    /** True when the same call may succeed later unchanged (throttling, 5xx, timeouts). */
    readonly retryable: boolean,
    detail: string,
    options?: { readonly cause?: unknown },
  ) {
    super(detail, options);
    this.name = new.target.name;
  }
}

/** The issuer refused the token request; `issuerCode` is its stable code (see ERRORS.md). */
export class IssuerRefusalError extends WorkloadIdentityError {
  readonly code = "ERR_ISSUER_REFUSED";

  constructor(
    readonly issuerCode: IssuerErrorCode,
    detail: string,
  ) {
    super("issuer", RETRYABLE_ISSUER_CODES.has(issuerCode), detail);
  }
}

/** The binding call failed without an issuer code: the binding is missing or the RPC broke. */
export class IssuerUnavailableError extends WorkloadIdentityError {
  readonly code = "ERR_ISSUER_UNAVAILABLE";

  constructor(detail: string, cause: unknown) {
    super("issuer", true, detail, { cause });
  }
}

/** A native token binding's getToken() threw: the binding is missing, not enabled, or failed. */
export class NativeTokenUnavailableError extends WorkloadIdentityError {
  readonly code = "ERR_NATIVE_TOKEN_UNAVAILABLE";

  constructor(detail: string, cause: unknown) {
    super("native-binding", true, detail, { cause });
  }
}

/** A native token binding answered something that is not a JWT with a numeric `exp` in the future. */
export class NativeTokenInvalidError extends WorkloadIdentityError {
  readonly code = "ERR_NATIVE_TOKEN_INVALID";

  constructor(detail: string) {
    super("native-binding", false, detail);
  }
}

/** A cloud token service answered with an error document. */
export abstract class CloudServiceError extends WorkloadIdentityError {
  constructor(
    service: Exclude<IdentityService, "issuer" | "native-binding">,
    /** The HTTP status of the answer. */
    readonly status: number,
    /** The service's own error code: `AccessDenied`, `invalid_grant`, `PERMISSION_DENIED`, ... */
    readonly serviceCode: string,
    /** The service's own explanation, as it sent it. */
    readonly serviceMessage: string,
    retryable: boolean,
    detail: string,
  ) {
    super(service, retryable, detail);
  }
}

/** `<ErrorResponse><Error><Type/><Code/><Message/></Error>` from AWS STS. */
export class AwsStsError extends CloudServiceError {
  readonly code = "ERR_AWS_STS";

  constructor(
    status: number,
    serviceCode: string,
    serviceMessage: string,
    /** `Sender` (fix the request) or `Receiver` (AWS's side), when STS says. */
    readonly errorType: string | undefined,
    readonly requestId: string | undefined,
    retryable: boolean,
    detail: string,
    explanation?: RefusalExplanation,
  ) {
    super("aws-sts", status, serviceCode, serviceMessage, retryable, detail);
    this.presented = explanation?.presented;
    this.hint = explanation?.hint;
  }

  /** The refused token's sub, aud and iss (never the token). */
  readonly presented: PresentedClaims | undefined;
  /** The likely mismatch: for AccessDenied, the trust policy's sub and aud conditions. */
  readonly hint: string | undefined;
}

/** An OAuth error (`{error, error_description}`) or a Google API error from sts.googleapis.com. */
export class GcpStsError extends CloudServiceError {
  readonly code = "ERR_GCP_STS";

  constructor(
    status: number,
    serviceCode: string,
    serviceMessage: string,
    retryable: boolean,
    detail: string,
    explanation?: RefusalExplanation,
  ) {
    super("gcp-sts", status, serviceCode, serviceMessage, retryable, detail);
    this.presented = explanation?.presented;
    this.hint = explanation?.hint;
  }

  /** The refused token's sub, aud and iss (never the token). */
  readonly presented: PresentedClaims | undefined;
  /** The likely mismatch: the provider's audiences, issuer, keys or attribute condition. */
  readonly hint: string | undefined;
}

/** A Google API error (`{error: {code, message, status}}`) from IAM Credentials generateAccessToken. */
export class GcpIamCredentialsError extends CloudServiceError {
  readonly code = "ERR_GCP_IAM_CREDENTIALS";

  constructor(
    status: number,
    serviceCode: string,
    serviceMessage: string,
    retryable: boolean,
    detail: string,
    explanation?: RefusalExplanation,
  ) {
    super("gcp-iamcredentials", status, serviceCode, serviceMessage, retryable, detail);
    this.presented = explanation?.presented;
    this.hint = explanation?.hint;
  }

  /** The claims of the workload's token the federated token was exchanged for (never either token). */
  readonly presented: PresentedClaims | undefined;
  /** The likely mismatch: for PERMISSION_DENIED, the principal that needs roles/iam.workloadIdentityUser. */
  readonly hint: string | undefined;
}

/**
 * An OAuth error from Microsoft Entra ID's token endpoint: `serviceCode` is the AADSTS code
 * (`AADSTS700213`: no federated identity credential matches the token), or the OAuth `error`
 * when Entra sends no AADSTS code.
 */
export class EntraError extends CloudServiceError {
  readonly code = "ERR_ENTRA";

  constructor(
    status: number,
    serviceCode: string,
    serviceMessage: string,
    /** The OAuth `error` (`invalid_client`, `invalid_request`, ...). */
    readonly oauthError: string | undefined,
    /** Entra's `trace_id` and `correlation_id`, which its support asks for. */
    readonly traceId: string | undefined,
    readonly correlationId: string | undefined,
    retryable: boolean,
    detail: string,
  ) {
    super("entra", status, serviceCode, serviceMessage, retryable, detail);
  }
}

/** An OAuth error (`{error, error_description}`, or the API's `{type: "error", error: {type, message}}`) from the Claude API's token endpoint. */
export class AnthropicError extends CloudServiceError {
  readonly code = "ERR_ANTHROPIC";

  constructor(
    status: number,
    serviceCode: string,
    serviceMessage: string,
    /** The `request-id` header, which Anthropic's support asks for. */
    readonly requestId: string | undefined,
    retryable: boolean,
    detail: string,
  ) {
    super("anthropic", status, serviceCode, serviceMessage, retryable, detail);
  }
}

/** An OAuth error from the OpenAI API's token endpoint (auth.openai.com). */
export class OpenAiError extends CloudServiceError {
  readonly code = "ERR_OPENAI";

  constructor(
    status: number,
    serviceCode: string,
    serviceMessage: string,
    /** The `x-request-id` header, when sent. */
    readonly requestId: string | undefined,
    retryable: boolean,
    detail: string,
  ) {
    super("openai", status, serviceCode, serviceMessage, retryable, detail);
  }
}

/** `{errors: [...]}` from Vault: `serviceCode` is the first error (`permission denied`, `role "x" could not be found`). */
export class VaultError extends CloudServiceError {
  readonly code = "ERR_VAULT";

  constructor(
    status: number,
    serviceCode: string,
    serviceMessage: string,
    /** Every error Vault listed. */
    readonly errors: readonly string[],
    retryable: boolean,
    detail: string,
  ) {
    super("vault", status, serviceCode, serviceMessage, retryable, detail);
  }
}

/** The request never got an answer: DNS, connection, TLS, or the SDK's timeout. */
export class ServiceUnreachableError extends WorkloadIdentityError {
  readonly code = "ERR_SERVICE_UNREACHABLE";

  constructor(service: IdentityService, detail: string, cause: unknown) {
    super(service, true, detail, { cause });
  }
}

/** An answer that is not the documented format (wrong type, missing field, not XML or JSON). */
export class MalformedResponseError extends WorkloadIdentityError {
  readonly code = "ERR_MALFORMED_RESPONSE";

  constructor(
    service: IdentityService,
    /** The HTTP status of the answer; 0 for the issuer binding. */
    readonly status: number,
    detail: string,
  ) {
    super(service, status >= 500 || status === 429, detail);
  }
}

/** HTTP statuses after which the same request may well succeed. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}
