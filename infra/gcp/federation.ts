// The issuer federated into GCP Workload Identity Federation: one pool and one OIDC provider
// trusting the issuer for this Cloudflare account, and per workload with `gcp` settings a
// service account that only that workload's principal may impersonate, with its project roles.

import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import type { GcpSettings, IssuerSettings, WorkloadConfig, WorkloadGcpSettings } from "../../worker/config/types.js";
import {
  WORKLOAD_IDENTITY_USER_ROLE,
  attributeCondition,
  attributeMapping,
  describePool,
  describeProvider,
  describeServiceAccount,
  principalFor,
  serviceAccountEmail,
  serviceAccountResourceName,
} from "./workload-identity.js";

export interface GcpFederationArgs {
  readonly issuer: IssuerSettings;
  readonly gcp: GcpSettings;
  readonly workloads: readonly WorkloadConfig[];
  /** The Pulumi stack, named in the console texts. */
  readonly stack: string;
}

export interface GcpWorkloadFederation {
  readonly serviceAccountEmail: pulumi.Output<string>;
  /** The only principal granted roles/iam.workloadIdentityUser on that service account. */
  readonly principal: string;
}

export class GcpFederation extends pulumi.ComponentResource {
  readonly pool: gcp.iam.WorkloadIdentityPool;
  readonly provider: gcp.iam.WorkloadIdentityPoolProvider;
  /** `projects/<number>/locations/global/workloadIdentityPools/<pool>`. */
  readonly poolName: pulumi.Output<string>;
  /** The provider's resource name; `//iam.googleapis.com/` + it is the default audience. */
  readonly providerName: pulumi.Output<string>;
  /** Workloads with `gcp` settings, by name. */
  readonly workloads: Record<string, GcpWorkloadFederation>;

  constructor(name: string, args: GcpFederationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("worker-identity:gcp:Federation", name, {}, opts);
    const { issuer, gcp: settings, stack } = args;

    const poolText = describePool(issuer, stack);
    this.pool = new gcp.iam.WorkloadIdentityPool(
      `${name}-pool`,
      {
        project: settings.projectId,
        workloadIdentityPoolId: settings.poolId,
        displayName: poolText.displayName,
        description: poolText.description,
      },
      { parent: this },
    );

    const providerText = describeProvider(issuer);
    this.provider = new gcp.iam.WorkloadIdentityPoolProvider(
      `${name}-provider`,
      {
        project: settings.projectId,
        workloadIdentityPoolId: this.pool.workloadIdentityPoolId,
        workloadIdentityPoolProviderId: settings.providerId,
        displayName: providerText.displayName,
        description: providerText.description,
        oidc: {
          issuerUri: issuer.issuerUrl,
          allowedAudiences: [settings.audience],
          ...(settings.jwksJson !== undefined ? { jwksJson: settings.jwksJson } : {}),
        },
        attributeMapping: attributeMapping(),
        attributeCondition: attributeCondition(issuer.accountId),
      },
      { parent: this },
    );

    this.poolName = this.pool.name;
    this.providerName = this.provider.name;
    this.workloads = {};
    for (const workload of args.workloads) {
      if (!workload.gcp) continue;
      this.workloads[workload.name] = this.federateWorkload(name, args, workload, workload.gcp);
    }

    this.registerOutputs({ poolName: this.poolName, providerName: this.providerName, workloads: this.workloads });
  }

  private federateWorkload(
    name: string,
    args: GcpFederationArgs,
    workload: WorkloadConfig,
    settings: WorkloadGcpSettings,
  ): GcpWorkloadFederation {
    const { issuer, gcp: federation, stack } = args;
    const prefix = `${name}-${workload.name}`;
    const account = settings.serviceAccount;
    let email: pulumi.Output<string>;
    if (account.kind === "create") {
      const text = describeServiceAccount(issuer, federation, workload, stack);
      const created = new gcp.serviceaccount.Account(
        prefix,
        {
          project: federation.projectId,
          accountId: account.accountId,
          displayName: text.displayName,
          description: text.description,
        },
        { parent: this },
      );
      email = created.email;
    } else {
      email = pulumi.output(serviceAccountEmail(federation, settings));
    }

    // The principal names the pool by its configured id, not by an output: the grant must wait
    // for the provider explicitly, or it would name a pool that does not trust the issuer yet.
    const principal = principalFor(federation, workload.subject);
    new gcp.serviceaccount.IAMMember(
      `${prefix}-workload-identity-user`,
      {
        serviceAccountId: email.apply((address) => serviceAccountResourceName(federation, address)),
        role: WORKLOAD_IDENTITY_USER_ROLE,
        member: principal,
      },
      { parent: this, dependsOn: [this.provider] },
    );

    for (const role of settings.projectRoles) {
      new gcp.projects.IAMMember(
        `${prefix}-${role}`,
        { project: federation.projectId, role, member: pulumi.interpolate`serviceAccount:${email}` },
        { parent: this },
      );
    }
    return { serviceAccountEmail: email, principal };
  }
}
