// A workload's `azure` section (Microsoft Entra ID): the identity whose federated identity
// credentials (FICs) trust exactly this workload's subject, and its native subject when it has
// `native`. The identity is an application the program creates for this workload alone (the
// default, `azure: {}`), one shard of a program-created application group, an existing
// application, or an existing user-assigned managed identity. Resolved once for all workloads:
// every shared identity (a group shard, an existing application or managed identity named by
// several workloads) must stay within Entra's 20 FICs, and created display names are unique.

import { readGuid } from "./azure.js";
import {
  AZURE_TOKEN_EXCHANGE_AUDIENCE,
  type AzureFederatedCredential,
  type AzureIdentity,
  type AzureSettings,
  type WorkloadAzureSettings,
} from "./azure-settings.js";
import { ENTRA_ID } from "./entra-limits.js";
import { type CloudSection, checkCloudSection, type NameClaim, reportDuplicateNames } from "./federation.js";
import { characterCount, describeValue, type FieldReader, readMapSection, readString } from "./fields.js";
import type { IssueCollector } from "./issues.js";
import { memberKey } from "./key-path.js";
import { DEFAULT_CLOUD_NAME_PREFIX } from "./limits.js";
import type { SectionStack, SectionWorkload, WorkloadSection } from "./relying-parties.js";

const ENTRA: CloudSection = {
  section: "azure",
  cloud: "Microsoft Entra ID",
  minimal: "{tenantId: <directory (tenant) id>}",
  audience: () =>
    "the Entra token exchange audience, the only one its FICs accept, so it could never exchange its tokens",
};

const CLIENT_ID_HELP =
  "the Application (client) ID on the identity's Overview page (az ad app show / az identity show)";
const OBJECT_ID_HELP =
  "the application's Object ID on its App registrations Overview page (az ad app show --id <client-id> --query id -o tsv), not the service principal's";

/** The section as written; names and shards are resolved later, against the stack and the other workloads. */
export type WorkloadAzureEntry =
  | { readonly kind: "create"; readonly group?: string; readonly displayName?: string }
  | { readonly kind: "existing-application"; readonly objectId: string; readonly clientId: string }
  | {
      readonly kind: "managed-identity";
      readonly resourceId: string;
      readonly subscriptionId: string;
      readonly resourceGroupName: string;
      readonly resourceName: string;
      readonly clientId: string;
    };

export const WORKLOAD_AZURE_EMPTY = `is empty; write azure: {} for an application the stack creates (${DEFAULT_CLOUD_NAME_PREFIX}<workload>), or delete the line`;

const SHAPE =
  "a map like {} (the stack creates an application for this workload), {application: {create: {group: <group>}}}, " +
  "{application: {existing: {clientId: <guid>, objectId: <guid>}}} or {managedIdentity: {resourceId: <id>, clientId: <guid>}}";

const AZURE_WORKLOAD_FIELDS = {
  application: {
    read: readApplication,
    empty: "is empty; write application: {create: {}} to let the stack create one, or {existing: {clientId, objectId}}",
  },
  managedIdentity: {
    read: readManagedIdentity,
    empty:
      "is empty; write managedIdentity: {resourceId: /subscriptions/<s>/resourceGroups/<rg>/providers/Microsoft.ManagedIdentity/userAssignedIdentities/<name>, clientId: <guid>}",
  },
} as const;

export const readWorkloadAzure: FieldReader<WorkloadAzureEntry> = (value, key, issues) => {
  const fields = readMapSection(value, key, issues, AZURE_WORKLOAD_FIELDS, {
    what: "an azure field of a workload (application, managedIdentity)",
    shape: SHAPE,
  });
  if (fields === undefined) return undefined;
  if (fields.application !== undefined && fields.managedIdentity !== undefined) {
    issues.add(
      key,
      "sets both application and managedIdentity, but a workload's FICs live on one identity; keep application " +
        "for an app registration, or managedIdentity for a user-assigned managed identity",
    );
    return undefined;
  }
  return fields.application ?? fields.managedIdentity ?? { kind: "create" };
};

