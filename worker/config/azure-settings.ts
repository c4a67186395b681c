// Microsoft Entra ID federation, as the validator resolves it (azure.ts reads the stack's `azure`
// key, azure-workload.ts each workload's `azure` section): the tenant every workload federates
// into, and per workload the Entra identity whose federated identity credentials (FICs) trust
// exactly that workload's subject (and its native subject, when it has one).

/** The audience Entra expects in a federated assertion (its documented default, and the only one we use). */
export const AZURE_TOKEN_EXCHANGE_AUDIENCE = "api://AzureADTokenExchange";

/** `<project>:azure`: the Entra tenant; absent when the stack does not federate Entra ID. */
export interface AzureSettings {
  /** The directory (tenant) id, a GUID: where the applications and FICs live, and the token endpoint's tenant. */
  readonly tenantId: string;
  /** Always AZURE_TOKEN_EXCHANGE_AUDIENCE: every workload with `azure` must list it in its audiences. */
  readonly audience: string;
  /** Program-created applications shared by several workloads, sharded so none holds more than 20 FICs. */
  readonly applicationGroups: Readonly<Record<string, AzureApplicationGroup>>;
}

export interface AzureApplicationGroup {
  /** How many applications the group is spread over (a workload's shard is a stable hash of its name). */
  readonly shards: number;
}

/** The Entra identity a workload's FICs are attached to. */
export type AzureIdentity =
  /** An application (and its service principal) the program creates for this workload alone. */
  | { readonly kind: "application"; readonly displayName: string }
  /** One shard of a program-created application group. */
  | { readonly kind: "group"; readonly group: string; readonly shard: number; readonly displayName: string }
  /** An application registration managed elsewhere: the program only adds FICs to it. */
  | { readonly kind: "existing-application"; readonly objectId: string; readonly clientId: string }
  /** A user-assigned managed identity managed elsewhere: the program only adds FICs to it. */
  | {
      readonly kind: "managed-identity";
      /** `/subscriptions/<s>/resourceGroups/<rg>/providers/Microsoft.ManagedIdentity/userAssignedIdentities/<name>`. */
      readonly resourceId: string;
      readonly subscriptionId: string;
      readonly resourceGroupName: string;
      readonly resourceName: string;
      readonly clientId: string;
    };

/** One federated identity credential: Entra admits a token whose iss, sub and aud equal these exactly. */
export interface AzureFederatedCredential {
  /** The FIC's name (Graph `name`, the provider's displayName): unique on its identity. */
  readonly name: string;
  readonly issuer: string;
  readonly subject: string;
  /** "workload": the issuer's own subject; "native": the workload's Cloudflare-native subject. */
  readonly trusts: "workload" | "native";
}

/** `workloads.<name>.azure`. */
export interface WorkloadAzureSettings {
  readonly identity: AzureIdentity;
  /** The FICs the program puts on the identity for this workload (its own subject first). */
  readonly credentials: readonly AzureFederatedCredential[];
}
