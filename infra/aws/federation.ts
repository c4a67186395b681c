// AWS IAM federation of the issuer: one OIDC provider for the issuer, and per workload with AWS
// settings one role that trusts that workload's subject alone (trust-policy.ts builds the
// documents), with its managed and inline policies; likewise one role per workflow with AWS
// settings, trusting every instance of that workflow (workflowTrustPolicy). Workloads that also
// hold Cloudflare's native tokens (`native`) get one OIDC provider per distinct native issuer, and
// their role a second statement for exactly their native subject (native-trust.ts).

import { createHash } from "node:crypto";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { AwsSettings, WorkloadAwsSettings, WorkloadConfig } from "../../worker/config/types.js";
import { checkedRoleDescription } from "../../worker/trust/aws/iam-labels.js";
import { nativeRoleDescription, nativeRoleTags, nativeTrustStatement } from "../../worker/trust/aws/native-trust.js";
import {
  issuerHost,
  providerTags,
  roleDescription,
  roleTags,
  webIdentityTrustPolicy,
  workflowRoleDescription,
  workflowRoleTags,
  workflowTrustPolicy,
} from "../../worker/trust/aws/trust-policy.js";
import { type FederationArgs, workflowChildPrefix, workloadChildPrefix } from "../federation-args.js";
import { nativeIssuerId, nativeProviderTags } from "../native-issuer.js";

/** Workloads and workflows with AWS settings get a role. */
export interface AwsFederationArgs extends FederationArgs {
  readonly aws: AwsSettings;
}

export interface FederatedRole {
  readonly arn: pulumi.Output<string>;
  readonly name: pulumi.Output<string>;
}

/** A native issuer's provider, as the outputs name it. */
export interface NativeAwsProvider {
  readonly issuer: string;
  readonly arn: pulumi.Output<string>;
}

export class AwsFederation extends pulumi.ComponentResource {
  readonly providerArn: pulumi.Output<string>;
  /** One per distinct native issuer of the workloads with AWS settings, by issuer URL. */
  readonly nativeProviders: Readonly<Record<string, NativeAwsProvider>>;
  /** By workload name; only workloads with AWS settings have a role. */
  readonly roles: Readonly<Record<string, FederatedRole>>;
  /** By workflow name; only workflows with AWS settings have a role. */
  readonly workflowRoles: Readonly<Record<string, FederatedRole>>;

  constructor(name: string, args: AwsFederationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("worker-identity:aws:Federation", name, {}, opts);
    // Refuse an issuer URL AWS cannot match against iss before creating anything.
    issuerHost(args.issuer.issuerUrl);

    const provider = new aws.iam.OpenIdConnectProvider(
      `${name}-oidc-provider`,
      {
        url: args.issuer.issuerUrl,
        clientIdLists: [args.aws.audience],
        // No thumbprintLists: IAM checks the TLS chain of an issuer served under a public CA itself.
        tags: providerTags(args.issuer.issuerUrl, args.stack),
      },
      { parent: this },
    );
    this.providerArn = provider.arn;
    this.nativeProviders = this.nativeIssuerProviders(name, args);

    const roles: Record<string, FederatedRole> = {};
    for (const workload of args.workloads) {
      if (workload.aws === undefined) continue;
      const native = workload.native;
      const nativeArn = native === undefined ? undefined : this.nativeProviders[native.issuer]?.arn;
      const role = this.role(workloadChildPrefix(name, workload), workload.aws, {
        assumeRolePolicy: pulumi.all([provider.arn, nativeArn]).apply(([arn, nativeProviderArn]) =>
          JSON.stringify(
            webIdentityTrustPolicy({
              providerArn: arn,
              issuerUrl: args.issuer.issuerUrl,
              subject: workload.subject,
              audience: args.aws.audience,
              tagSession: workload.awsSessionTags !== undefined,
              ...(native === undefined || nativeProviderArn === undefined
                ? {}
                : {
                    native: nativeTrustStatement({
                      providerArn: nativeProviderArn,
                      native,
                      audience: args.aws.audience,
                    }),
                  }),
            }),
          ),
        ),
        description:
          native === undefined
            ? roleDescription(workload, args.issuer.issuerUrl)
            : checkedRoleDescription(
                `${roleDescription(workload, args.issuer.issuerUrl)}${nativeRoleDescription(native)}`.slice(0, 1_000),
              ),
        tags: {
          ...roleTags(workload, args.issuer.issuerUrl, args.stack),
          ...(native === undefined ? {} : nativeRoleTags(native)),
        },
      });
      roles[workload.name] = { arn: role.arn, name: role.name };
    }
    this.roles = roles;

    const workflowRoles: Record<string, FederatedRole> = {};
    for (const workflow of args.workflows ?? []) {
      if (workflow.aws === undefined) continue;
      const role = this.role(workflowChildPrefix(name, workflow), workflow.aws, {
        assumeRolePolicy: provider.arn.apply((arn) =>
          JSON.stringify(
            workflowTrustPolicy({
              providerArn: arn,
              issuerUrl: args.issuer.issuerUrl,
              subjectPrefix: workflow.subjectPrefix,
              audience: args.aws.audience,
            }),
          ),
        ),
        description: workflowRoleDescription(workflow, args.issuer.issuerUrl),
        tags: workflowRoleTags(workflow, args.issuer.issuerUrl, args.stack),
      });
      workflowRoles[workflow.name] = { arn: role.arn, name: role.name };
    }
    this.workflowRoles = workflowRoles;

    this.registerOutputs({
      providerArn: this.providerArn,
      nativeProviders: this.nativeProviders,
      roles: this.roles,
      workflowRoles: this.workflowRoles,
    });
  }