const APPLICATION_FIELDS = {
  create: {
    read: readCreate,
    empty: `is empty; write create: {} for the application ${DEFAULT_CLOUD_NAME_PREFIX}<workload>, or create: {group: <group>}`,
  },
  existing: {
    read: readExisting,
    empty: "is empty; write existing: {clientId: <application (client) id>, objectId: <application object id>}",
  },
} as const;

function readApplication(value: unknown, key: string, issues: IssueCollector): WorkloadAzureEntry | undefined {
  const fields = readMapSection(value, key, issues, APPLICATION_FIELDS, {
    what: "an application field (create or existing)",
    shape: "{create: {}} (the stack creates an application for this workload) or {existing: {clientId, objectId}}",
  });
  if (fields === undefined) return undefined;
  if (fields.create !== undefined && fields.existing !== undefined) {
    issues.add(
      key,
      "sets both create and existing; keep create to let the stack create the application, or existing to add " +
        "FICs to one you manage elsewhere",
    );
    return undefined;
  }
  const chosen = fields.create ?? fields.existing;
  if (chosen === undefined)
    issues.add(
      key,
      "names no application; write {create: {}} to let the stack create one, or {existing: {clientId, objectId}}",
    );
  return chosen;
}

function readCreate(value: unknown, key: string, issues: IssueCollector): WorkloadAzureEntry | undefined {
  const fields = readMapSection(
    value,
    key,
    issues,
    {
      group: {
        read: (v, k, i) =>
          readString(v, k, i, "the name of an application group in the stack's azure.applicationGroups"),
      },
      displayName: { read: readDisplayName },
    },
    {
      what: "a create field (group, displayName)",
      shape: `a map like {} (the application ${DEFAULT_CLOUD_NAME_PREFIX}<workload>) or {group: <group>}`,
    },
  );
  if (fields === undefined) return undefined;
  if (fields.group !== undefined && fields.displayName !== undefined) {
    issues.add(
      memberKey(key, "displayName"),
      `is set with group '${fields.group}', but a group's applications are named for the group ` +
        `(${DEFAULT_CLOUD_NAME_PREFIX}<group>-<shard>) and shared; remove displayName, or remove group for an application of this workload's own`,
    );
    return undefined;
  }
  return {
    kind: "create",
    ...(fields.group === undefined ? {} : { group: fields.group }),
    ...(fields.displayName === undefined ? {} : { displayName: fields.displayName }),
  };
}

function readDisplayName(value: unknown, key: string, issues: IssueCollector): string | undefined {
  const name = readString(value, key, issues, "the application's display name");
  if (name === undefined) return undefined;
  const max = ENTRA_ID.applicationDisplayNameLength.value;
  if (name.trim() === "" || name !== name.trim()) {
    issues.add(
      key,
      `is ${describeValue(name)}; a display name is shown in the Entra admin center: write it without leading or trailing spaces`,
    );
    return undefined;
  }
  if (characterCount(name) > max) {
    issues.add(
      key,
      `is ${characterCount(name)} characters, but Entra allows at most ${max} in a display name; shorten it`,
    );
    return undefined;
  }
  return name;
}

function readExisting(value: unknown, key: string, issues: IssueCollector): WorkloadAzureEntry | undefined {
  const fields = readMapSection(
    value,
    key,
    issues,
    {
      clientId: {
        read: (v, k, i) => readGuid(v, k, i, "the application (client) id", CLIENT_ID_HELP),
        required: `is missing; set it to ${CLIENT_ID_HELP}`,
      },
      objectId: {
        read: (v, k, i) => readGuid(v, k, i, "the application's object id", OBJECT_ID_HELP),
        required: `is missing; set it to ${OBJECT_ID_HELP}`,
      },
    },
    {
      what: "an existing application field (clientId, objectId)",
      shape: "a map like {clientId: <guid>, objectId: <guid>}",
    },
  );
  if (fields?.clientId === undefined || fields.objectId === undefined) return undefined;
  const clientId = fields.clientId.toLowerCase();
  const objectId = fields.objectId.toLowerCase();
  if (clientId === objectId) {
    issues.add(
      memberKey(key, "objectId"),
      `equals clientId, but an application's object id and client id differ; set objectId to ${OBJECT_ID_HELP}`,
    );
    return undefined;
  }
  return { kind: "existing-application", clientId, objectId };
}

