// The issuer federated into Microsoft Entra ID: per workload with `azure` settings, federated
// identity credentials (FICs) that each trust one issuer and one exact subject (the workload's,
// and its native one when it has `native`), audience api://AzureADTokenExchange, on
// - an application (and its service principal) the program creates for that workload alone;
// - a shard of a program-created application group (shared; the validator keeps each within
//   Entra's 20 FICs);
// - an existing application (only the FICs are the program's; `/applications/<objectId>`);
// - an existing user-assigned managed identity (azure-native, through one provider per
//   subscription, since ARM resources name their subscription in the provider, not the
//   resource; its FICs are written one after the other, as Entra requires).
// No flexible FIC (claims matching) is ever declared: Entra accepts those only for GitHub,
// GitLab and Terraform Cloud tokens, and they match more than one subject.

import * as azureNative from "@pulumi/azure-native";
import * as azuread from "@pulumi/azuread";
import * as pulumi from "@pulumi/pulumi";
import type { AzureFederatedCredential } from "../../worker/config/azure-settings.js";
import type { AzureIdentity, AzureSettings, WorkloadConfig } from "../../worker/config/types.js";
import { entraCredentialDocument } from "../../worker/trust/entra-credential.js";
import { type FederationArgs, workloadChildPrefix } from "../federation-args.js";
import { type ApplicationServes, describeApplication, describeCredential } from "./console-text.js";

export interface AzureFederationArgs extends FederationArgs {
  readonly azure: AzureSettings;
}

/** The options a workload passes to `identity.azureAccessToken`, but for the scope (the resource it calls). */
export interface AzureAccessTokenOutputs {
  readonly tenantId: string;
  readonly clientId: string;
}

/** What a workload with `azure` needs to call Entra, and a security team to find its trust. */
export interface AzureWorkloadOutputs {
  readonly tenantId: string;
  /** The application's or managed identity's client id: what azureAccessToken({ clientId }) names. */
  readonly clientId: pulumi.Output<string>;
  /** "application", "group", "existing-application" or "managed-identity". */
  readonly identityKind: AzureIdentity["kind"];
  /** The application's object id (absent for a managed identity). */
  readonly objectId?: pulumi.Output<string>;
  /** The managed identity's resource id (absent for an application). */
  readonly resourceId?: string;
  /** The FICs' names on that identity, its own subject's first. */
  readonly credentialNames: readonly string[];
  /** `identity.azureAccessToken({ ...this, scope: "<resource>/.default" })`. */
  readonly azureAccessToken: pulumi.Output<AzureAccessTokenOutputs>;
}

/** An application the program created: for one workload, or a group shard. */
interface CreatedApplication {
  readonly application: azuread.Application;
  readonly servicePrincipal: azuread.ServicePrincipal;
}

export class AzureFederation extends pulumi.ComponentResource {
  readonly workloads: Record<string, AzureWorkloadOutputs> = {};
  /** The applications the program created, by Pulumi name (`<name>-<workload>` or `<name>-group.<group>.<shard>`). */
  readonly applications: Record<string, azuread.Application> = {};

