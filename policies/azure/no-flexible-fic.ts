// No flexible federated identity credential (claimsMatchingExpression) for an issuer Entra does
// not accept one for: Entra documents flexible FICs for GitHub, GitLab and Terraform Cloud tokens
// only, and a claims-matching expression (`claims['sub'] matches 'worker/<account>/*'`) trusts
// every subject it matches, more widely than one workload. A custom issuer such as
// worker-identity's gets one exact FIC per workload instead. The rule of azure-fic-exact-subject
// (literal-subject.ts) for the flexible FIC type.

import { isUnknown } from "../inputs.js";
import type { PlainInputs } from "../resource-policy.js";
import { FLEXIBLE_FIC_ISSUERS } from "./credentials.js";

export function flexibleFicViolations(props: PlainInputs): readonly string[] {
  const issuer = props.issuer;
  if (isUnknown(issuer)) return [];
  const fold = (url: string) => url.trim().replace(/\/+$/, "").toLowerCase();
  if (typeof issuer === "string" && FLEXIBLE_FIC_ISSUERS.some((allowed) => fold(allowed) === fold(issuer))) return [];
  return [
    `the flexible federated identity credential for ${JSON.stringify(issuer)} matches claims with an expression, ` +
      "trusting every subject it matches, and Entra accepts flexible FICs only for GitHub, GitLab and Terraform " +
      "Cloud tokens; declare one ApplicationFederatedIdentityCredential per workload with its exact subject instead",
  ];
}
