// The Microsoft Entra ID (azuread 6.x over terraform-provider-azuread, Microsoft Graph) and
// managed identities (azure-native 3.x, ARM Microsoft.ManagedIdentity) provider fakes:
// applications (client and object ids generated once and kept across deploys), their service
// principals, application FICs and managed-identity FICs, refusing what Entra refuses (more than
// 20 FICs on one identity, a second FIC with the same issuer and subject or name on one
// identity, fields over 600 characters, names outside 3-120 of [A-Za-z0-9_-], anything but one
// audience, unknown parents, FICs created concurrently on one managed identity).
// Applications and managed identities managed outside the stack are the fake tenant's
// ENTRA_DIRECTORY.

import { createHash } from "node:crypto";
import { ENTRA_ID } from "../../../worker/config/entra-limits.js";
import { atMost, list, matching, optionalText, requiredText } from "./checks.js";
import type { ProviderFake, RegisterContext, ResourceFake, StoredResource } from "./model.js";
import { TYPE } from "./types.js";

/** What the fake tenant holds that no stack created: existing applications and user-assigned identities. */
export const ENTRA_DIRECTORY = Object.freeze({
  applications: [
    { objectId: "0f3c2b1a-9d8e-4f7a-8b6c-5d4e3f2a1b0c", clientId: "6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d" },
  ] as const,
  managedIdentities: [
    {
      subscriptionId: "11111111-2222-4333-8444-555555555555",
      resourceGroupName: "rg-identity",
      resourceName: "uai-sync",
      clientId: "1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e",
    },
  ] as const,
});

const GRAPH_APPLICATION_CREATE = "https://learn.microsoft.com/en-us/graph/api/application-post-applications";
const GRAPH_FIC_CREATE = "https://learn.microsoft.com/en-us/graph/api/application-post-federatedidentitycredentials";
const AZUREAD_APPLICATION_ID =
  "terraform-provider-azuread internal/services/applications/parse: applicationId is /applications/{objectId}";

