// What the Entra admin center and the Azure portal show of the trust the program creates: the
// application's display name, description, notes and tags, and each FIC's description, naming the
// stack, the workloads and the exact issuer and subject trusted. Pure, clipped to Entra's limits.

import type { AzureFederatedCredential } from "../../worker/config/azure-settings.js";
import { ENTRA_ID } from "../../worker/config/entra-limits.js";
import type { IssuerSettings } from "../../worker/config/types.js";

export interface ApplicationText {
  readonly displayName: string;
  readonly description: string;
  /** Not shown to end users; no documented limit: every trusted subject in full. */
  readonly notes: string;
  readonly tags: readonly string[];
}

/** Who an application serves: one workload, or a group shard's workloads. */
export interface ApplicationServes {
  readonly displayName: string;
  /** The workloads whose FICs it holds, with their credentials, sorted by name. */
  readonly workloads: readonly { readonly name: string; readonly credentials: readonly AzureFederatedCredential[] }[];
  /** Set for a shard of an application group. */
  readonly group?: { readonly name: string; readonly shard: number };
}

const TAG = "worker-identity";

export function describeApplication(issuer: IssuerSettings, serves: ApplicationServes, stack: string): ApplicationText {
  const names = serves.workloads.map((w) => w.name);
  const who =
    serves.group === undefined
      ? `the Cloudflare Worker ${names[0]}`
      : `the Cloudflare Workers of group ${serves.group.name} (shard ${serves.group.shard}): ${names.join(", ")}`;
  const description =
    `Signed in to only by ${who}, through federated identity credentials trusting exact subjects of ` +
    `${issuer.issuerUrl}. Managed by worker-identity, Pulumi stack ${stack}; change it there, not here.`;
  const notes = [
    `worker-identity, Pulumi stack ${stack}. Each federated identity credential trusts one issuer and one exact subject, audience api://AzureADTokenExchange:`,
    ...serves.workloads.flatMap((w) =>
      w.credentials.map(
        (c) =>
          `- ${w.name}: iss ${c.issuer}, sub ${c.subject} (${c.trusts === "native" ? "Cloudflare-native token" : "worker-identity token"})`,
      ),
    ),
  ].join("\n");
  const tags = [
    TAG,
    `${TAG}:stack=${stack}`,
    ...(serves.group === undefined
      ? [`${TAG}:workload=${names[0]}`]
      : [`${TAG}:group=${serves.group.name}`, `${TAG}:shard=${serves.group.shard}`]),
  ].map((tag) => clip(tag.replace(/\s/g, "_"), ENTRA_ID.applicationTagLength.value));
  return {
    displayName: clip(serves.displayName, ENTRA_ID.applicationDisplayNameLength.value),
    description: clip(description, ENTRA_ID.applicationDescriptionLength.value),
    notes,
    tags,
  };
}

/** A FIC's description: the workload and exactly what it trusts. */
export function describeCredential(workload: string, credential: AzureFederatedCredential, stack: string): string {
  const kind = credential.trusts === "native" ? "Cloudflare-native tokens of" : "tokens of";
  return clip(
    `${kind} the Cloudflare Worker ${workload}: iss ${credential.issuer}, sub ${credential.subject}. worker-identity, Pulumi stack ${stack}.`,
    ENTRA_ID.ficDescriptionLength.value,
  );
}

/** Cut to `max` characters, marking the cut with "...". */
function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 3)}...`;
}
