// No trust statement may allow "*": `Principal: "*"`, `{AWS: "*"}`, `{Federated: "*"}` or any
// other principal type, alone or in a list. Nor `NotPrincipal` with Allow, which trusts every
// principal it does not name.

import * as aws from "@pulumi/aws";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { isRecord, listOf } from "../inputs.js";
import { reportViolationsOfType } from "../resource-policy.js";
import { trustDocument } from "./trust-document.js";

const FIX = "name the one principal the role trusts (for a Worker: Federated = the issuer's IAM OIDC provider ARN)";

export function wildcardPrincipalViolations(role: Readonly<Record<string, unknown>>): readonly string[] {
  const document = trustDocument(role.assumeRolePolicy);
  if (document.kind !== "document") return [];
  const messages: string[] = [];
  for (const statement of document.statements) {
    if (!statement.allows) continue;
    const { Principal: principal, NotPrincipal: notPrincipal } = statement.fields;
    if (principal === "*") {
      messages.push(`${statement.label} trusts Principal "*", anyone at all; ${FIX}`);
    } else if (isRecord(principal)) {
      for (const [type, values] of Object.entries(principal)) {
        if (listOf(values).includes("*"))
          messages.push(`${statement.label} trusts {${type}: "*"}, any such principal; ${FIX}`);
      }
    }
    if (notPrincipal !== undefined) {
      messages.push(
        `${statement.label} allows with NotPrincipal, which trusts every principal it does not name; use Principal and ${FIX}`,
      );
    }
  }
  return messages;
}

export const awsTrustNoWildcardPrincipal: ResourceValidationPolicy = {
  name: "aws-trust-no-wildcard-principal",
  description:
    'No role trust statement allows the "*" principal (Principal "*", {AWS: "*"}, {Federated: "*"}) or uses NotPrincipal.',
  enforcementLevel: "mandatory",
  validateResource: reportViolationsOfType(aws.iam.Role, wildcardPrincipalViolations),
};
