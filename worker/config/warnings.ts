// What a valid stack should still hear before `pulumi up`: default quotas it will pass (which the
// account owner can have raised, so they warn rather than refuse), a stack config nearing the
// size Pulumi can hand a program, and settings that go stale. A pure function of the resolved
// config (and, for the size, the config map as the engine hands it over); the program logs the
// warnings with pulumi.log.warn, the local stack prints them.

import { JWKS_PATH } from "../http/routes.js";
import { unrequestedAudienceWarnings } from "./edge-middleware-registry.js";
import { nativeTrustPolicyCharacters } from "./native.js";
import { AWS_IAM, CLOUDFLARE, GCP_IAM, PULUMI_ENGINE } from "./provider-limits.js";
import type { StackConfig, TokenSettings } from "./types.js";

export interface StackWarning {
  /** What the warning is about: the quota or setting, e.g. `Workers per account`. */
  readonly subject: string;
  /** What will happen and what to do. */
  readonly message: string;
}

/** A stack config this large (bytes of the PULUMI_CONFIG environment string) is near the engine's limit. */
const CONFIG_SIZE_WARNING_FRACTION = 0.75;

const count = (n: number): string => n.toLocaleString("en-US");

/** Bytes of the PULUMI_CONFIG environment string (`NAME=value` and its NUL) for the engine's config map. */
export function engineConfigBytes(engineConfig: Readonly<Record<string, string>>): number {
  return new TextEncoder().encode(`PULUMI_CONFIG=${JSON.stringify(engineConfig)}`).length + 1;
}

export function stackWarnings(config: StackConfig, engineConfig?: Readonly<Record<string, string>>): StackWarning[] {
  const warnings: StackWarning[] = [];
  const entries: readonly (TokenSettings & { readonly name: string; readonly kind: "workload" | "workflow" })[] = [
    ...config.workloads.map((w) => ({ ...w, kind: "workload" as const })),
    ...config.workflows.map((w) => ({ ...w, kind: "workflow" as const })),
  ];

  // Every workload is a Worker of the account, as are the issuer, the edge middleware and the scripts defining workflows.
  const scripts = new Set([
    config.issuer.scriptName,
    ...config.workloads.map((w) => w.name),
    ...config.workflows.map((w) => w.script),
  ]);
  if (config.edgeMiddleware !== undefined) scripts.add(config.edgeMiddleware.scriptName);
  const workers = CLOUDFLARE.workersPerAccount;
  if (scripts.size > workers.value) {
    warnings.push({
      subject: "Workers per account",
      message:
        `the stack names ${count(scripts.size)} Worker scripts (the issuer, its workloads, workflow scripts and the edge ` +
        `middleware), more than the ${count(workers.value)} Workers a Cloudflare account runs on the paid plan (${workers.source}); ` +
        "ask Cloudflare to raise the account's Workers limit before deploying them, or split the registry across accounts",
    });
  }

  const roles = entries.filter((e) => e.aws !== undefined).length;
  if (roles > AWS_IAM.rolesPerAccount.value) {
    warnings.push({
      subject: "IAM roles per account",
      message:
        `the stack creates ${count(roles)} IAM roles, more than the default quota of ${count(AWS_IAM.rolesPerAccount.value)} ` +
        `per AWS account (${AWS_IAM.rolesPerAccount.source}); request an increase of "Roles per account" in Service Quotas (IAM) ` +
        "before pulumi up, or CreateRole fails past the quota",
    });
  }

  const accounts = entries.filter((e) => e.gcp?.serviceAccount.kind === "create").length;
  if (config.gcp !== undefined && accounts > GCP_IAM.serviceAccountsPerProject.value) {
    warnings.push({
      subject: "GCP service accounts per project",
      message:
        `the stack creates ${count(accounts)} service accounts in project ${config.gcp.projectId}, more than the default ` +
        `quota of ${count(GCP_IAM.serviceAccountsPerProject.value)} (${GCP_IAM.serviceAccountsPerProject.source}); request an ` +
        "increase of the project's service account quota (IAM & Admin > Quotas), or share existing accounts (serviceAccount.existing)",
    });
  }

  const policies = AWS_IAM.managedPoliciesPerRole;
  for (const entry of entries) {
    const attached = entry.aws?.managedPolicyArns.length ?? 0;
    if (attached <= policies.value) continue;
    warnings.push({
      subject: "Managed policies per IAM role",
      message:
        `${entry.kind} '${entry.name}' attaches ${attached} managed policies to its role, more than the default quota of ` +
        `${policies.value} per role (${policies.source}); request an increase of "Managed policies per role" in Service Quotas ` +
        `(IAM, up to ${AWS_IAM.managedPoliciesPerRoleMax.value}), or combine policies`,
    });
  }

  const trustQuota = AWS_IAM.trustPolicyCharacters;
  for (const workload of config.workloads) {
    if (workload.native === undefined || workload.aws === undefined || config.aws === undefined) continue;
    const characters = nativeTrustPolicyCharacters(config.issuer.issuerUrl, config.aws.audience, {
      subject: workload.subject,
      native: workload.native,
      tagSession: workload.awsSessionTags !== undefined,
    });
    if (characters <= trustQuota.value) continue;
    warnings.push({
      subject: "IAM role trust policy size",
      message:
        `workload '${workload.name}''s role trusts its own and its native subject in a ${count(characters)}-character ` +
        `trust policy, more than the default quota of ${count(trustQuota.value)} (${trustQuota.source}); request an ` +
        `increase of "Role trust policy length" in Service Quotas (IAM) before pulumi up, or CreateRole fails`,
    });
  }

  if (engineConfig !== undefined) {
    const bytes = engineConfigBytes(engineConfig);
    const limit = PULUMI_ENGINE.configEnvironmentBytes.value;
    if (bytes >= limit * CONFIG_SIZE_WARNING_FRACTION) {
      warnings.push({
        subject: "Stack config size",
        message:
          `the stack config reaches the program as one ${count(bytes)}-byte environment variable, near the ` +
          `${count(limit)} bytes Linux allows one (${PULUMI_ENGINE.configEnvironmentBytes.source}); past it pulumi up cannot ` +
          `start. Move workloads and workflows into registry files: pulumi config set ${config.project}:registry registry/ ` +
          "(infra/README.md, 'A registry that scales')",
      });
    }
  }

  if (config.gcp?.jwksJson !== undefined) {
    const days = config.issuer.rotationPeriodDays;
    warnings.push({
      subject: "gcp.jwksJson",
      message:
        `gcp.jwksJson is a copy of the issuer's public keys, and the issuer rotates its signing key every ${days} days ` +
        "(rotationPeriodDays): once the next key signs, GCP refuses its tokens until jwksJson holds it. Refresh it in every " +
        `rotation period from the JWKS the issuer publishes (${config.issuer.issuerUrl}${JWKS_PATH}, which lists the ` +
        "next key before it signs) and run pulumi up, or remove jwksJson so GCP fetches the keys itself",
    });
  }
  warnings.push(...unrequestedAudienceWarnings(config));
  return warnings;
}