const RESOURCE_ID_SHAPE =
  "/subscriptions/<subscription id>/resourceGroups/<group>/providers/Microsoft.ManagedIdentity/userAssignedIdentities/<name>";

function readManagedIdentity(value: unknown, key: string, issues: IssueCollector): WorkloadAzureEntry | undefined {
  const fields = readMapSection(
    value,
    key,
    issues,
    {
      resourceId: {
        read: readResourceId,
        required: `is missing; set it to the identity's resource id (${RESOURCE_ID_SHAPE}): az identity show --query id -o tsv`,
      },
      clientId: {
        read: (v, k, i) =>
          readGuid(v, k, i, "the managed identity's client id", "az identity show --query clientId -o tsv"),
        required: "is missing; set it to the identity's client id: az identity show --query clientId -o tsv",
      },
    },
    {
      what: "a managedIdentity field (resourceId, clientId)",
      shape: "a map like {resourceId: <id>, clientId: <guid>}",
    },
  );
  if (fields?.resourceId === undefined || fields.clientId === undefined) return undefined;
  return { kind: "managed-identity", ...fields.resourceId, clientId: fields.clientId.toLowerCase() };
}

function readResourceId(
  value: unknown,
  key: string,
  issues: IssueCollector,
): { resourceId: string; subscriptionId: string; resourceGroupName: string; resourceName: string } | undefined {
  const id = readString(value, key, issues, `a user-assigned managed identity's resource id, ${RESOURCE_ID_SHAPE}`);
  if (id === undefined) return undefined;
  const match = ENTRA_ID.managedIdentityResourceId.value.exec(id);
  if (match === null) {
    const fix = /systemAssigned|Microsoft\.(Compute|Web)\//i.test(id)
      ? "that is not a user-assigned identity: FICs exist only on user-assigned managed identities; create one and name it here"
      : `copy it with az identity show --name <name> --resource-group <group> --query id -o tsv`;
    issues.add(key, `is ${describeValue(id)}, but must be ${RESOURCE_ID_SHAPE}; ${fix}`);
    return undefined;
  }
  const [, subscriptionId, resourceGroupName, resourceName] = match as unknown as [string, string, string, string];
  return { resourceId: id, subscriptionId: subscriptionId.toLowerCase(), resourceGroupName, resourceName };
}

/** FNV-1a over the name's UTF-16 code units: stable across releases and runtimes (no crypto in workerd's sync path). */
export function azureShardOf(workload: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < workload.length; i++) {
    hash ^= workload.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % shards;
}

/** The display name of a group's shard. */
export function azureGroupDisplayName(group: string, shard: number): string {
  return `${DEFAULT_CLOUD_NAME_PREFIX}${group}-${shard}`;
}

/** The FIC names of a workload: one for its own subject, one for its native subject. */
export function azureCredentialName(workload: string, trusts: AzureFederatedCredential["trusts"]): string {
  return `${DEFAULT_CLOUD_NAME_PREFIX}${workload}${trusts === "native" ? "-native" : ""}`;
}

/** Where the FICs of shared identities are counted: one entry per identity. */
interface SharedIdentity {
  readonly describe: string;
  readonly key: string;
  readonly fix: string;
  readonly workloads: { readonly name: string; readonly key: string; readonly count: number }[];
  readonly clientId?: string;
}

