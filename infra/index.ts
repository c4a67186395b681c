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
