// Every error code worker-identity answers, as one type: the issuer (RPC and HTTP), the verifier,
// the edge middleware and mTLS origin, the workload SDK, and deploy time. A code names one kind
// of failure wherever it is raised; ERRORS.md (generated from ./catalog) says for each who raises
// it, its HTTP status, whether a retry can help, and what the caller should do.
// This folder holds types and small tables only: runtime modules import from it, never the reverse.

import type { OptionsErrorCode, ProgramErrorCode, StackConfigCode } from "./deployment.js";
import type { IssuerErrorCode, IssuerHttpCode } from "./issuer.js";
import type { MiddlewareCode, OriginMtlsCode } from "./middleware.js";
import type { WorkloadIdentityErrorCode } from "./sdk.js";
import type { VerificationErrorCode } from "./verification.js";

export type { OptionsErrorCode, ProgramErrorCode, StackConfigCode } from "./deployment.js";
export { type IssuerErrorCode, type IssuerHttpCode, RETRYABLE_ISSUER_CODES } from "./issuer.js";
export type { MiddlewareCode, OriginMtlsCode } from "./middleware.js";
export type { WorkloadIdentityErrorCode } from "./sdk.js";
export { VERIFICATION_STATUS, type VerificationErrorCode, type VerificationStatus } from "./verification.js";

export type ErrorCode =
  | IssuerErrorCode
  | IssuerHttpCode
  | VerificationErrorCode
  | MiddlewareCode
  | OriginMtlsCode
  | WorkloadIdentityErrorCode
  | StackConfigCode
  | ProgramErrorCode
  | OptionsErrorCode;
