// Microsoft Entra ID federation: the stack's `azure` key, naming the tenant (directory) the
// program creates applications and federated identity credentials in, and the shard counts of
// the shared application groups. Its audience is fixed, never written: api://AzureADTokenExchange,
// the value Entra documents for every FIC.

import { AZURE_TOKEN_EXCHANGE_AUDIENCE, type AzureApplicationGroup, type AzureSettings } from "./azure-settings.js";
import { ENTRA_ID } from "./entra-limits.js";
import { describeValue, type FieldReader, isPlainObject, readInteger, readMapSection, readString } from "./fields.js";
import type { IssueCollector } from "./issues.js";
import { memberKey } from "./key-path.js";

/** Shards of one group: each holds at most 20 FICs, so 50 shards is room for a thousand workloads. */
export const MAX_AZURE_GROUP_SHARDS = 50;

/** A group's name becomes part of its applications' display names and Pulumi child names. */
export const AZURE_GROUP_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,39}$/;

const TENANT_HELP = "az account show --query tenantId -o tsv, or the Entra admin center's Overview page";

const AZURE_FIELDS = {
  tenantId: {
    read: (value: unknown, key: string, issues: IssueCollector) =>
      readGuid(value, key, issues, "the directory (tenant) id", TENANT_HELP),
    required: `is missing; set it to the directory (tenant) id (${TENANT_HELP}): pulumi config set --path azure.tenantId <tenant-id>`,
  },
  applicationGroups: { read: readApplicationGroups },
} as const;

/** The `azure` stack key. */
export const readAzureSettings: FieldReader<AzureSettings> = (value, key, issues) => {
  const fields = readMapSection(value, key, issues, AZURE_FIELDS, {
    what: "an azure setting",
    jsonText: true,
    shape: "a map like {tenantId: <directory (tenant) id>}",
  });
  if (fields?.tenantId === undefined) return undefined;
  return {
    tenantId: fields.tenantId.toLowerCase(),
    audience: AZURE_TOKEN_EXCHANGE_AUDIENCE,
    applicationGroups: fields.applicationGroups ?? {},
  };
};

export const AZURE_STACK_KEY_EMPTY =
  "is empty; write azure: {tenantId: <directory (tenant) id>} to federate Microsoft Entra ID, or delete the line";

/**
 * A GUID (tenant, object or client id), as Entra writes them: 8-4-4-4-12 hex digits. Braces and
 * the `urn:uuid:` form are refused with the bare GUID as the fix.
 */
export function readGuid(
  value: unknown,
  key: string,
  issues: IssueCollector,
  what: string,
  help: string,
): string | undefined {
  const text = readString(value, key, issues, `${what}, a GUID such as 8d2b6f3e-51a4-4c9e-9a1b-3f0e7c5d2a10`);
  if (text === undefined) return undefined;
  if (ENTRA_ID.guid.value.test(text)) return text;
  const bare = text
    .trim()
    .replace(/^urn:uuid:/i, "")
    .replace(/^\{(.*)\}$/, "$1");
  const fix = ENTRA_ID.guid.value.test(bare)
    ? `write it '${bare.toLowerCase()}'`
    : /\.onmicrosoft\.com$|\./.test(text)
      ? `that is a domain name, not the id; copy the GUID (${help})`
      : `copy it from ${help}`;
  issues.add(key, `is ${describeValue(text)}, but must be ${what}, a GUID (8-4-4-4-12 hex digits); ${fix}`);
  return undefined;
}

function readApplicationGroups(
  value: unknown,
  key: string,
  issues: IssueCollector,
): Readonly<Record<string, AzureApplicationGroup>> | undefined {
  if (!isPlainObject(value)) {
    issues.add(
      key,
      `is ${describeValue(value)}, but must be a map of group names to {shards: N}, e.g. {agents: {shards: 2}}`,
    );
    return undefined;
  }
  return issues.checked(() => {
    const groups: Record<string, AzureApplicationGroup> = {};
    for (const [name, group] of Object.entries(value)) {
      const groupKey = memberKey(key, name);
      if (!AZURE_GROUP_NAME_PATTERN.test(name)) {
        issues.add(
          groupKey,
          "is not a valid group name: 1 to 40 lowercase letters, digits or '-', starting with a letter or digit; rename it",
        );
        continue;
      }
      const fields = readMapSection(
        group,
        groupKey,
        issues,
        {
          shards: {
            read: (v: unknown, k: string, i: IssueCollector) =>
              readInteger(v, k, i, {
                min: 1,
                max: MAX_AZURE_GROUP_SHARDS,
                unit: "applications",
                fix: `each holds at most ${ENTRA_ID.ficsPerIdentity.value} FICs; raise it when the validator says a shard is full`,
              }),
            required: "is missing; set how many applications the group is spread over, e.g. shards: 1",
          },
        },
        { what: "an application group setting", shape: "a map like {shards: 2}" },
      );
      if (fields?.shards !== undefined) groups[name] = { shards: fields.shards };
    }
    return groups;
  });
}
