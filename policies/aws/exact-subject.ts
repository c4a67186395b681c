// The `<host>:sub` a role trusts names one subject, or a whole path: a StringLike `*` may only
// stand for the last path segment, right after a `/` (`worker/<account>/*`: every Worker of the
// account, a deliberate choice). `worker/<account>/bill*` also admits `billing-export`, a `*`
// inside admits any text across `/`, `?` any character, and a policy variable is whatever the
// request says.

import * as aws from "@pulumi/aws";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { reportViolationsOfType } from "../resource-policy.js";
import { comparesPositively, conditionClauses, isKey, isLike } from "./conditions.js";
import { isWebIdentityStatement, oidcProviderHosts, trustDocument } from "./trust-document.js";

const FIX =
  'name the exact subject (worker/<account_id>/<script_name>), or end a prefix with "/*" to admit a whole path';

/** Why a `sub` condition value admits more than intended, or undefined when it is safe. */
export function subjectPatternProblem(value: string, like: boolean): string | undefined {
  if (value.includes("${")) return "uses a policy variable, which the request itself supplies";
  if (!like) return undefined; // StringEquals compares literally: * and ? are plain characters there.
  if (value.includes("?")) return "uses ?, which matches any one character";
  const star = value.indexOf("*");
  if (star === -1) return undefined;
  if (star === value.length - 1 && value.endsWith("/*") && value.length > 2) return undefined;
  if (star === value.length - 1) {
    return `also admits every subject that merely starts with "${value.slice(0, -1)}" (a * must follow a "/")`;
  }
  return "has a * before its end, which matches any text there, / included";
}

export function exactSubjectViolations(role: Readonly<Record<string, unknown>>): readonly string[] {
  const document = trustDocument(role.assumeRolePolicy);
  if (document.kind !== "document") return [];
  const messages: string[] = [];
  for (const statement of document.statements) {
    // Unknown values are not strings and are skipped one by one; an unknown principal or action
    // makes the statement no web identity statement yet.
    if (!isWebIdentityStatement(statement)) continue;
    const hosts = oidcProviderHosts(statement);
    for (const clause of conditionClauses(statement)) {
      if (!comparesPositively(clause) || !hosts.some((host) => isKey(clause, host, "sub"))) continue;
      for (const value of clause.values) {
        if (typeof value !== "string") continue;
        const problem = subjectPatternProblem(value, isLike(clause));
        if (problem !== undefined) {
          messages.push(
            `${statement.label}: ${clause.operator} ${clause.key} ${JSON.stringify(value)} ${problem}; ${FIX}`,
          );
        }
      }
    }
  }
  return messages;
}

export const awsWebIdentityExactSubject: ResourceValidationPolicy = {
  name: "aws-web-identity-exact-subject",
  description:
    "A role's <host>:sub condition names an exact subject, or a wildcard only as the whole last segment after a '/'.",
  enforcementLevel: "mandatory",
  validateResource: reportViolationsOfType(aws.iam.Role, exactSubjectViolations),
};