/** A GUID (version 4 form) derived from the resource and what it is for: the same on every fake cloud. */
function guidFor(label: string): string {
  const hex = createHash("sha256").update(label).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** A generated output: kept from the prior state unless the resource is replaced. */
function kept(context: RegisterContext, output: string, label: string): string {
  const prior = context.prior?.outputs[output];
  if (!context.replacing && typeof prior === "string") return prior;
  return guidFor(`${context.type}/${context.name}/${context.generation}/${label}`);
}

/**
 * Resources of `type` other than this one that exist while it is created: declared in this
 * deploy, or still in the tenant from the last one (Pulumi creates before it deletes), as
 * checks.ts's takenElsewhere counts them.
 */
function liveElsewhere(context: RegisterContext, type: string): StoredResource[] {
  const claimed = context.deploy.claimed(type);
  const self = context.prior?.name ?? context.name;
  const oldSelfRemains = context.replacing && !context.deleteBeforeReplace;
  return [
    ...context.deploy.declared(type).filter((r) => r.name !== context.name),
    ...context.deploy
      .committed(type)
      .filter((r) => r.retained === true || (r.name !== self ? !claimed.has(r.name) : oldSelfRemains))
      .filter((r) => !context.deploy.declared(type).some((d) => d.name === r.name)),
  ];
}

function checkTags(context: RegisterContext): void {
  for (const tag of list(context, "tags")) {
    if (typeof tag !== "string" || /\s/.test(tag))
      context.refuse(
        `tags: ${JSON.stringify(tag)} must be a string without white space`,
        ENTRA_ID.applicationTagLength,
      );
    atMost(context, `tag ${JSON.stringify(tag.slice(0, 20))}`, tag.length, ENTRA_ID.applicationTagLength, "characters");
  }
}

const application: ResourceFake = {
  // Neither displayName nor any other attribute the program sets forces a new application.
  replaceOn: [],
  register(context) {
    const displayName = requiredText(context, "displayName");
    atMost(context, "displayName", displayName.length, ENTRA_ID.applicationDisplayNameLength, "characters");
    const description = optionalText(context, "description") ?? "";
    atMost(context, "description", description.length, ENTRA_ID.applicationDescriptionLength, "characters");
    checkTags(context);
    const objectId = kept(context, "objectId", "object");
    return {
      ...context.inputs,
      objectId,
      clientId: kept(context, "clientId", "client"),
      // The provider's resource id, which FICs name (`applicationId: app.id`).
      applicationResourceId: `/applications/${objectId}`,
    };
  },
};

const servicePrincipal: ResourceFake = {
  replaceOn: ["clientId"],
  register(context) {
    const clientId = requiredText(context, "clientId");
    const known =
      context.deploy.declared(TYPE.azureApplication).some((a) => a.outputs.clientId === clientId) ||
      ENTRA_DIRECTORY.applications.some((a) => a.clientId === clientId);
    if (!known) {
      context.refuse(
        `Could not find application with client ID "${clientId}" (Request_ResourceNotFound)`,
        "https://learn.microsoft.com/en-us/graph/api/serviceprincipal-post-serviceprincipals (appId of an existing application)",
      );
    }
    if (liveElsewhere(context, TYPE.azureServicePrincipal).some((s) => s.inputs.clientId === clientId)) {
      context.refuse(
        `A service principal already exists for application ${clientId} (ObjectConflict); import it or set useExisting`,
        "https://learn.microsoft.com/en-us/graph/api/serviceprincipal-post-serviceprincipals (one per application in a tenant)",
      );
    }
    checkTags(context);
    return { ...context.inputs, objectId: kept(context, "objectId", "object"), applicationTenantId: "fake-tenant" };
  },
};

/** The FIC fields Entra checks the same way on applications and managed identities. */
function checkCredential(context: RegisterContext, nameKey: string): { name: string; issuer: string; subject: string } {
  const name = requiredText(context, nameKey);
  matching(context, nameKey, name, ENTRA_ID.ficName);
  const issuer = requiredText(context, "issuer");
  atMost(context, "issuer", issuer.length, ENTRA_ID.ficIssuerLength, "characters");
  if (issuer !== issuer.trim())
    context.refuse(
      "issuer has leading or trailing white space; the token exchange is blocked",
      ENTRA_ID.ficIssuerLength,
    );
  const subject = requiredText(context, "subject");
  atMost(context, "subject", subject.length, ENTRA_ID.ficSubjectLength, "characters");
  const audiences = list(context, "audiences");
  if (audiences.length !== ENTRA_ID.ficAudiences.value || typeof audiences[0] !== "string" || audiences[0] === "") {
    context.refuse(
      `audiences has ${audiences.length} values; a federated identity credential takes exactly one`,
      ENTRA_ID.ficAudiences,
    );
  }
  atMost(context, "audiences[0]", String(audiences[0]).length, ENTRA_ID.ficIssuerLength, "characters");
  const description = optionalText(context, "description") ?? "";
  atMost(context, "description", description.length, ENTRA_ID.ficDescriptionLength, "characters");
  return { name, issuer, subject };
}

/** The rules for one parent's FICs: at most 20, names and issuer + subject unique. */
function checkSiblings(
  context: RegisterContext,
  siblings: readonly StoredResource[],
  nameKey: string,
  credential: { name: string; issuer: string; subject: string },
  parent: string,
): void {
  if (siblings.some((s) => String(s.inputs[nameKey]).toLowerCase() === credential.name.toLowerCase())) {
    context.refuse(
      `FederatedIdentityCredential with name ${credential.name} already exists on ${parent} (Request_BadRequest)`,
      GRAPH_FIC_CREATE,
    );
  }
  if (siblings.some((s) => s.inputs.issuer === credential.issuer && s.inputs.subject === credential.subject)) {
    context.refuse(
      `FederatedIdentityCredential with issuer ${credential.issuer} and subject ${credential.subject} already exists on ${parent}`,
      ENTRA_ID.ficIssuerSubjectUnique,
    );
  }
  if (siblings.length + 1 > ENTRA_ID.ficsPerIdentity.value) {
    context.refuse(
      `${parent} already has ${siblings.length} federated identity credentials; the limit is ${ENTRA_ID.ficsPerIdentity.value}`,
      ENTRA_ID.ficsPerIdentity,
    );
  }
}

const APPLICATION_ID = /^\/applications\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

/** The object id of the application an applicationId names: a stack's own (its id) or one in the directory. */
function parentApplication(context: RegisterContext, applicationId: string): string {
  const declared = context.deploy
    .declared(TYPE.azureApplication)
    .find((a) => a.id === applicationId || a.outputs.applicationResourceId === applicationId);
  if (declared !== undefined) return String(declared.outputs.objectId);
  const match = APPLICATION_ID.exec(applicationId);
  if (match === null)
    context.refuse(
      `applicationId ${JSON.stringify(applicationId)} is not /applications/{objectId}`,
      AZUREAD_APPLICATION_ID,
    );
  const objectId = (match[1] ?? "").toLowerCase();
  if (!ENTRA_DIRECTORY.applications.some((a) => a.objectId === objectId)) {
    context.refuse(
      `Resource '${objectId}' does not exist or one of its queried reference-property objects are not present (Request_ResourceNotFound)`,
      GRAPH_APPLICATION_CREATE,
    );
  }
  return objectId;
}

const applicationFic: ResourceFake = {
  // The provider's schema: applicationId and displayName force a new credential.
  replaceOn: ["applicationId", "displayName"],
  register(context) {
    const applicationId = requiredText(context, "applicationId");
    const objectId = parentApplication(context, applicationId);
    const credential = checkCredential(context, "displayName");
    const siblings = liveElsewhere(context, TYPE.azureApplicationFic).filter(
      (f) => f.outputs.applicationObjectId === objectId,
    );
    checkSiblings(context, siblings, "displayName", credential, `application ${objectId}`);
    return {
      ...context.inputs,
      applicationObjectId: objectId,
      credentialId: kept(context, "credentialId", "credential"),
    };
  },
};

const managedIdentityFic: ResourceFake = {
  // ARM: the resource's path (group, identity, name) is its identity.
  replaceOn: ["resourceGroupName", "resourceName", "federatedIdentityCredentialResourceName"],
  register(context) {
    const group = requiredText(context, "resourceGroupName");
    const identityName = requiredText(context, "resourceName");
    const identity = ENTRA_DIRECTORY.managedIdentities.find(
      (m) => m.resourceGroupName.toLowerCase() === group.toLowerCase() && m.resourceName === identityName,
    );
    if (identity === undefined) {
      context.refuse(
        `ResourceNotFound: The Resource 'Microsoft.ManagedIdentity/userAssignedIdentities/${identityName}' under resource group '${group}' was not found`,
        "https://learn.microsoft.com/en-us/rest/api/managedidentity/federated-identity-credentials/create-or-update",
      );
    }
    const credential = checkCredential(context, "federatedIdentityCredentialResourceName");
    const sameParent = (f: StoredResource) =>
      String(f.inputs.resourceGroupName).toLowerCase() === group.toLowerCase() &&
      f.inputs.resourceName === identityName;
    const siblings = liveElsewhere(context, TYPE.azureManagedIdentityFic).filter(sameParent);
    checkSiblings(context, siblings, "federatedIdentityCredentialResourceName", credential, `identity ${identityName}`);
    if (context.prior === undefined || context.replacing) {
      const waited = new Set(context.waitsFor().map((r) => r.name));
      const concurrent = context.deploy
        .created(TYPE.azureManagedIdentityFic)
        .filter((f) => f.name !== context.name && sameParent(f) && !waited.has(f.name));
      if (concurrent.length > 0) {
        context.refuse(
          `ConcurrentFederatedIdentityCredentialsWritesForSingleManagedIdentity: Too many Federated Identity Credentials are written concurrently for the managed identity ${identityName} (with ${concurrent.map((f) => f.name).join(", ")})`,
          ENTRA_ID.managedIdentityFicsSequential,
        );
      }
    }
    return {
      ...context.inputs,
      name: credential.name,
      type: "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials",
      azureApiVersion: "2023-01-31",
    };
  },
};

export const azureFake: ProviderFake = {
  resources: {
    [TYPE.azureApplication]: application,
    [TYPE.azureServicePrincipal]: servicePrincipal,
    [TYPE.azureApplicationFic]: applicationFic,
    [TYPE.azureManagedIdentityFic]: managedIdentityFic,
  },
  functions: {},
};
