// The federated identity credentials (FICs) of a stack as the Azure policies read them: the
// azuread application FIC and the azure-native managed-identity FIC carry the same trust
// (issuer, subject, audiences) under their own type tokens. Pure.

import { ENTRA_ID } from "../../worker/config/index.js";
import type { PlainInputs } from "../resource-policy.js";

export { AZURE_TOKEN_EXCHANGE_AUDIENCE } from "../../worker/config/index.js";

export const APPLICATION_FIC_TYPE =
  "azuread:index/applicationFederatedIdentityCredential:ApplicationFederatedIdentityCredential";
export const MANAGED_IDENTITY_FIC_TYPE = "azure-native:managedidentity:FederatedIdentityCredential";
export const FLEXIBLE_FIC_TYPE =
  "azuread:index/applicationFlexibleFederatedIdentityCredential:ApplicationFlexibleFederatedIdentityCredential";
export const FIC_TYPES: ReadonlySet<string> = new Set([APPLICATION_FIC_TYPE, MANAGED_IDENTITY_FIC_TYPE]);

/** The issuers Entra accepts flexible (claims-matching) FICs for, with its source in ENTRA_ID. */
export const FLEXIBLE_FIC_ISSUERS: readonly string[] = ENTRA_ID.flexibleFicIssuers.value;

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
