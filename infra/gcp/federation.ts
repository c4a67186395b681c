// The issuer federated into GCP Workload Identity Federation: one pool and one OIDC provider
// trusting the issuer for this Cloudflare account, and per workload with `gcp` settings a
// service account that only that workload's principal may impersonate, with its project roles;
// per workflow with `gcp` settings, one that every instance of that workflow (the principalSet of
// its attribute.workflow) may impersonate. Every GCP resource waits for GCP to confirm that the
// configured project number is the project's (project-number.ts), and principals are named by the
// pool's own `name` output, so a typo in the number stops the deploy instead of granting elsewhere.
// Workloads that also hold Cloudflare's native tokens (`native`) get, per distinct native issuer,
// one more provider in the same pool admitting only their registered subjects (native-provider.ts
// says why), and their service account a second grant for exactly their native subject.

import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import * as time from "@pulumiverse/time";
import type { GcpSettings, WorkloadGcpSettings } from "../../worker/config/types.js";
import {
  describeNativeProvider,
  nativeAttributeMapping,
  nativeIssuersOf,
  nativeProviderCondition,
  nativeWorkloadsOf,
} from "../../worker/trust/gcp/native-provider.js";
import {
  attributeCondition,
  attributeMapping,
  describePool,
  describeProvider,
  describeServiceAccount,
  describeWorkflowServiceAccount,
  principalInPool,
  principalSetInPool,
  serviceAccountEmail,
  serviceAccountResourceName,
  WORKLOAD_IDENTITY_USER_ROLE,
} from "../../worker/trust/gcp/workload-identity.js";
import { type FederationArgs, workflowChildPrefix, workloadChildPrefix } from "../federation-args.js";
import { nativeIssuerId, nativeProviderId } from "../native-issuer.js";
import { checkedProjectId } from "./project-number.js";

/**
 * How long grants on a service account wait after the stack creates it. Creation is eventually
 * consistent (the Account resource's own doc says grants made at once can fail): the provider
 * polls the new account until reads succeed (and sleeps 10 s), but a project IAMMember's
 * read-modify-write does not retry "Service account ... does not exist" when nothing else changed
 * the policy (terraform-provider-google, tpgiamresource iamPolicyReadModifyWrite). A Sleep waits
 * once, when the account is created (or replaced: its uniqueId is a trigger), never on later ups
 * and never for an existing account.
 */
const SERVICE_ACCOUNT_SETTLE_DURATION = "30s";

/** Workloads and workflows with `gcp` settings get a service account. */
export interface GcpFederationArgs extends FederationArgs {
  readonly gcp: GcpSettings;
}

export interface GcpWorkloadFederation {
  readonly serviceAccountEmail: pulumi.Output<string>;
  /** The only principal granted roles/iam.workloadIdentityUser on that service account (named by the pool's `name`). */
  readonly principal: pulumi.Output<string>;
  /** Its native subject's principal, granted the same role, when the workload has `native`. */
  readonly nativePrincipal?: pulumi.Output<string>;
  /** The native issuer's provider resource name (`//iam.googleapis.com/` + it is the STS audience to name). */
  readonly nativeProviderName?: pulumi.Output<string>;
}

export class GcpFederation extends pulumi.ComponentResource {
  readonly pool: gcp.iam.WorkloadIdentityPool;
  readonly provider: gcp.iam.WorkloadIdentityPoolProvider;
  /** `projects/<number>/locations/global/workloadIdentityPools/<pool>`. */
  readonly poolName: pulumi.Output<string>;
  /** The provider's resource name; `//iam.googleapis.com/` + it is the default audience. */
  readonly providerName: pulumi.Output<string>;
  /** One provider per distinct native issuer of the workloads with `gcp` settings, by issuer URL. */
  readonly nativeProviders: Record<string, gcp.iam.WorkloadIdentityPoolProvider>;
  /** Workloads with `gcp` settings, by name. */
  readonly workloads: Record<string, GcpWorkloadFederation>;
  /** Workflows with `gcp` settings, by name; `principal` is the workflow's principalSet. */
  readonly workflows: Record<string, GcpWorkloadFederation>;

