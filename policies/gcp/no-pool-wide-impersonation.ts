// Impersonation of a service account (roles/iam.workloadIdentityUser, or serviceAccountTokenCreator)
// is granted to one workload's principal, never to a principalSet (the whole pool, or every
// token with some attribute: any Worker of the account) nor to allUsers/allAuthenticatedUsers.
// The one exception is the set of one Workflow's instances (attribute.workflow/<name>).

import type { ResourceValidationPolicy } from "@pulumi/policy";
import { isUnknown } from "../inputs.js";
import { reportViolationsOfTypes } from "../resource-policy.js";
import { GRANT_CLASSES, GRANTS_DESCRIPTION, grantsOf, isImpersonationRole, wholeGroupMember } from "./iam-grants.js";

const FIX =
  "grant it to principal://iam.googleapis.com/<pool name>/subject/worker/<account_id>/<script_name>, one workload per grant";

export function poolWideImpersonationViolations(
  type: string,
  inputs: Readonly<Record<string, unknown>>,
): readonly string[] {
  const grants = grantsOf(type, inputs);
  if (grants.kind === "unknown") return [];
  if (grants.kind === "unreadable") return [grants.reason];
  return grants.grants.flatMap(({ role, member }) => {
    if (isUnknown(role) || !isImpersonationRole(role)) return [];
    const group = wholeGroupMember(member);
    if (group === undefined) return [];
    return [
      `${role} on this ${grants.scope} is granted to ${String(member)}, ${group}: each of them can act as the service account; ${FIX}`,
    ];
  });
}

export const gcpNoPoolWideImpersonation: ResourceValidationPolicy = {
  name: "gcp-no-pool-wide-impersonation",
  description:
    "roles/iam.workloadIdentityUser (and serviceAccountTokenCreator) is never granted to a principalSet, allUsers or allAuthenticatedUsers.",
  enforcementLevel: "mandatory",
  validateResource: reportViolationsOfTypes(GRANT_CLASSES, GRANTS_DESCRIPTION, poolWideImpersonationViolations),
};
