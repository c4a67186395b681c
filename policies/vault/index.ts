// The Vault policies of the pack: roles bind one exact subject and audience with exact claims,
// mounts bind their issuer, and (over the whole stack) trust names only what the stack registers.

import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { vaultBackendBoundIssuer } from "./backend.js";
import { vaultTrustRegisteredSubjects } from "./registered-subjects.js";
import { vaultRoleBoundAudiences, vaultRoleBoundSubject, vaultRoleExactClaims } from "./roles.js";

export const vaultPolicies: readonly ResourceValidationPolicy[] = [
  vaultRoleBoundSubject,
  vaultRoleBoundAudiences,
  vaultRoleExactClaims,
  vaultBackendBoundIssuer,
];

export const vaultStackPolicies: readonly StackValidationPolicy[] = [vaultTrustRegisteredSubjects];
