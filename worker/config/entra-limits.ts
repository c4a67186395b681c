// What Microsoft Entra ID (and the azuread / azure-native providers) refuse, each with its source.
// The validator (azure.ts, azure-workload.ts), the program (infra/azure/) and the provider fakes
// (test/support/fakes/azure.ts) read the same table.

import { limit } from "./provider-limit.js";

const FIC_CONSIDERATIONS =
  "https://learn.microsoft.com/en-us/entra/workload-id/workload-identity-federation-considerations";
const GRAPH_FIC = "https://learn.microsoft.com/en-us/graph/api/resources/federatedidentitycredential";
const GRAPH_APPLICATION = "https://learn.microsoft.com/en-us/graph/api/resources/application";
const ARM_RESOURCE_ID =
  "https://learn.microsoft.com/en-us/azure/azure-resource-manager/management/resource-name-rules#microsoftmanagedidentity";

export const ENTRA_ID = Object.freeze({
  /** "A maximum of 20 federated identity credentials can be added to an application or user-assigned managed identity." */
  ficsPerIdentity: limit(20, FIC_CONSIDERATIONS),
  /** issuer: "This field has a character limit of 600 characters." */
  ficIssuerLength: limit(600, FIC_CONSIDERATIONS),
  /** subject: "This field has a character limit of 600 characters." */
  ficSubjectLength: limit(600, FIC_CONSIDERATIONS),
  /** name: 3 to 120 characters, alphanumeric, dash or underscore, the first alphanumeric; immutable. */
  ficName: limit(/^[A-Za-z0-9][A-Za-z0-9_-]{2,119}$/, FIC_CONSIDERATIONS),
  /** audiences: one value ("only one audience is supported"; api://AzureADTokenExchange for Entra ID). */
  ficAudiences: limit(1, FIC_CONSIDERATIONS),
  /** description: "It has a limit of 600 characters." */
  ficDescriptionLength: limit(600, GRAPH_FIC),
  /** issuer + subject: "The combination of issuer and subject must be unique on the app." */
  ficIssuerSubjectUnique: limit(true, FIC_CONSIDERATIONS),
  /** Flexible FICs (claimsMatchingExpression) accept only GitHub, GitLab and Terraform Cloud issuers. */
  flexibleFicIssuers: limit(
    ["https://token.actions.githubusercontent.com", "https://gitlab.com", "https://app.terraform.io"],
    "https://learn.microsoft.com/en-us/entra/workload-id/workload-identities-flexible-federated-identity-credentials",
  ),
  /** Creating FICs on one user-assigned managed identity concurrently is not supported: one after the other. */
  managedIdentityFicsSequential: limit(true, FIC_CONSIDERATIONS),
  /** application displayName: "Maximum length is 256 characters." */
  applicationDisplayNameLength: limit(256, GRAPH_APPLICATION),
  /** application description: "The maximum allowed size is 1,024 characters." */
  applicationDescriptionLength: limit(1024, GRAPH_APPLICATION),
  /** application tags: strings without white space, each at most 256 characters. */
  applicationTagLength: limit(256, GRAPH_APPLICATION),
  /** Directory (tenant), object and application (client) ids are GUIDs. */
  guid: limit(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, GRAPH_APPLICATION),
  /** A user-assigned identity's ARM id; its name is 3-128 of alphanumerics, '-' and '_', starting alphanumeric. */
  managedIdentityResourceId: limit(
    /^\/subscriptions\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/resourceGroups\/([-\w.()]{1,90})\/providers\/Microsoft\.ManagedIdentity\/userAssignedIdentities\/([A-Za-z0-9][A-Za-z0-9_-]{2,127})$/i,
    ARM_RESOURCE_ID,
  ),
});