  constructor(name: string, args: AzureFederationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("worker-identity:azure:Federation", name, {}, opts);
    const federated = args.workloads.filter(
      (w): w is WorkloadConfig & { azure: NonNullable<WorkloadConfig["azure"]> } => Boolean(w.azure),
    );
    // Every Entra resource is created in the tenant the stack names, whatever tenant the ambient
    // credentials default to: the FICs and the SDK's token endpoint must be the same directory's.
    const directory = new azuread.Provider(`${name}-directory`, { tenantId: args.azure.tenantId }, { parent: this });
    const created = this.#createApplications(name, args, federated, directory);
    const subscriptions = new Map<string, azureNative.Provider>();
    /** The last FIC declared on each managed identity: the next one waits for it. */
    const lastOnIdentity = new Map<string, pulumi.Resource>();

    for (const workload of federated) {
      const { identity, credentials } = workload.azure;
      const prefix = workloadChildPrefix(name, workload);
      const ficName = (c: AzureFederatedCredential) => `${prefix}-fic${c.trusts === "native" ? "-native" : ""}`;
      const description = (c: AzureFederatedCredential) => describeCredential(workload.name, c, args.stack);
      /** What Entra matches a token against: the FIC's exact issuer, subject and audiences. */
      const matched = (c: AzureFederatedCredential) => {
        const { issuer, subject, audiences } = entraCredentialDocument(args.azure, c);
        return { issuer, subject, audiences };
      };
      let clientId: pulumi.Output<string>;
      let objectId: pulumi.Output<string> | undefined;
      let resourceId: string | undefined;
      if (identity.kind === "managed-identity") {
        let provider = subscriptions.get(identity.subscriptionId);
        if (provider === undefined) {
          provider = new azureNative.Provider(
            `${name}-subscription-${identity.subscriptionId}`,
            { subscriptionId: identity.subscriptionId, tenantId: args.azure.tenantId },
            { parent: this },
          );
          subscriptions.set(identity.subscriptionId, provider);
        }
        const identityKey = identity.resourceId.toLowerCase();
        for (const credential of credentials) {
          const previous = lastOnIdentity.get(identityKey);
          const fic = new azureNative.managedidentity.FederatedIdentityCredential(
            ficName(credential),
            {
              resourceGroupName: identity.resourceGroupName,
              resourceName: identity.resourceName,
              federatedIdentityCredentialResourceName: credential.name,
              ...matched(credential),
            },
            { parent: this, provider, ...(previous === undefined ? {} : { dependsOn: [previous] }) },
          );
          lastOnIdentity.set(identityKey, fic);
        }
        clientId = pulumi.output(identity.clientId);
        resourceId = identity.resourceId;
      } else {
        let applicationId: pulumi.Input<string>;
        if (identity.kind === "existing-application") {
          applicationId = `/applications/${identity.objectId}`;
          clientId = pulumi.output(identity.clientId);
          objectId = pulumi.output(identity.objectId);
        } else {
          const app = created.get(applicationKey(name, workload.name, identity));
          if (app === undefined) throw new Error(`no application was declared for workload ${workload.name}`);
          applicationId = app.application.id;
          clientId = app.application.clientId;
          objectId = app.application.objectId;
        }
        for (const credential of credentials) {
          new azuread.ApplicationFederatedIdentityCredential(
            ficName(credential),
            {
              applicationId,
              displayName: credential.name,
              description: description(credential),
              ...matched(credential),
            },
            { parent: this, provider: directory },
          );
        }
      }
      this.workloads[workload.name] = {
        tenantId: args.azure.tenantId,
        clientId,
        identityKind: identity.kind,
        ...(objectId === undefined ? {} : { objectId }),
        ...(resourceId === undefined ? {} : { resourceId }),
        credentialNames: credentials.map((c) => c.name),
        azureAccessToken: clientId.apply((id) => ({ tenantId: args.azure.tenantId, clientId: id })),
      };
    }
    this.registerOutputs({
      workloads: this.workloads,
      applications: Object.fromEntries(Object.entries(this.applications).map(([k, a]) => [k, a.clientId])),
    });
  }

  /** One application and service principal per created identity: a workload's own, or a group shard. */
  #createApplications(
    name: string,
    args: AzureFederationArgs,
    federated: readonly (WorkloadConfig & { azure: NonNullable<WorkloadConfig["azure"]> })[],
    directory: azuread.Provider,
  ): Map<string, CreatedApplication> {
    const serves = new Map<string, ApplicationServes>();
    for (const workload of federated) {
      const { identity, credentials } = workload.azure;
      if (identity.kind !== "application" && identity.kind !== "group") continue;
      const key = applicationKey(name, workload.name, identity);
      const existing = serves.get(key);
      const entry = { name: workload.name, credentials };
      serves.set(key, {
        displayName: identity.displayName,
        workloads: [...(existing?.workloads ?? []), entry],
        ...(identity.kind === "group" ? { group: { name: identity.group, shard: identity.shard } } : {}),
      });
    }
    const created = new Map<string, CreatedApplication>();
    for (const [key, serving] of serves) {
      const text = describeApplication(args.issuer, serving, args.stack);
      const application = new azuread.Application(
        key,
        { displayName: text.displayName, description: text.description, notes: text.notes, tags: [...text.tags] },
        { parent: this, provider: directory },
      );
      const servicePrincipal = new azuread.ServicePrincipal(
        `${key}-sp`,
        { clientId: application.clientId, description: text.description, notes: text.notes, tags: [...text.tags] },
        { parent: this, provider: directory },
      );
      this.applications[key] = application;
      created.set(key, { application, servicePrincipal });
    }
    return created;
  }
}

/** A created application's Pulumi name: '.' is in no workload name, so a group's never meets a workload's. */
function applicationKey(component: string, workload: string, identity: AzureIdentity): string {
  return identity.kind === "group"
    ? `${component}-group.${identity.group}.${identity.shard}`
    : workloadChildPrefix(component, { name: workload });
}
