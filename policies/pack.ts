// The policies of the worker-identity pack, importable without serving the pack (index.ts
// constructs the PolicyPack, which starts the analyzer's gRPC server).

import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { awsWebIdentityExactSubject } from "./aws/exact-subject.js";
import { awsRoleMaxSessionDuration } from "./aws/max-session-duration.js";
import { awsTrustNoWildcardPrincipal } from "./aws/no-wildcard-principal.js";
import { awsTrustRegisteredSubjects } from "./aws/registered-subjects.js";
import { awsTagSessionWithWebIdentity } from "./aws/tag-session.js";
import { awsWebIdentityConditions } from "./aws/web-identity-conditions.js";
import { azurePolicies, azureStackPolicies } from "./azure/index.js";
import { cloudflareKeyEncryptionKeySecret } from "./cloudflare/key-encryption-key-secret.js";
import { cloudflareIssuerRotationPeriod } from "./cloudflare/rotation-period.js";
import { cloudflareIssuerTokenLifetimeCap } from "./cloudflare/token-lifetime-cap.js";
import { gcpNoPoolWideImpersonation } from "./gcp/no-pool-wide-impersonation.js";
import { gcpNoProjectWideImpersonation } from "./gcp/no-project-wide-impersonation.js";
import { gcpPrincipalSubjectFits } from "./gcp/principal-subject-fits.js";
import { gcpProviderConditionAndSubject } from "./gcp/provider-condition-and-subject.js";
import { gcpProviderTrustsStackIssuer } from "./gcp/provider-trusts-stack-issuer.js";
import { gcpTrustRegisteredSubjects } from "./gcp/registered-subjects.js";
import { vaultPolicies, vaultStackPolicies } from "./vault/index.js";

export const POLICY_PACK_NAME = "worker-identity";

export const policies: readonly ResourceValidationPolicy[] = [
  awsWebIdentityConditions,
  awsWebIdentityExactSubject,
  awsTrustNoWildcardPrincipal,
  awsTagSessionWithWebIdentity,
  awsRoleMaxSessionDuration,
  gcpProviderConditionAndSubject,
  gcpNoPoolWideImpersonation,
  gcpNoProjectWideImpersonation,
  gcpPrincipalSubjectFits,
  cloudflareKeyEncryptionKeySecret,
  cloudflareIssuerTokenLifetimeCap,
  cloudflareIssuerRotationPeriod,
  ...azurePolicies,
  ...vaultPolicies,
];

/** Policies over the whole stack (the engine runs them after a preview or update): what one resource cannot tell. */
export const stackPolicies: readonly StackValidationPolicy[] = [
  gcpProviderTrustsStackIssuer,
  awsTrustRegisteredSubjects,
  gcpTrustRegisteredSubjects,
  ...azureStackPolicies,
  ...vaultStackPolicies,
];
