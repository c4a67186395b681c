// A FIC's audiences are exactly ["api://AzureADTokenExchange"]: the value Entra documents for
// workload identity federation. Any other audience makes the FIC accept tokens minted for another
// relying party (a token for sts.amazonaws.com, say, would open the Entra identity too), and a
// second audience widens it the same way.

import * as azureNative from "@pulumi/azure-native";
import * as azuread from "@pulumi/azuread";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { isUnknown } from "../inputs.js";
import { type PlainInputs, reportViolationsOfTypes } from "../resource-policy.js";
import { AZURE_TOKEN_EXCHANGE_AUDIENCE } from "./credentials.js";

export function exchangeAudienceViolations(props: PlainInputs): readonly string[] {
  const audiences = props.audiences;
  if (isUnknown(audiences)) return [];
  const fix = `set audiences to ["${AZURE_TOKEN_EXCHANGE_AUDIENCE}"], and have the workload request that audience`;
  if (!Array.isArray(audiences) || audiences.length === 0)
    return [`the federated identity credential names no audience; ${fix}`];
  if (audiences.some(isUnknown)) return [];
  if (audiences.length === 1 && audiences[0] === AZURE_TOKEN_EXCHANGE_AUDIENCE) return [];
  return [
    `the federated identity credential accepts the audiences ${JSON.stringify(audiences)}, so tokens minted for ` +
      `another relying party would open this Entra identity; ${fix}`,
  ];
}

export const azureFicExchangeAudience: ResourceValidationPolicy = {
  name: "azure-fic-exchange-audience",
  description: `Federated identity credentials accept exactly the audience ${AZURE_TOKEN_EXCHANGE_AUDIENCE}.`,
  enforcementLevel: "mandatory",
  validateResource: reportViolationsOfTypes(
    [azuread.ApplicationFederatedIdentityCredential, azureNative.managedidentity.FederatedIdentityCredential],
    "Federated identity credentials",
    (_type, props) => exchangeAudienceViolations(props),
  ),
};
