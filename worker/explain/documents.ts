// The trust documents a stack declares for one workload's or workflow's target, built by the same
// builders the Pulumi program calls (worker/trust/), with the same inputs it passes them
// (infra/aws/federation.ts, infra/gcp/federation.ts, infra/azure/federation.ts,
// infra/vault/federation.ts). Only what the program learns at deploy time is supplied here: the
// AWS account its OIDC providers live in.

import type { StackConfig, WorkflowConfig, WorkloadConfig } from "../config/types.js";
import { nativeTrustStatement } from "../trust/aws/native-trust.js";
import { type TrustPolicyDocument, webIdentityTrustPolicy, workflowTrustPolicy } from "../trust/aws/trust-policy.js";
import { type EntraCredentialDocument, entraCredentialDocument } from "../trust/entra-credential.js";
import {
  nativeAttributeMapping,
  nativeIssuersOf,
  nativeProviderCondition,
  nativeWorkloadsOf,
} from "../trust/gcp/native-provider.js";
import {
  attributeCondition,
  attributeMapping,
  principalInPool,
  principalSetInPool,
  serviceAccountEmail,
} from "../trust/gcp/workload-identity.js";
import {
  type VaultMountDocument,
  type VaultRoleDocument,
  vaultBackendArgs,
  vaultRoleArgs,
} from "../trust/vault-role.js";
import { oidcProviderArn } from "./aws.js";
import type { GcpProviderDocument, GcpTrustDocument } from "./gcp.js";

/** A registered identity: a workload, or every instance of a workflow. */
export type Owner =
  | { readonly kind: "workload"; readonly entry: WorkloadConfig }
  | { readonly kind: "workflow"; readonly entry: WorkflowConfig };

/** The role's trust policy, as AwsFederation writes it with its providers in `account`. */
export function awsTrustPolicy(config: StackConfig, owner: Owner, account: string): TrustPolicyDocument {
  const aws = config.aws;
  if (aws === undefined || owner.entry.aws === undefined) throw new TypeError(`${owner.entry.name} has no AWS role`);
  const issuerUrl = config.issuer.issuerUrl;
  const providerArn = oidcProviderArn(account, issuerUrl);
  if (owner.kind === "workflow") {
    return workflowTrustPolicy({
      providerArn,
      issuerUrl,
      subjectPrefix: owner.entry.subjectPrefix,
      audience: aws.audience,
    });
  }
  const { native } = owner.entry;
  return webIdentityTrustPolicy({
    providerArn,
    issuerUrl,
    subject: owner.entry.subject,
    audience: aws.audience,
    tagSession: owner.entry.awsSessionTags !== undefined,
    ...(native === undefined
      ? {}
      : {
          native: nativeTrustStatement({
            providerArn: oidcProviderArn(account, native.issuer),
            native,
            audience: aws.audience,
          }),
        }),
  });
}

/** The pool's providers and the service account's workloadIdentityUser members, as GcpFederation declares them. */
export function gcpTrustDocument(config: StackConfig, owner: Owner): GcpTrustDocument {
  const gcp = config.gcp;
  const settings = owner.entry.gcp;
  if (gcp === undefined || settings === undefined)
    throw new TypeError(`${owner.entry.name} has no GCP service account`);
  const poolName = `projects/${gcp.projectNumber}/locations/global/workloadIdentityPools/${gcp.poolId}`;
  const nativeIssuers = nativeIssuersOf(config.workloads);
  const providers: GcpProviderDocument[] = [
    {
      id: gcp.providerId,
      issuerUri: config.issuer.issuerUrl,
      allowedAudiences: [gcp.audience],
      attributeMapping: attributeMapping({ workflows: config.workflows.length > 0 }),
      attributeCondition: attributeCondition(config.issuer.accountId, { ownSubjectsOnly: nativeIssuers.length > 0 }),
    },
    ...nativeIssuers.map((issuer) => ({
      id: `native provider of ${issuer}`,
      issuerUri: issuer,
      allowedAudiences: [gcp.audience],
      attributeMapping: nativeAttributeMapping(),
      attributeCondition: nativeProviderCondition(nativeWorkloadsOf(config.workloads, issuer)),
    })),
  ];
  const members =
    owner.kind === "workflow"
      ? [principalSetInPool(poolName, owner.entry.name)]
      : [
          principalInPool(poolName, owner.entry.subject),
          ...(owner.entry.native !== undefined && nativeIssuers.includes(owner.entry.native.issuer)
            ? [principalInPool(poolName, owner.entry.native.subject)]
            : []),
        ];
  return { poolName, providers, serviceAccount: serviceAccountEmail(gcp, settings), members };
}

/** The workload's FICs, as AzureFederation writes them. */
export function entraCredentials(config: StackConfig, workload: WorkloadConfig): EntraCredentialDocument[] {
  if (config.azure === undefined || workload.azure === undefined)
    throw new TypeError(`${workload.name} has no Entra identity`);
  const azure = config.azure;
  return workload.azure.credentials.map((credential) => entraCredentialDocument(azure, credential));
}

/** The mount and the workload's role, as VaultFederation writes them. */
export function vaultDocuments(
  config: StackConfig,
  workload: WorkloadConfig,
): { readonly mount: VaultMountDocument; readonly role: VaultRoleDocument } {
  if (config.vault === undefined || workload.vault === undefined)
    throw new TypeError(`${workload.name} has no Vault role`);
  return {
    mount: vaultBackendArgs(config.issuer, config.vault, config.stack),
    role: vaultRoleArgs(config.issuer, config.vault, workload, workload.vault),
  };
}
