// The issuer federated into Microsoft Entra ID. CONTRACT STUB: the Entra work replaces this body
// (applications, service principals and FICs per workload, sharded groups, managed identities).

import * as pulumi from "@pulumi/pulumi";
import type { AzureSettings } from "../../worker/config/types.js";
import type { FederationArgs } from "../federation-args.js";

export interface AzureFederationArgs extends FederationArgs {
  readonly azure: AzureSettings;
}

/** What a workload with `azure` needs to call Entra, and a security team to find its trust. */
export interface AzureWorkloadOutputs {
  readonly tenantId: string;
  /** The application's or managed identity's client id: what azureAccessToken({ clientId }) names. */
  readonly clientId: pulumi.Output<string>;
}

export class AzureFederation extends pulumi.ComponentResource {
  readonly workloads: Record<string, AzureWorkloadOutputs> = {};

  constructor(name: string, _args: AzureFederationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("worker-identity:azure:Federation", name, {}, opts);
    this.registerOutputs({});
  }
}
