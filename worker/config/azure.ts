// Microsoft Entra ID federation: the stack's `azure` key (the tenant, and the shard counts of
// the shared application groups). CONTRACT STUB: the Entra work replaces this body.

import type { AzureSettings } from "./azure-settings.js";
import { AZURE_TOKEN_EXCHANGE_AUDIENCE } from "./azure-settings.js";
import { type FieldReader, isPlainObject } from "./fields.js";

export const readAzureSettings: FieldReader<AzureSettings> = (value, key, issues) => {
  if (typeof value === "string") value = JSON.parse(value) as unknown;
  if (!isPlainObject(value) || typeof value.tenantId !== "string") {
    issues.add(key, "must be a map like {tenantId: <directory (tenant) id>}");
    return undefined;
  }
  return { tenantId: value.tenantId, audience: AZURE_TOKEN_EXCHANGE_AUDIENCE, applicationGroups: {} };
};

export const AZURE_STACK_KEY_EMPTY =
  "is empty; write azure: {tenantId: <directory (tenant) id>} to federate Microsoft Entra ID, or delete the line";
