// The federated identity credentials (FICs) of a stack as the Azure policies read them: the
// azuread application FIC and the azure-native managed-identity FIC carry the same trust
// (issuer, subject, audiences) under their own type tokens. Pure.

import type { PlainInputs } from "../resource-policy.js";

export const APPLICATION_FIC_TYPE =
  "azuread:index/applicationFederatedIdentityCredential:ApplicationFederatedIdentityCredential";
export const MANAGED_IDENTITY_FIC_TYPE = "azure-native:managedidentity:FederatedIdentityCredential";
export const FLEXIBLE_FIC_TYPE =
  "azuread:index/applicationFlexibleFederatedIdentityCredential:ApplicationFlexibleFederatedIdentityCredential";
export const FIC_TYPES: ReadonlySet<string> = new Set([APPLICATION_FIC_TYPE, MANAGED_IDENTITY_FIC_TYPE]);

/**
 * The audience Entra documents for every FIC (worker/config's AZURE_TOKEN_EXCHANGE_AUDIENCE; the
 * pack reaches config only through worker/config/index.ts, which does not export it).
 */
export const AZURE_TOKEN_EXCHANGE_AUDIENCE = "api://AzureADTokenExchange";

/**
 * The issuers Entra accepts flexible FICs for (worker/config/entra-limits.ts's flexibleFicIssuers):
 * https://learn.microsoft.com/en-us/entra/workload-id/workload-identities-flexible-federated-identity-credentials
 */
export const FLEXIBLE_FIC_ISSUERS: readonly string[] = [
  "https://token.actions.githubusercontent.com",
  "https://gitlab.com",
  "https://app.terraform.io",
];

/** What a FIC trusts, each member undefined when not a string (or unknown during preview). */
export function ficTrust(props: PlainInputs): { issuer?: string; subject?: string; name?: string } {
  const text = (value: unknown) => (typeof value === "string" ? value : undefined);
  const name = text(props.displayName) ?? text(props.federatedIdentityCredentialResourceName);
  const issuer = text(props.issuer);
  const subject = text(props.subject);
  return {
    ...(issuer === undefined ? {} : { issuer }),
    ...(subject === undefined ? {} : { subject }),
    ...(name === undefined ? {} : { name }),
  };
}
