// The Pulumi type tokens of every resource the fakes model, in one table: the fakes
// register their models under them, and the tests name what they look for by them.

export const TYPE = Object.freeze({
  workersScript: "cloudflare:index/workersScript:WorkersScript",
  workersKvNamespace: "cloudflare:index/workersKvNamespace:WorkersKvNamespace",
  workersCustomDomain: "cloudflare:index/workersCustomDomain:WorkersCustomDomain",
  workersScriptSubdomain: "cloudflare:index/workersScriptSubdomain:WorkersScriptSubdomain",
  workersRoute: "cloudflare:index/workersRoute:WorkersRoute",
  mtlsCertificate: "cloudflare:index/mtlsCertificate:MtlsCertificate",
  oidcProvider: "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
  role: "aws:iam/role:Role",
  rolePolicyAttachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  pool: "gcp:iam/workloadIdentityPool:WorkloadIdentityPool",
  poolProvider: "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider",
  serviceAccount: "gcp:serviceaccount/account:Account",
  serviceAccountMember: "gcp:serviceaccount/iAMMember:IAMMember",
  projectMember: "gcp:projects/iAMMember:IAMMember",
  azureApplication: "azuread:index/application:Application",
  azureServicePrincipal: "azuread:index/servicePrincipal:ServicePrincipal",
  azureApplicationFic: "azuread:index/applicationFederatedIdentityCredential:ApplicationFederatedIdentityCredential",
  azureManagedIdentityFic: "azure-native:managedidentity:FederatedIdentityCredential",
  vaultJwtBackend: "vault:jwt/authBackend:AuthBackend",
  vaultJwtRole: "vault:jwt/authBackendRole:AuthBackendRole",
  randomBytes: "random:index/randomBytes:RandomBytes",
  randomPassword: "random:index/randomPassword:RandomPassword",
  sleep: "time:index/sleep:Sleep",
} as const);
