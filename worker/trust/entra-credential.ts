// What Microsoft Entra ID is told about one of a workload's federated identity credentials (FICs),
// as a pure function: the exact issuer, subject and audience list Entra compares a client
// assertion's iss, sub and aud with. infra/azure/federation.ts writes these values on the
// application's or managed identity's FIC; `wid explain` evaluates tokens against the same values.

import type { AzureFederatedCredential } from "../config/azure-settings.js";
import type { AzureSettings } from "../config/types.js";

/** The values a FIC holds that decide admission: Entra matches each exactly and case-sensitively. */
export interface EntraCredentialDocument {
  /** The FIC's name on its identity. */
  readonly name: string;
  readonly issuer: string;
  readonly subject: string;
  /** One audience: the stack's exchange audience (api://AzureADTokenExchange). */
  readonly audiences: string[];
}

export function entraCredentialDocument(
  azure: Pick<AzureSettings, "audience">,
  credential: AzureFederatedCredential,
): EntraCredentialDocument {
  return {
    name: credential.name,
    issuer: credential.issuer,
    subject: credential.subject,
    audiences: [azure.audience],
  };
}