  /**
   * One OIDC provider per distinct native issuer of the workloads with AWS settings: its client
   * id is the AWS audience (the validator made every such workload's native audiences list it);
   * like the issuer's provider, no thumbprints (IAM checks the TLS chain of a public issuer).
   */
  private nativeIssuerProviders(name: string, args: AwsFederationArgs): Record<string, NativeAwsProvider> {
    const byIssuer = new Map<string, WorkloadConfig[]>();
    for (const workload of args.workloads) {
      if (workload.aws === undefined || workload.native === undefined) continue;
      byIssuer.set(workload.native.issuer, [...(byIssuer.get(workload.native.issuer) ?? []), workload]);
    }
    const providers: Record<string, NativeAwsProvider> = {};
    for (const [issuer, workloads] of [...byIssuer].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (issuer === args.issuer.issuerUrl) throw new Error(`native issuer ${issuer} is the stack's own issuer`);
      const provider = new aws.iam.OpenIdConnectProvider(
        `${name}-native-oidc-provider-${nativeIssuerId(issuer)}`,
        {
          url: issuer,
          clientIdLists: [args.aws.audience],
          tags: nativeProviderTags(
            issuer,
            workloads.map((w) => w.name),
            args.stack,
          ),
        },
        { parent: this },
      );
      providers[issuer] = { issuer, arn: provider.arn };
    }
    return providers;
  }

  /** A role with its trust document, description and tags, and its managed and inline policies. */
  private role(
    prefix: string,
    settings: WorkloadAwsSettings,
    trust: { assumeRolePolicy: pulumi.Input<string>; description: string; tags: Record<string, string> },
  ): aws.iam.Role {
    const role = new aws.iam.Role(
      `${prefix}-role`,
      { name: settings.roleName, ...trust, maxSessionDuration: settings.maxSessionDurationSeconds },
      { parent: this },
    );
    for (const policyArn of settings.managedPolicyArns) {
      new aws.iam.RolePolicyAttachment(
        `${prefix}-managed-${managedPolicyKey(policyArn)}`,
        { role: role.name, policyArn },
        { parent: this },
      );
    }
    for (const [policyName, document] of Object.entries(settings.inlinePolicies)) {
      new aws.iam.RolePolicy(
        `${prefix}-inline-${policyName}`,
        { role: role.name, name: policyName, policy: document },
        { parent: this },
      );
    }
    return role;
  }
}

/**
 * A stable name part for a managed policy: its readable name plus a short hash of the whole ARN,
 * because the same name can exist in several accounts or paths (`aws` and yours).
 */
function managedPolicyKey(policyArn: string): string {
  const readable = policyArn.slice(policyArn.lastIndexOf("/") + 1).replace(/[^A-Za-z0-9+=,.@_-]/g, "_");
  const digest = createHash("sha256").update(policyArn).digest("hex").slice(0, 8);
  return `${readable}-${digest}`;
}
