// roles/iam.workloadIdentityUser granted on a project lets the principal impersonate every
// service account in it, not just its own: a workload's grant belongs on its service account.

import type { ResourceValidationPolicy } from "@pulumi/policy";
import { reportViolationsOfTypes } from "../resource-policy.js";
import { grantsOf, isImpersonationRole, isSinglePrincipal, PROJECT_GRANT_CLASSES } from "./iam-grants.js";

export function projectWideImpersonationViolations(
  type: string,
  inputs: Readonly<Record<string, unknown>>,
): readonly string[] {
  const grants = grantsOf(type, inputs);
  if (grants.kind !== "grants" || grants.scope !== "project") return [];
  return grants.grants.flatMap(({ role, member }) => {
    if (!isImpersonationRole(role) || !isSinglePrincipal(member)) return [];
    return [
      `${role} is granted on the whole project to ${member}, who can then impersonate every service account in it; ` +
        "grant it on the workload's own service account instead (gcp.serviceaccount.IAMMember)",
    ];
  });
}

export const gcpNoProjectWideImpersonation: ResourceValidationPolicy = {
  name: "gcp-no-project-wide-impersonation",
  description:
    "A federated principal gets roles/iam.workloadIdentityUser (or serviceAccountTokenCreator) on one service account, never on a project.",
  enforcementLevel: "mandatory",
  validateResource: reportViolationsOfTypes(
    PROJECT_GRANT_CLASSES,
    "IAM members, bindings and policies of projects",
    projectWideImpersonationViolations,
  ),
};
