// Entra compares a FIC's issuer and subject with the token's iss and sub exactly (case-sensitive,
// no patterns). A FIC written with a wildcard (`worker/<account>/*`) was meant to trust a whole
// path: Entra matches it against no real subject, and whoever wrote it will widen the trust next
// (a flexible FIC). Leading or trailing white space blocks the exchange. Refused with the exact
// form as the fix.

import * as azureNative from "@pulumi/azure-native";
import * as azuread from "@pulumi/azuread";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { type PlainInputs, reportViolationsOfTypes } from "../resource-policy.js";
import { ficTrust } from "./credentials.js";

const WILDCARD = /[*?]|\{\{|\$\{/;

export function literalSubjectViolations(props: PlainInputs): readonly string[] {
  const { issuer, subject } = ficTrust(props);
  const messages: string[] = [];
  if (subject !== undefined && WILDCARD.test(subject)) {
    messages.push(
      `the federated identity credential's subject ${JSON.stringify(subject)} is written as a pattern, but Entra ` +
        "compares subjects exactly: it trusts no Worker this way, and no pattern may trust several; give each " +
        "workload its own FIC with its exact subject (worker/<account_id>/<script_name>)",
    );
  }
  for (const [what, value] of [
    ["issuer", issuer],
    ["subject", subject],
  ] as const) {
    if (value !== undefined && value !== value.trim())
      messages.push(
        `the federated identity credential's ${what} has leading or trailing white space; Entra blocks the exchange: trim it`,
      );
  }
  return messages;
}

export const azureFicLiteralSubject: ResourceValidationPolicy = {
  name: "azure-fic-literal-subject",
  description: "Federated identity credentials name one exact subject and issuer, never a pattern or padded text.",
  enforcementLevel: "mandatory",
  validateResource: reportViolationsOfTypes(
    [azuread.ApplicationFederatedIdentityCredential, azureNative.managedidentity.FederatedIdentityCredential],
    "Federated identity credentials",
    (_type, props) => literalSubjectViolations(props),
  ),
};
