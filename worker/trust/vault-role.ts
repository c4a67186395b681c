// What HashiCorp Vault's JWT auth method is told about the issuer, as pure functions: the mount's
// settings (its exact bound_issuer, discovery URL and one algorithm) and each workload's role (its
// exact subject, the Vault audience, exact string claims). infra/vault/federation.ts declares them
// as resources; `wid explain` evaluates tokens against the very same documents.

import type { IssuerSettings, VaultSettings, WorkloadConfig, WorkloadVaultSettings } from "../config/types.js";

/** Claims the issuer writes into every workload token, copied into the token's metadata (and the entity alias's). */
export const VAULT_CLAIM_MAPPINGS: Readonly<Record<string, string>> = Object.freeze({
  worker: "workload",
  account_id: "account_id",
  environment: "environment",
});

/** How a role is named where one is named in full (`wid explain`, the operator page): `<mount>/role/<name>`. */
export function vaultRolePath(mount: string, role: string): string {
  return `${mount}/role/${role}`;
}

/** The JWT auth method's inputs, as vault.jwt.AuthBackend takes them. */
export interface VaultMountDocument {
  readonly path: string;
  readonly type: "jwt";
  readonly description: string;
  readonly oidcDiscoveryUrl: string;
  readonly boundIssuer: string;
  readonly jwtSupportedAlgs: string[];
  readonly namespace?: string;
}

/** One role's inputs, as vault.jwt.AuthBackendRole takes them (`backend` is the mount's path). */
export interface VaultRoleDocument {
  readonly backend: string;
  readonly roleName: string;
  readonly roleType: "jwt";
  readonly boundAudiences: string[];
  readonly boundSubject: string;
  readonly boundClaimsType: "string";
  readonly boundClaims: Record<string, string>;
  readonly userClaim: string;
  readonly claimMappings: Record<string, string>;
  readonly tokenPolicies: string[];
  readonly tokenTtl: number;
  readonly tokenMaxTtl: number;
  readonly tokenType: WorkloadVaultSettings["tokenType"];
  readonly tokenBoundCidrs?: string[];
  readonly namespace?: string;
}

/** The console text of the mount: who it trusts, for whom, from which stack. */
export function vaultBackendDescription(issuer: IssuerSettings, stack: string): string {
  return (
    `worker-identity stack ${stack}: Cloudflare Workers of account ${issuer.accountId} presenting tokens of ` +
    `${issuer.issuerUrl}; one role per Worker, bound to its exact subject`
  );
}

/** The JWT auth method's inputs: the issuer's discovery, its exact `iss`, its one algorithm. */
export function vaultBackendArgs(issuer: IssuerSettings, settings: VaultSettings, stack: string): VaultMountDocument {
  return {
    path: settings.mount,
    type: "jwt",
    description: vaultBackendDescription(issuer, stack),
    // Vault reads <url>/.well-known/openid-configuration, then the JWKS it names: key rotation
    // needs nothing from the program. jwks_url / jwt_validation_pubkeys are not offered: the
    // issuer's keys rotate (rotationPeriodDays), and Vault must reach the issuer either way.
    oidcDiscoveryUrl: issuer.issuerUrl,
    boundIssuer: issuer.issuerUrl,
    jwtSupportedAlgs: [issuer.signingAlgorithm],
    ...(settings.namespace === undefined ? {} : { namespace: settings.namespace }),
  };
}

/** One workload's role: its exact subject, the Vault audience, exact claims, its policies and lifetimes. */
export function vaultRoleArgs(
  issuer: IssuerSettings,
  settings: VaultSettings,
  workload: Pick<WorkloadConfig, "name" | "subject">,
  role: WorkloadVaultSettings,
): VaultRoleDocument {
  return {
    backend: settings.mount,
    roleName: role.role,
    roleType: "jwt",
    boundAudiences: [settings.audience],
    boundSubject: workload.subject,
    boundClaimsType: "string",
    boundClaims: { account_id: issuer.accountId, worker: workload.name },
    userClaim: "sub",
    claimMappings: { ...VAULT_CLAIM_MAPPINGS },
    tokenPolicies: [...role.policies],
    tokenTtl: role.tokenTtlSeconds,
    tokenMaxTtl: role.tokenMaxTtlSeconds,
    tokenType: role.tokenType,
    ...(role.boundCidrs.length === 0 ? {} : { tokenBoundCidrs: [...role.boundCidrs] }),
    ...(settings.namespace === undefined ? {} : { namespace: settings.namespace }),
  };
}
