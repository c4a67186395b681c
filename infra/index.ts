// `pulumi up` runs this: the deployment (program.ts) and the stack outputs platform, workload
// and security teams read (`pulumi stack output`).

import { defineProgram } from "./program.js";

const deployment = defineProgram();

export const issuerUrl = deployment.issuerUrl;
export const jwksUri = deployment.jwksUri;
export const discoveryUrl = deployment.discoveryUrl;
export const issuerScriptName = deployment.issuer.scriptName;
export const adminToken = deployment.issuer.adminToken;
export const awsOidcProviderArn = deployment.aws?.providerArn;
export const gcpWorkloadIdentityPool = deployment.gcp?.poolName;
export const gcpWorkloadIdentityProvider = deployment.gcp?.providerName;
/** The Vault JWT auth mount trusting the issuer (absent without vault); each workload's role is in `workloads`. */
export const vaultJwtAuthPath = deployment.vault?.backend.path;
/** The client id of each Entra application the stack created, by its display name (absent without azure). */
export const azureApplications =
  deployment.azure === undefined
    ? undefined
    : Object.values(deployment.azure.applications).map((application) => ({
        displayName: application.displayName,
        clientId: application.clientId,
      }));
export const workloads = deployment.workloads;
/** PEM: the CA certificates origins trust for workloads' client certificates (absent without mtls). */
export const mtlsCaBundle = deployment.mtls?.caBundle;
/** Per workflow: subject pattern, the binding its script needs, role and service account. */
export const workflows = deployment.workflows;
/** Relying parties: RFC 7662 introspection (HTTP Basic) and the published revocation list. */
export const introspectionUrl = deployment.introspectionUrl;
export const edgeMiddlewareScript = deployment.edgeMiddleware?.scriptName;
export const revocationsUrl = deployment.revocationsUrl;
/** {clientId: secret} of each introspection client (`pulumi stack output introspectionSecrets --show-secrets`). */
export const introspectionSecrets = deployment.issuer.introspectionSecrets;
