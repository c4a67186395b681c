// Vault JWT auth roles (vault.jwt.AuthBackendRole) of role_type jwt: each trusts one workload,
// so it binds an exact subject (bound_subject) and the audience (bound_audiences), and its claims
// match exactly: bound_claims_type string (glob turns every bound claim into a pattern), no
// wildcard or comma-separated alternatives in a bound value, and user_claim sub, so that each
// Worker is its own Vault entity (a shared user_claim such as account_id would make every Worker
// of the account one entity, sharing its policies and groups). Roles of type oidc (browser logins)
// are not federation and are left alone.

import type { ResourceValidationPolicy } from "@pulumi/policy";
import * as vault from "@pulumi/vault";
import { containsUnknown, isRecord, isUnknown } from "../inputs.js";
import { type PlainInputs, reportViolationsOfType } from "../resource-policy.js";

/** Characters that make a value a pattern somewhere in Vault (glob) or read as several values (comma). */
const WILDCARD = /[*?[\]{}]/;

const isJwtRole = (inputs: PlainInputs) => inputs.roleType === "jwt";

export function roleSubjectViolations(inputs: PlainInputs): readonly string[] {
  if (!isJwtRole(inputs) || isUnknown(inputs.boundSubject)) return [];
  const subject = inputs.boundSubject;
  const fix = "bind exactly one workload's subject: boundSubject: worker/<account_id>/<workload>";
  if (typeof subject !== "string" || subject.trim() === "")
    return [
      `the role ${String(inputs.roleName)} has no boundSubject, so every Worker whose token the mount accepts may log in as it; ${fix}`,
    ];
  if (WILDCARD.test(subject))
    return [
      `the role's boundSubject ${JSON.stringify(subject)} looks like a pattern; Vault compares it exactly, and a pattern is never one workload; ${fix}`,
    ];
  return [];
}

export function roleAudienceViolations(inputs: PlainInputs): readonly string[] {
  if (!isJwtRole(inputs) || containsUnknown(inputs.boundAudiences)) return [];
  const audiences = Array.isArray(inputs.boundAudiences) ? inputs.boundAudiences : [];
  const fix = "bind the stack's Vault audience: boundAudiences: [<vault.audience>]";
  if (audiences.length === 0)
    return [
      `the role ${String(inputs.roleName)} binds no audience, so a token minted for any relying party could open it; ${fix}`,
    ];
  return audiences.flatMap((audience) =>
    typeof audience !== "string" || audience === "" || WILDCARD.test(audience) || audience.includes(",")
      ? [`the role's bound audience ${JSON.stringify(audience)} is not one exact audience; ${fix}`]
      : [],
  );
}

export function roleClaimViolations(inputs: PlainInputs): readonly string[] {
  if (!isJwtRole(inputs)) return [];
  const messages: string[] = [];
  if (!isUnknown(inputs.boundClaimsType) && inputs.boundClaimsType === "glob")
    messages.push(
      "boundClaimsType is glob, so every bound claim is a pattern that can admit other Workers; set boundClaimsType: string (exact match)",
    );
  const claims = inputs.boundClaims;
  if (isRecord(claims) && !containsUnknown(claims)) {
    const parsing = inputs.disableBoundClaimsParsing !== true;
    for (const [claim, value] of Object.entries(claims)) {
      const text = typeof value === "string" ? value : JSON.stringify(value);
      if (WILDCARD.test(text))
        messages.push(`bound claim ${claim} is ${JSON.stringify(text)}, a wildcard; bind the exact value`);
      else if (parsing && text.includes(","))
        messages.push(
          `bound claim ${claim} is ${JSON.stringify(text)}, which Vault splits into alternatives at the commas; bind one exact value`,
        );
    }
  }
  if (!isUnknown(inputs.userClaim) && inputs.userClaim !== undefined && inputs.userClaim !== "sub")
    messages.push(
      `userClaim is ${JSON.stringify(inputs.userClaim)}: Vault names the entity alias by it, so Workers sharing its value share one entity (its policies and groups); set userClaim: sub`,
    );
  return messages;
}

const ROLE_DESCRIPTION = "Vault JWT auth roles (role_type jwt)";

export const vaultRoleBoundSubject: ResourceValidationPolicy = {
  name: "vault-role-bound-subject",
  description: `${ROLE_DESCRIPTION} bind one exact subject (bound_subject).`,
  enforcementLevel: "mandatory",
  validateResource: reportViolationsOfType(vault.jwt.AuthBackendRole, roleSubjectViolations),
};

export const vaultRoleBoundAudiences: ResourceValidationPolicy = {
  name: "vault-role-bound-audiences",
  description: `${ROLE_DESCRIPTION} bind exact audiences (bound_audiences).`,
  enforcementLevel: "mandatory",
  validateResource: reportViolationsOfType(vault.jwt.AuthBackendRole, roleAudienceViolations),
};

export const vaultRoleExactClaims: ResourceValidationPolicy = {
  name: "vault-role-exact-claims",
  description: `${ROLE_DESCRIPTION} match claims exactly (bound_claims_type string, no wildcards or alternatives) and name entities by sub.`,
  enforcementLevel: "mandatory",
  validateResource: reportViolationsOfType(vault.jwt.AuthBackendRole, roleClaimViolations),
};
