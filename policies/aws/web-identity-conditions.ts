// Every statement that lets an IAM OIDC provider's tokens assume a role must pin both the
// audience and the subject (`<host>:aud`, `<host>:sub`). Without `sub`, every token the issuer
// signs (any Worker of the account) assumes the role; without `aud`, tokens minted for other
// relying parties do.

import * as aws from "@pulumi/aws";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { reportViolationsOfType } from "../resource-policy.js";
import { bindsKey, type ConditionClause, conditionClauses, isKey, isLike, whyNotBinding } from "./conditions.js";
import { isWebIdentityStatement, oidcProviderHosts, trustDocument } from "./trust-document.js";

const CLAIMS = {
  aud: "the provider's client id, e.g. sts.amazonaws.com",
  sub: "the workload's exact subject, worker/<account_id>/<script_name>",
} as const;
type Claim = keyof typeof CLAIMS;

export function webIdentityConditionViolations(role: Readonly<Record<string, unknown>>): readonly string[] {
  const document = trustDocument(role.assumeRolePolicy);
  if (document.kind === "unknown") return [];
  if (document.kind === "unreadable") return [document.reason];
  const messages: string[] = [];
  for (const statement of document.statements) {
    if (statement.hasUnknown || !isWebIdentityStatement(statement)) continue;
    const clauses = conditionClauses(statement);
    for (const host of oidcProviderHosts(statement)) {
      for (const claim of Object.keys(CLAIMS) as Claim[]) {
        const problem = claimProblem(clauses, host, claim);
        if (problem !== undefined) {
          messages.push(`${statement.label} lets tokens of oidc-provider/${host} assume this role ${problem}`);
        }
      }
    }
  }
  return messages;
}

function claimProblem(clauses: readonly ConditionClause[], host: string, claim: Claim): string | undefined {
  const key = `${host}:${claim}`;
  const fix = `add "Condition": {"StringEquals": {"${key}": "<${CLAIMS[claim]}>"}}`;
  const onKey = clauses.filter((clause) => isKey(clause, host, claim));
  const binding = onKey.filter(bindsKey);
  if (binding.length === 0) {
    const first = onKey[0];
    if (first !== undefined) return `with no binding condition on ${key} (${whyNotBinding(first)}); ${fix}`;
    const elsewhere = clauses.find((clause) => clause.key.toLowerCase().endsWith(`:${claim}`));
    const hint =
      elsewhere === undefined
        ? ""
        : ` (its conditions name ${elsewhere.key}, but AWS names the keys after the provider's URL)`;
    return `without a condition on ${key}${hint}; ${fix}`;
  }
  if (claim === "aud") {
    const loose = binding.flatMap((clause) => clause.values.filter((value) => !isExactValue(clause, value)));
    if (loose.length > 0) {
      return `for any audience matching ${JSON.stringify(loose[0])}; compare ${key} with StringEquals and the exact client id`;
    }
  }
  return undefined;
}

/** A policy variable is resolved from the request; under StringLike, * and ? are wildcards. */
function isExactValue(clause: ConditionClause, value: unknown): boolean {
  if (typeof value !== "string" || value.includes("${")) return false;
  return !(isLike(clause) && /[*?]/.test(value));
}

export const awsWebIdentityConditions: ResourceValidationPolicy = {
  name: "aws-web-identity-conditions",
  description:
    "A role that trusts an IAM OIDC provider conditions on both <host>:aud and <host>:sub (StringEquals or StringLike).",
  enforcementLevel: "mandatory",
  validateResource: reportViolationsOfType(aws.iam.Role, webIdentityConditionViolations),
};
