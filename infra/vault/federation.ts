// The issuer federated into HashiCorp Vault: one JWT auth method (vault.jwt.AuthBackend) that
// trusts exactly the stack's issuer (its discovery document and JWKS, `bound_issuer` equal to the
// issuer URL, only the stack's signing algorithm), and per workload with `vault` settings one
// role (vault.jwt.AuthBackendRole) bound to exactly that workload's subject and the stack's Vault
// audience, with exact (never glob) claims. The argument builders are pure and exported: the
// program, the policy pack's tests and the trust tests read the same documents.
//
// Native tokens: Vault's JWT method has one bound_issuer per mount, and a Cloudflare-native token
// comes from another issuer. A workload with `native` reaches Vault as every workload does, with
// the issuer's own token (which the SDK gets by exchanging the native one at POST /token): no
// second mount, so the mount trusts one issuer and the stack's subjects only.

import * as pulumi from "@pulumi/pulumi";
import * as vault from "@pulumi/vault";
import type {
  IssuerSettings,
  VaultSettings,
  WorkloadConfig,
  WorkloadVaultSettings,
} from "../../worker/config/types.js";
import { type FederationArgs, workloadChildPrefix } from "../federation-args.js";

export interface VaultFederationArgs extends FederationArgs {
  readonly vault: VaultSettings;
}

/** What `vaultToken` takes, exactly as the workload passes it. */
export interface VaultTokenCall {
  readonly address: string;
  readonly mount: string;
  readonly role: string;
  readonly audience: string;
  readonly namespace?: string;
}

/** What a workload with `vault` needs to log in: vaultToken({ address, mount, role, audience }). */
export interface VaultWorkloadOutputs {
  readonly address: string;
  readonly mount: pulumi.Output<string>;
  readonly role: pulumi.Output<string>;
  /** The audience the role binds (the token the SDK presents is for it). */
  readonly audience: string;
  readonly namespace?: string;
  /** The subject the role is bound to (`bound_subject`). */
  readonly boundSubject: string;
  /** The options to pass to vaultToken, once the mount and role exist. */
  readonly vaultToken: pulumi.Output<VaultTokenCall>;
}

/** Claims the issuer writes into every workload token, copied into the token's metadata (and the entity alias's). */
export const VAULT_CLAIM_MAPPINGS: Readonly<Record<string, string>> = Object.freeze({
  worker: "workload",
  account_id: "account_id",
  environment: "environment",
});

/** The console text of the mount: who it trusts, for whom, from which stack. */
export function vaultBackendDescription(issuer: IssuerSettings, stack: string): string {
  return (
    `worker-identity stack ${stack}: Cloudflare Workers of account ${issuer.accountId} presenting tokens of ` +
    `${issuer.issuerUrl}; one role per Worker, bound to its exact subject`
  );
}

/** The JWT auth method's inputs: the issuer's discovery, its exact `iss`, its one algorithm. */
export function vaultBackendArgs(
  issuer: IssuerSettings,
  settings: VaultSettings,
  stack: string,
): vault.jwt.AuthBackendArgs {
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
): Omit<vault.jwt.AuthBackendRoleArgs, "backend"> & { readonly backend: string } {
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

export class VaultFederation extends pulumi.ComponentResource {
  readonly backend: vault.jwt.AuthBackend;
  /** Workloads with `vault` settings, by name. */
  readonly roles: Record<string, vault.jwt.AuthBackendRole> = {};
  readonly workloads: Record<string, VaultWorkloadOutputs> = {};

  constructor(name: string, args: VaultFederationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("worker-identity:vault:Federation", name, {}, opts);
    const { issuer, vault: settings, stack } = args;
    // The mount and roles are written to the server the stack names (the one vaultToken logs in
    // at), not to whatever VAULT_ADDR the deploying shell has; the provider's token stays its own.
    const server = new vault.Provider(`${name}-server`, { address: settings.address }, { parent: this });
    this.backend = new vault.jwt.AuthBackend(`${name}-backend`, vaultBackendArgs(issuer, settings, stack), {
      parent: this,
      provider: server,
    });
    // The roles wait for their mount: the backend's path output, not the configured text.
    const mount = this.backend.path.apply((path) => path ?? settings.mount);
    for (const workload of args.workloads) {
      const role = workload.vault;
      if (role === undefined) continue;
      const roleArgs = vaultRoleArgs(issuer, settings, workload, role);
      const resource = new vault.jwt.AuthBackendRole(
        `${workloadChildPrefix(name, workload)}-role`,
        { ...roleArgs, backend: mount },
        { parent: this, provider: server },
      );
      this.roles[workload.name] = resource;
      const roleName = resource.roleName;
      this.workloads[workload.name] = {
        address: settings.address,
        mount,
        role: roleName,
        audience: settings.audience,
        ...(settings.namespace === undefined ? {} : { namespace: settings.namespace }),
        boundSubject: workload.subject,
        vaultToken: pulumi.all([mount, roleName]).apply(([m, r]) => ({
          address: settings.address,
          mount: m,
          role: r,
          audience: settings.audience,
          ...(settings.namespace === undefined ? {} : { namespace: settings.namespace }),
        })),
      };
    }
    this.registerOutputs({ backend: this.backend.accessor });
  }
}
