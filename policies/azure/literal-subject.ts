// Entra compares a FIC's issuer and subject with the token's iss and sub exactly (case-sensitive,
// no patterns). A FIC written with a wildcard (`worker/<account>/*`) was meant to trust a whole
// path: Entra matches it against no real subject, and whoever wrote it will widen the trust next
// (a flexible FIC). Leading or trailing white space blocks the exchange. Refused with the exact
// form as the fix. The same policy refuses the flexible FIC itself (no-flexible-fic.ts) for an
// issuer Entra does not accept one for: one rule, "a FIC trusts one exact subject", over the
// three FIC types.

import * as azureNative from "@pulumi/azure-native";
import * as azuread from "@pulumi/azuread";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { type PlainInputs, reportViolationsOfTypes } from "../resource-policy.js";
import { FLEXIBLE_FIC_TYPE, ficTrust } from "./credentials.js";
import { flexibleFicViolations } from "./no-flexible-fic.js";

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

export const azureFicExactSubject: ResourceValidationPolicy = {
  name: "azure-fic-exact-subject",
  description:
    "Federated identity credentials name one exact subject and issuer (no pattern, no padding), and none matches claims by expression for an issuer other than GitHub, GitLab or Terraform Cloud.",
  enforcementLevel: "mandatory",
  validateResource: reportViolationsOfTypes(
    [
      azuread.ApplicationFederatedIdentityCredential,
      azureNative.managedidentity.FederatedIdentityCredential,
      azuread.ApplicationFlexibleFederatedIdentityCredential,
    ],
    "Federated identity credentials",
    (type, props) => (type === FLEXIBLE_FIC_TYPE ? flexibleFicViolations(props) : literalSubjectViolations(props)),
  ),
};
