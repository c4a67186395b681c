// The IAM grants a GCP resource declares, one (role, member) pair each, whichever form it takes:
// a member, a binding of several members, or a whole policy (policyData JSON), on a service
// account or on a project. Also how members are read: a single federated principal, a whole
// pool or attribute set (principalSet), or the public.

import * as gcp from "@pulumi/gcp";
import { WORKLOAD_IDENTITY_USER_ROLE } from "../../worker/trust/gcp/workload-identity.js";
import { isRecord, isUnknown, listOf } from "../inputs.js";
import type { ResourceClass } from "../resource-policy.js";

/** Roles that let a member act as the service account they are granted on (or every one in a project). */
export const IMPERSONATION_ROLES: readonly string[] = [
  WORKLOAD_IDENTITY_USER_ROLE,
  "roles/iam.serviceAccountTokenCreator",
];

export type GrantScope = "service account" | "project";

export interface Grant {
  readonly role: unknown;
  readonly member: unknown;
}

export type Grants =
  | { readonly kind: "unknown" }
  | { readonly kind: "unreadable"; readonly reason: string }
  | { readonly kind: "grants"; readonly scope: GrantScope; readonly grants: readonly Grant[] };

type Shape = "member" | "binding" | "policy";

const GRANT_TYPES: Readonly<Record<string, readonly [GrantScope, Shape]>> = {
  "gcp:serviceaccount/iAMMember:IAMMember": ["service account", "member"],
  "gcp:serviceaccount/iAMBinding:IAMBinding": ["service account", "binding"],
  "gcp:serviceaccount/iAMPolicy:IAMPolicy": ["service account", "policy"],
  "gcp:projects/iAMMember:IAMMember": ["project", "member"],
  "gcp:projects/iAMBinding:IAMBinding": ["project", "binding"],
  "gcp:projects/iAMPolicy:IAMPolicy": ["project", "policy"],
};

export const SERVICE_ACCOUNT_GRANT_CLASSES: readonly ResourceClass[] = [
  gcp.serviceaccount.IAMMember,
  gcp.serviceaccount.IAMBinding,
  gcp.serviceaccount.IAMPolicy,
];
export const PROJECT_GRANT_CLASSES: readonly ResourceClass[] = [
  gcp.projects.IAMMember,
  gcp.projects.IAMBinding,
  gcp.projects.IAMPolicy,
];
export const GRANT_CLASSES: readonly ResourceClass[] = [...SERVICE_ACCOUNT_GRANT_CLASSES, ...PROJECT_GRANT_CLASSES];
export const GRANTS_DESCRIPTION = "IAM members, bindings and policies of service accounts and projects";

export function grantsOf(type: string, inputs: Readonly<Record<string, unknown>>): Grants {
  const known = GRANT_TYPES[type];
  if (known === undefined) throw new TypeError(`grantsOf: ${type} is not an IAM grant this pack reads`);
  const [scope, shape] = known;
  if (shape === "member") return { kind: "grants", scope, grants: [{ role: inputs.role, member: inputs.member }] };
  if (shape === "binding") {
    if (isUnknown(inputs.members)) return { kind: "unknown" };
    return { kind: "grants", scope, grants: listOf(inputs.members).map((member) => ({ role: inputs.role, member })) };
  }
  return policyGrants(scope, inputs.policyData);
}

function policyGrants(scope: GrantScope, policyData: unknown): Grants {
  if (isUnknown(policyData)) return { kind: "unknown" };
  let policy: unknown;
  try {
    policy = typeof policyData === "string" ? JSON.parse(policyData) : policyData;
  } catch {
    return {
      kind: "unreadable",
      reason: "policyData is not JSON; build it with gcp.organizations.getIAMPolicy or JSON.stringify({bindings})",
    };
  }
  if (!isRecord(policy)) return { kind: "unreadable", reason: "policyData is not an IAM policy {bindings: [...]}" };
  const grants = listOf(policy.bindings).flatMap((binding) =>
    isRecord(binding) ? listOf(binding.members).map((member) => ({ role: binding.role, member })) : [],
  );
  return { kind: "grants", scope, grants };
}

export function isImpersonationRole(role: unknown): role is string {
  return typeof role === "string" && IMPERSONATION_ROLES.includes(role);
}

/**
 * Every instance of one registered Workflow: the only principalSet our program grants. Instance
 * ids are never in trust (they are not known at deploy time); the set is bounded by the workflow
 * name, which the provider maps from the `workflow` claim only our issuer signs.
 */
const ONE_WORKFLOW_SET =
  /^principalSet:\/\/iam\.googleapis\.com\/projects\/[^/]+\/locations\/global\/workloadIdentityPools\/[^/]+\/attribute\.workflow\/[a-z0-9][a-z0-9_-]{0,63}$/;

/** Members that are more than one identity: a pool, an attribute set, anyone. */
export function wholeGroupMember(member: unknown): string | undefined {
  if (typeof member !== "string") return undefined;
  if (ONE_WORKFLOW_SET.test(member)) return undefined;
  if (/^principalSet:\/\//i.test(member)) return "a principalSet (every identity in the pool or attribute set)";
  if (member === "allUsers") return "allUsers (anyone on the internet)";
  if (member === "allAuthenticatedUsers") return "allAuthenticatedUsers (any Google identity)";
  return undefined;
}

/** The `google.subject` of a `principal://…/workloadIdentityPools/<pool>/subject/<sub>` member. */
export function principalSubject(member: unknown): string | undefined {
  if (typeof member !== "string") return undefined;
  return /^principal:\/\/iam\.googleapis\.com\/projects\/[^/]+\/locations\/[^/]+\/workloadIdentityPools\/[^/]+\/subject\/(.*)$/s.exec(
    member,
  )?.[1];
}

export function isSinglePrincipal(member: unknown): member is string {
  return typeof member === "string" && /^principal:\/\//i.test(member);
}
