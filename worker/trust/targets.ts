// The federated targets a stack declares for each workload and workflow, as pure data: which
// relying party, which role, service account or identity, the audience it requires and the
// (issuer, subject) pairs it admits. Read from the validated stack config alone, so the issuer's
// operator page (through the runtime config), `wid explain --workload` and the program's outputs
// name the same targets. The conditions each party evaluates are the trust documents'
// (the rest of worker/trust/); this file only says what exists and whom it admits.

import type { StackConfig, WorkflowConfig, WorkloadConfig } from "../config/types.js";
import { serviceAccountEmail } from "./gcp/workload-identity.js";
import { vaultRolePath } from "./vault-role.js";

/** The relying parties a target can live in. */
export type TargetParty = "aws" | "gcp" | "azure" | "vault" | "anthropic" | "openai";

/** One (issuer, subject) pair a target admits; a workflow's subject ends in `*` (any instance). */
export interface TrustedSubject {
  readonly issuer: string;
  readonly subject: string;
}

export interface FederatedTarget {
  readonly party: TargetParty;
  /**
   * What the party names: the IAM role's name (its ARN needs the deploying account), the GCP
   * service account's email, the Entra application or managed identity, the Vault role
   * (`<mount>/role/<name>`), the Claude or OpenAI service account.
   */
  readonly target: string;
  /** The `aud` the party requires. */
  readonly audience: string;
  /** Whom it admits, the issuer's own subject first. */
  readonly trusts: readonly TrustedSubject[];
}

/** The targets `entry` (a workload or a workflow of `config`) can reach, in party order. */
export function federatedTargets(config: StackConfig, entry: WorkloadConfig | WorkflowConfig): FederatedTarget[] {
  const issuer = config.issuer.issuerUrl;
  const isWorkflow = "subjectPrefix" in entry;
  const own: TrustedSubject = { issuer, subject: isWorkflow ? `${entry.subjectPrefix}*` : entry.subject };
  const native = !isWorkflow && entry.native !== undefined ? entry.native : undefined;
  const withNative = native === undefined ? [own] : [own, { issuer: native.issuer, subject: native.subject }];
  const targets: FederatedTarget[] = [];
  if (entry.aws !== undefined && config.aws !== undefined) {
    targets.push({ party: "aws", target: entry.aws.roleName, audience: config.aws.audience, trusts: withNative });
  }
  if (entry.gcp !== undefined && config.gcp !== undefined) {
    targets.push({
      party: "gcp",
      target: serviceAccountEmail(config.gcp, entry.gcp),
      audience: config.gcp.audience,
      trusts: withNative,
    });
  }
  if (isWorkflow) return targets;
  const workload = entry;
  if (workload.azure !== undefined && config.azure !== undefined) {
    const identity = workload.azure.identity;
    const target =
      identity.kind === "managed-identity"
        ? identity.resourceId
        : identity.kind === "existing-application"
          ? `application ${identity.clientId}`
          : `application ${identity.displayName}`;
    targets.push({
      party: "azure",
      target,
      audience: config.azure.audience,
      trusts: workload.azure.credentials.map(({ issuer: fic, subject }) => ({ issuer: fic, subject })),
    });
  }
  if (workload.vault !== undefined && config.vault !== undefined) {
    targets.push({
      party: "vault",
      target: vaultRolePath(config.vault.mount, workload.vault.role),
      audience: config.vault.audience,
      trusts: [own],
    });
  }
  if (workload.anthropic !== undefined) {
    targets.push({
      party: "anthropic",
      target: workload.anthropic.serviceAccountId,
      audience: workload.anthropic.audience,
      trusts: [own],
    });
  }
  if (workload.openai !== undefined) {
    targets.push({
      party: "openai",
      target: `${workload.openai.serviceAccountId} in ${workload.openai.projectId}`,
      audience: workload.openai.audience,
      trusts: [own],
    });
  }
  return targets;
}
