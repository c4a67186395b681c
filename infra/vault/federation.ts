// The issuer federated into HashiCorp Vault: one JWT auth method (vault.jwt.AuthBackend) that
// trusts exactly the stack's issuer (its discovery document and JWKS, `bound_issuer` equal to the
// issuer URL, only the stack's signing algorithm), and per workload with `vault` settings one
// role (vault.jwt.AuthBackendRole) bound to exactly that workload's subject and the stack's Vault
// audience, with exact (never glob) claims. The argument builders are pure (worker/trust/vault-role.ts):
// the program and `wid explain` read the same documents.
//
// Native tokens: Vault's JWT method has one bound_issuer per mount, and a Cloudflare-native token
// comes from another issuer. A workload with `native` reaches Vault as every workload does, with
// the issuer's own token (which the SDK gets by exchanging the native one at POST /token): no
// second mount, so the mount trusts one issuer and the stack's subjects only.

import * as pulumi from "@pulumi/pulumi";
import * as vault from "@pulumi/vault";
import type { VaultSettings } from "../../worker/config/types.js";
import { vaultBackendArgs, vaultRoleArgs } from "../../worker/trust/vault-role.js";
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
