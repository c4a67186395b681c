// The issuer federated into HashiCorp Vault. CONTRACT STUB: the Vault work replaces this body
// (the JWT auth backend and one role per workload).

import * as pulumi from "@pulumi/pulumi";
import type { VaultSettings } from "../../worker/config/types.js";
import type { FederationArgs } from "../federation-args.js";

export interface VaultFederationArgs extends FederationArgs {
  readonly vault: VaultSettings;
}

/** What a workload with `vault` needs to log in: vaultToken({ address, mount, role }). */
export interface VaultWorkloadOutputs {
  readonly address: string;
  readonly mount: pulumi.Output<string>;
  readonly role: pulumi.Output<string>;
}

export class VaultFederation extends pulumi.ComponentResource {
  readonly workloads: Record<string, VaultWorkloadOutputs> = {};

  constructor(name: string, _args: VaultFederationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("worker-identity:vault:Federation", name, {}, opts);
    this.registerOutputs({});
  }
}