export const azureSection: WorkloadSection<WorkloadAzureEntry, WorkloadAzureSettings> = {
  section: "azure",
  field: { read: readWorkloadAzure, empty: WORKLOAD_AZURE_EMPTY },
  resolve(workloads, stack, issues) {
    const resolved = new Map<string, WorkloadAzureSettings>();
    const displayNames: NameClaim[] = [];
    const shared = new Map<string, SharedIdentity>();
    const settings = stack.azure.settings;
    for (const workload of workloads) {
      if (!checkCloudSection(workload, ENTRA, stack.azure, issues)) continue;
      const credentials = credentialsOf(workload, stack, issues);
      if (workload.entry === undefined || settings === undefined || credentials === undefined) continue;
      const identity = identityOf(workload, workload.entry, settings, stack, issues);
      if (identity === undefined) continue;
      const sectionKey = memberKey(workload.key, "azure");
      if (identity.kind === "application") {
        const key = [sectionKey, "application", "create", "displayName"].reduce(memberKey);
        const explicit = workload.entry.kind === "create" && workload.entry.displayName !== undefined;
        displayNames.push({ workload: workload.name, key, name: identity.displayName, explicit });
      } else {
        const entry = sharedIdentityOf(identity, workload, stack, shared);
        if (entry.clientId !== undefined && "clientId" in identity && entry.clientId !== identity.clientId) {
          issues.add(
            memberKey(identityKeyOf(sectionKey, identity), "clientId"),
            `is '${identity.clientId}', but workload '${entry.workloads[0]?.name}' names ${entry.describe} too, with clientId ` +
              `'${entry.clientId}'; an identity has one client id: copy the right one (${CLIENT_ID_HELP}) into both`,
          );
          continue;
        }
        entry.workloads.push({ name: workload.name, key: sectionKey, count: credentials.length });
      }
      resolved.set(workload.name, { identity, credentials });
    }
    for (const [name] of Object.entries(settings?.applicationGroups ?? {})) {
      const shards = settings?.applicationGroups[name]?.shards ?? 0;
      for (let shard = 0; shard < shards; shard++) {
        displayNames.push({
          workload: `(group ${name})`,
          key: memberKey(memberKey(stack.azure.key, "applicationGroups"), name),
          name: azureGroupDisplayName(name, shard),
          explicit: false,
        });
      }
    }
    reportDuplicateNames(
      displayNames,
      (name) => name.toLowerCase(),
      (duplicate, owner) =>
        `is '${duplicate.name}', which is also the display name of the application of ${owner.workload.startsWith("(") ? owner.workload : `workload '${owner.workload}'`}` +
        `${owner.explicit ? " (its displayName)" : " (its default)"}; Entra would show two applications alike, so a ` +
        "security team could not tell whose trust is whose: set another azure.application.create.displayName here",
      issues,
    );
    for (const identity of shared.values()) {
      const total = identity.workloads.reduce((sum, w) => sum + w.count, 0);
      if (total <= ENTRA_ID.ficsPerIdentity.value) continue;
      const names = identity.workloads.map((w) =>
        w.count > 1 ? `${w.name} (${w.count}, with its native subject)` : w.name,
      );
      issues.add(
        identity.key,
        `puts ${total} FICs on ${identity.describe}, for workloads ${names.join(", ")}; Entra allows at most ` +
          `${ENTRA_ID.ficsPerIdentity.value} on one application or managed identity (${ENTRA_ID.ficsPerIdentity.source}); ${identity.fix}`,
      );
      for (const w of identity.workloads) resolved.delete(w.name);
    }
    return resolved;
  },
};

function identityKeyOf(sectionKey: string, identity: AzureIdentity): string {
  if (identity.kind === "managed-identity") return memberKey(sectionKey, "managedIdentity");
  if (identity.kind === "existing-application") return [sectionKey, "application", "existing"].reduce(memberKey);
  return [sectionKey, "application", "create"].reduce(memberKey);
}

function sharedIdentityOf(
  identity: Exclude<AzureIdentity, { kind: "application" }>,
  workload: SectionWorkload<WorkloadAzureEntry>,
  stack: SectionStack,
  shared: Map<string, SharedIdentity>,
): SharedIdentity {
  const sectionKey = memberKey(workload.key, "azure");
  const id =
    identity.kind === "group"
      ? `group:${identity.group}:${identity.shard}`
      : identity.kind === "existing-application"
        ? `application:${identity.objectId}`
        : `identity:${identity.resourceId.toLowerCase()}`;
  let entry = shared.get(id);
  if (entry === undefined) {
    entry =
      identity.kind === "group"
        ? {
            describe: `shard ${identity.shard} of application group '${identity.group}' (${identity.displayName})`,
            key: [stack.azure.key, "applicationGroups", identity.group, "shards"].reduce(memberKey),
            fix: "raise the group's shards (each workload's shard is a hash of its name, so only some move), or move workloads to another group",
            workloads: [],
          }
        : {
            describe:
              identity.kind === "existing-application"
                ? `the application with object id ${identity.objectId}`
                : `the managed identity ${identity.resourceName}`,
            key: identityKeyOf(sectionKey, identity),
            fix: "give some of these workloads another identity (application: {create: {}}, or a group with enough shards)",
            workloads: [],
            clientId: identity.clientId,
          };
    shared.set(id, entry);
  }
  return entry;
}

