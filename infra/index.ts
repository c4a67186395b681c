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
