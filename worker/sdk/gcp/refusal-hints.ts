// The likely mismatch behind a GCP STS or IAM Credentials refusal, from the service's code and
// message and the claims the workload's token presented. GCP STS answers RFC 6749 errors:
// invalid_grant "The audience in ID Token [..] does not match the expected audience ..", "The
// issuer in ID Token .. does not match the expected ISSUER ..", a signature it cannot verify, an
// expired token; unauthorized_client "The given credential is rejected by the attribute
// condition."; invalid_target for a pool or provider that does not exist or is disabled. IAM
// Credentials answers PERMISSION_DENIED "Permission 'iam.serviceAccounts.getAccessToken' denied
// on resource (or it may not exist)." when the principal lacks roles/iam.workloadIdentityUser.

import type { RefusalExplanation } from "../errors.js";
import { describePresented, type PresentedClaims } from "../presented-token.js";

const STS_GENERAL: Readonly<Record<string, string>> = {
  invalid_grant:
    "GCP did not accept the token: check the provider's issuer URI, its JWKS (jwksJson), its attribute condition and the token's audience",
  invalid_target: "the audience names no enabled pool or provider: check the provider resource name",
  unauthorized_client: "the provider's attribute condition refused this Worker",
};

const IAM_GENERAL: Readonly<Record<string, string>> = {
  PERMISSION_DENIED:
    "this Worker's principal needs roles/iam.workloadIdentityUser on the service account (and the IAM Credentials API must be enabled)",
  NOT_FOUND: "no such service account: check serviceAccountEmail",
  INVALID_ARGUMENT:
    "check the scopes, and a lifetime above 3600 s needs the constraints/iam.allowServiceAccountCredentialLifetimeExtension policy",
};

/** `//iam.googleapis.com/<pool>/providers/<id>` → the pool's resource name. */
const PROVIDER =
  /^\/\/iam\.googleapis\.com\/(projects\/[^/]+\/locations\/global\/workloadIdentityPools\/[^/]+)\/providers\/[^/]+$/;

export function stsRefusalHint(
  code: string,
  message: string,
  presented: PresentedClaims | undefined,
  provider: string,
): RefusalExplanation {
  const claims = presented === undefined ? "the token" : describePresented(presented);
  let hint: string | undefined;
  if (/attribute condition/i.test(message)) {
    hint = `the provider's attribute condition refused ${claims}: check the condition admits this workload's claims (\`wid explain <token> --target <service account>\`)`;
  } else if (code === "invalid_grant" && /audience/i.test(message)) {
    hint = `the token's aud=${presented?.aud ?? "(none)"} is not one the provider ${provider} allows: its allowed audiences (by default its own full resource name, with or without https:) must list it`;
  } else if (code === "invalid_grant" && /issuer/i.test(message)) {
    hint = `the provider's issuer URI is not exactly iss=${presented?.iss ?? "(none)"}: set the provider's issuer to the token's iss`;
  } else if (code === "invalid_grant" && /signature|key|jwk/i.test(message)) {
    hint = `GCP could not verify the token with the keys it holds for iss=${presented?.iss ?? "(none)"}: a provider with jwksJson needs the current JWKS (after a key rotation, pulumi up)`;
  } else if (code === "invalid_grant" && /expired|stale|exp\b/i.test(message)) {
    hint = "the token was expired or too old when GCP read it; check that the clocks agree";
  }
  hint ??= STS_GENERAL[code];
  return { presented, hint };
}

export function iamCredentialsRefusalHint(
  code: string,
  presented: PresentedClaims | undefined,
  serviceAccountEmail: string,
): RefusalExplanation {
  let hint: string | undefined;
  if (code === "PERMISSION_DENIED" && presented?.sub !== undefined) {
    const pool = PROVIDER.exec(presented.aud ?? "")?.[1] ?? "<pool>";
    hint =
      `the service account ${serviceAccountEmail} does not grant roles/iam.workloadIdentityUser to ` +
      `principal://iam.googleapis.com/${pool}/subject/${presented.sub} (google.subject as the provider maps sub), ` +
      `or it does not exist, or the IAM Credentials API is disabled (\`wid explain <token> --target ${serviceAccountEmail}\`)`;
  }
  hint ??= IAM_GENERAL[code];
  return { presented, hint };
}