function identityOf(
  workload: SectionWorkload<WorkloadAzureEntry>,
  entry: WorkloadAzureEntry,
  settings: AzureSettings,
  stack: SectionStack,
  issues: IssueCollector,
): AzureIdentity | undefined {
  if (entry.kind === "existing-application") return entry;
  if (entry.kind === "managed-identity") return entry;
  if (entry.group === undefined) {
    return { kind: "application", displayName: entry.displayName ?? `${DEFAULT_CLOUD_NAME_PREFIX}${workload.name}` };
  }
  const group = settings.applicationGroups[entry.group];
  if (group === undefined) {
    const known = Object.keys(settings.applicationGroups);
    issues.add(
      [workload.key, "azure", "application", "create", "group"].reduce(memberKey),
      `is '${entry.group}', but the stack defines no such application group` +
        (known.length > 0 ? ` (it has ${known.join(", ")})` : "") +
        `; add ${memberKey(stack.azure.key, "applicationGroups")}.${entry.group}: {shards: 1}, or remove group`,
    );
    return undefined;
  }
  const shard = azureShardOf(workload.name, group.shards);
  return { kind: "group", group: entry.group, shard, displayName: azureGroupDisplayName(entry.group, shard) };
}

/** The workload's own subject and, with `native`, its native subject; each within Entra's field limits. */
function credentialsOf(
  workload: SectionWorkload<WorkloadAzureEntry>,
  stack: SectionStack,
  issues: IssueCollector,
): AzureFederatedCredential[] | undefined {
  const issuer = stack.issuerUrl;
  if (issuer === undefined) return undefined;
  const sectionKey = memberKey(workload.key, "azure");
  return issues.checked(() => {
    const credentials: AzureFederatedCredential[] = [
      { name: azureCredentialName(workload.name, "workload"), issuer, subject: workload.subject, trusts: "workload" },
    ];
    const native = workload.native;
    if (native !== undefined) {
      const nativeKey = memberKey(workload.key, "native");
      if (!native.audiences.includes(AZURE_TOKEN_EXCHANGE_AUDIENCE)) {
        issues.add(
          memberKey(nativeKey, "audiences"),
          `does not list '${AZURE_TOKEN_EXCHANGE_AUDIENCE}', the only audience the workload's native FIC accepts; ` +
            "add an oidc_tokens binding with that audience and list it here",
        );
      }
      credentials.push({
        name: azureCredentialName(workload.name, "native"),
        issuer: native.issuer,
        subject: native.subject,
        trusts: "native",
      });
    }
    for (const credential of credentials) {
      const where = credential.trusts === "native" ? memberKey(workload.key, "native") : sectionKey;
      const issuerLength = characterCount(credential.issuer);
      if (issuerLength > ENTRA_ID.ficIssuerLength.value) {
        issues.add(
          credential.trusts === "native" ? memberKey(where, "issuer") : where,
          `needs a FIC whose issuer '${credential.issuer.slice(0, 40)}…' is ${issuerLength} characters, but Entra allows ` +
            `${ENTRA_ID.ficIssuerLength.value} (${ENTRA_ID.ficIssuerLength.source}); use a shorter issuer URL`,
        );
      }
      const subjectLength = characterCount(credential.subject);
      if (subjectLength > ENTRA_ID.ficSubjectLength.value) {
        issues.add(
          credential.trusts === "native" ? memberKey(where, "subject") : where,
          `needs a FIC whose subject is ${subjectLength} characters, but Entra allows ${ENTRA_ID.ficSubjectLength.value} ` +
            `(${ENTRA_ID.ficSubjectLength.source}); remove this workload's azure section, or federate a shorter subject`,
        );
      }
      if (!ENTRA_ID.ficName.value.test(credential.name)) {
        issues.add(
          sectionKey,
          `would name its FIC '${credential.name}', which Entra refuses (${ENTRA_ID.ficName.source}); rename the workload`,
        );
      }
    }
    return credentials;
  });
}