  constructor(name: string, args: GcpFederationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("worker-identity:gcp:Federation", name, {}, opts);
    const { issuer, gcp: settings, stack } = args;
    // The project id every GCP resource names, known only once GCP's number for it is the configured one.
    const project = gcp.organizations
      .getProjectOutput({ projectId: settings.projectId }, { parent: this })
      .apply((found) => checkedProjectId(settings, found.number));

    const poolText = describePool(issuer, stack);
    this.pool = new gcp.iam.WorkloadIdentityPool(
      `${name}-pool`,
      {
        project,
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
        project,
        workloadIdentityPoolId: this.pool.workloadIdentityPoolId,
        workloadIdentityPoolProviderId: settings.providerId,
        displayName: providerText.displayName,
        description: providerText.description,
        oidc: {
          issuerUri: issuer.issuerUrl,
          allowedAudiences: [settings.audience],
          ...(settings.jwksJson !== undefined ? { jwksJson: settings.jwksJson } : {}),
        },
        attributeMapping: attributeMapping({ workflows: (args.workflows ?? []).length > 0 }),
        attributeCondition: attributeCondition(issuer.accountId, {
          ownSubjectsOnly: nativeIssuersOf(args.workloads).length > 0,
        }),
      },
      { parent: this },
    );

    this.nativeProviders = {};
    for (const nativeIssuer of nativeIssuersOf(args.workloads)) {
      if (nativeIssuer === issuer.issuerUrl) throw new Error(`native issuer ${nativeIssuer} is the stack's own issuer`);
      const served = nativeWorkloadsOf(args.workloads, nativeIssuer);
      const text = describeNativeProvider(nativeIssuer, served, stack);
      this.nativeProviders[nativeIssuer] = new gcp.iam.WorkloadIdentityPoolProvider(
        `${name}-native-provider-${nativeIssuerId(nativeIssuer)}`,
        {
          project,
          workloadIdentityPoolId: this.pool.workloadIdentityPoolId,
          workloadIdentityPoolProviderId: nativeProviderId(nativeIssuer),
          displayName: text.displayName,
          description: text.description,
          // The GCP audience the validator made every such workload's native audiences list.
          oidc: { issuerUri: nativeIssuer, allowedAudiences: [settings.audience] },
          attributeMapping: nativeAttributeMapping(),
          attributeCondition: nativeProviderCondition(served),
        },
        { parent: this },
      );
    }

    this.poolName = this.pool.name;
    this.providerName = this.provider.name;
    this.workloads = {};
    for (const workload of args.workloads) {
      if (!workload.gcp) continue;
      const native = workload.native;
      const nativeProvider = native === undefined ? undefined : this.nativeProviders[native.issuer];
      this.workloads[workload.name] = this.federate(
        workloadChildPrefix(name, workload),
        args,
        project,
        workload.gcp,
        this.poolName.apply((pool) => principalInPool(pool, workload.subject)),
        describeServiceAccount(issuer, settings, workload, stack),
        native === undefined || nativeProvider === undefined
          ? undefined
          : {
              principal: this.poolName.apply((pool) => principalInPool(pool, native.subject)),
              provider: nativeProvider,
            },
      );
    }

    this.workflows = {};
    for (const workflow of args.workflows ?? []) {
      if (!workflow.gcp) continue;
      this.workflows[workflow.name] = this.federate(
        workflowChildPrefix(name, workflow),
        args,
        project,
        workflow.gcp,
        this.poolName.apply((pool) => principalSetInPool(pool, workflow.name)),
        describeWorkflowServiceAccount(issuer, settings, workflow, stack),
      );
    }

    this.registerOutputs({
      poolName: this.poolName,
      nativeProviders: Object.fromEntries(Object.entries(this.nativeProviders).map(([k, p]) => [k, p.name])),
      providerName: this.providerName,
      workloads: this.workloads,
      workflows: this.workflows,
    });
  }

  /** A service account (created or existing) that `principal` alone may impersonate, with its project roles. */
  private federate(
    prefix: string,
    args: GcpFederationArgs,
    project: pulumi.Output<string>,
    settings: WorkloadGcpSettings,
    principal: pulumi.Output<string>,
    text: { displayName: string; description: string },
    native?: { principal: pulumi.Output<string>; provider: gcp.iam.WorkloadIdentityPoolProvider },
  ): GcpWorkloadFederation {
    const federation = args.gcp;
    const account = settings.serviceAccount;
    let email: pulumi.Output<string>;
    /** The email as the grants name it: for a created account, only once it has settled. */
    let grantee: pulumi.Output<string>;
    if (account.kind === "create") {
      const created = new gcp.serviceaccount.Account(
        prefix,
        {
          project,
          accountId: account.accountId,
          displayName: text.displayName,
          description: text.description,
        },
        { parent: this },
      );
      email = created.email;
      const settled = new time.Sleep(
        `${prefix}-settle`,
        {
          createDuration: SERVICE_ACCOUNT_SETTLE_DURATION,
          triggers: { uniqueId: created.uniqueId, email: created.email },
        },
        { parent: this },
      );
      // The grants read the email together with the sleep's triggers, so they wait for it.
      grantee = pulumi.all([settled.triggers, created.email]).apply(([, address]) => address);
    } else {
      email = pulumi.output(serviceAccountEmail(federation, settings));
      grantee = email;
    }

    // The principal names the pool by its output, which exists before the provider: the grant must
    // wait for the provider explicitly, or it would name a pool that does not trust the issuer yet.
    new gcp.serviceaccount.IAMMember(
      `${prefix}-workload-identity-user`,
      {
        serviceAccountId: grantee.apply((address) => serviceAccountResourceName(federation, address)),
        role: WORKLOAD_IDENTITY_USER_ROLE,
        member: principal,
      },
      { parent: this, dependsOn: [this.provider] },
    );
    if (native !== undefined) {
      // The same role for exactly the native subject, once the provider admitting it exists.
      new gcp.serviceaccount.IAMMember(
        `${prefix}-native-workload-identity-user`,
        {
          serviceAccountId: grantee.apply((address) => serviceAccountResourceName(federation, address)),
          role: WORKLOAD_IDENTITY_USER_ROLE,
          member: native.principal,
        },
        { parent: this, dependsOn: [native.provider] },
      );
    }

    for (const role of settings.projectRoles) {
      new gcp.projects.IAMMember(
        `${prefix}-${role}`,
        { project, role, member: pulumi.interpolate`serviceAccount:${grantee}` },
        { parent: this },
      );
    }
    return {
      serviceAccountEmail: email,
      principal,
      ...(native === undefined ? {} : { nativePrincipal: native.principal, nativeProviderName: native.provider.name }),
    };
  }
}
