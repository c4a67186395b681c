// `wid explain` over a validated stack: which workload's or workflow's target a name given on the
// command line is (a role ARN, a service account email, an Entra application or managed identity,
// a Vault role), its trust documents (documents.ts), the claims the issuer would mint for an
// identity (worker/tokens/claims.ts, worker/workflows/claims.ts: the issuer's own builders, no key
// needed), the evaluation, and a hint naming the fix for the condition that failed.

import type { StackConfig } from "../config/types.js";
import { workloadTokenClaims } from "../tokens/claims.js";
import { federatedTargets, type TargetParty } from "../trust/targets.js";
import { vaultRolePath } from "../trust/vault-role.js";
import { workflowTokenClaims } from "../workflows/claims.js";
import { explainAwsTrust, parseRoleArn } from "./aws.js";
import { awsTrustPolicy, entraCredentials, gcpTrustDocument, type Owner, vaultDocuments } from "./documents.js";
import { explainEntraTrust } from "./entra.js";
import type { Explanation, TokenClaims } from "./explanation.js";
import { explainGcpTrust } from "./gcp.js";
import { explainVaultTrust } from "./vault.js";

export type { Owner } from "./documents.js";

/** The parties `wid explain` evaluates (the Claude and OpenAI APIs' trust is printed by `wid trust`). */
export type ExplainedParty = Extract<TargetParty, "aws" | "gcp" | "azure" | "vault">;

/** A target the stack declares, ready to judge tokens. */
export interface ResolvedTarget {
  readonly party: ExplainedParty;
  /** The target as the party names it. */
  readonly target: string;
  readonly owner: Owner;
  /** The aud it requires. */
  readonly audience: string;
  explain(claims: TokenClaims): Explanation;
}

/** A name on the command line that is no target of the stack, or an unknown workload: exit 1, naming what exists. */
export class ExplainLookupError extends Error {
  constructor(
    readonly code: "unknown_target" | "unknown_workload",
    message: string,
  ) {
    super(message);
    this.name = "ExplainLookupError";
  }
}

/** Stands for the stack's AWS account when none is known: the stack file does not name it. */
export const AWS_ACCOUNT_PLACEHOLDER = "000000000000";

const PARTY_NAMES: Readonly<Record<ExplainedParty, string>> = {
  aws: "role",
  gcp: "service account",
  azure: "Entra identity",
  vault: "Vault role",
};

function owners(config: StackConfig): Owner[] {
  return [
    ...config.workloads.map((entry): Owner => ({ kind: "workload", entry })),
    ...config.workflows.map((entry): Owner => ({ kind: "workflow", entry })),
  ];
}

/** The workload or workflow `name` names (`kind` when the command line said which). */
export function ownerNamed(config: StackConfig, name: string, kind?: Owner["kind"]): Owner {
  const found = owners(config).find((o) => o.entry.name === name && (kind === undefined || o.kind === kind));
  if (found !== undefined) return found;
  const of = (k: Owner["kind"]) => (k === "workload" ? config.workloads : config.workflows).map((e) => e.name);
  const listed = kind === undefined ? [...of("workload"), ...of("workflow")] : of(kind);
  throw new ExplainLookupError(
    "unknown_workload",
    `stack ${config.stack} has no ${kind ?? "workload or workflow"} '${name}' (its ${kind ?? "workload"}s: ${listed.join(", ") || "none"})`,
  );
}

/** Every evaluated target of an identity, in party order: the ones `federatedTargets` lists. */
export function targetsOf(
  config: StackConfig,
  owner: Owner,
  options: { readonly awsAccount?: string } = {},
): ResolvedTarget[] {
  const account = options.awsAccount ?? AWS_ACCOUNT_PLACEHOLDER;
  const resolved: ResolvedTarget[] = [];
  for (const target of federatedTargets(config, owner.entry)) {
    switch (target.party) {
      case "aws":
        resolved.push(awsTarget(config, owner, `arn:aws:iam::${account}:role/${target.target}`, account));
        break;
      case "gcp":
        resolved.push(gcpTarget(config, owner));
        break;
      case "azure":
        if (owner.kind === "workload") resolved.push(entraTarget(config, owner, target.target));
        break;
      case "vault":
        if (owner.kind === "workload") resolved.push(vaultTarget(config, owner));
        break;
      default:
        break;
    }
  }
  return resolved;
}

/** The targets `federatedTargets` lists that `wid explain` does not evaluate (`wid trust` prints them). */
export function printedTargetsOf(config: StackConfig, owner: Owner): { party: TargetParty; target: string }[] {
  return federatedTargets(config, owner.entry)
    .filter((t) => t.party === "anthropic" || t.party === "openai")
    .map((t) => ({ party: t.party, target: t.target }));
}

/**
 * The target `name` names: an IAM role ARN (its name is a workload's or workflow's aws.roleName),
 * a service account email, an Entra client id, application (`application <name>` or its display
 * name) or managed identity resource id, or a Vault role (`<mount>/role/<name>` or its name).
 */
export function resolveTarget(
  config: StackConfig,
  name: string,
  options: { readonly awsAccount?: string } = {},
): ResolvedTarget {
  const arn = parseRoleArn(name);
  if (arn !== undefined) {
    const owner = owners(config).find((o) => o.entry.aws?.roleName === arn.roleName);
    if (owner === undefined || config.aws === undefined) {
      throw unknownTarget(
        config,
        "aws",
        `no workload or workflow of stack ${config.stack} has the role ${arn.roleName}`,
      );
    }
    return awsTarget(config, owner, name, options.awsAccount ?? arn.account);
  }
  if (name.startsWith("arn:")) {
    throw unknownTarget(config, "aws", `${name} is not an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>)`);
  }
  if (name.includes("@")) {
    const owner = owners(config).find(
      (o) =>
        o.entry.gcp !== undefined && config.gcp !== undefined && gcpTrustDocument(config, o).serviceAccount === name,
    );
    if (owner === undefined) {
      throw unknownTarget(config, "gcp", `no workload or workflow of stack ${config.stack} impersonates ${name}`);
    }
    return gcpTarget(config, owner);
  }
  const candidates: ResolvedTarget[] = [];
  for (const owner of owners(config)) {
    if (owner.kind !== "workload") continue;
    const workload = owner.entry;
    const vault = config.vault;
    if (workload.vault !== undefined && vault !== undefined) {
      const role = workload.vault.role;
      if (name === role || name === vaultRolePath(vault.mount, role)) candidates.push(vaultTarget(config, owner));
    }
    const identity = workload.azure?.identity;
    if (identity !== undefined && config.azure !== undefined) {
      const names =
        identity.kind === "managed-identity"
          ? [identity.resourceId, identity.clientId, identity.resourceName]
          : identity.kind === "existing-application"
            ? [identity.clientId, identity.objectId, `application ${identity.clientId}`]
            : [identity.displayName, `application ${identity.displayName}`];
      const label = federatedTargets(config, workload).find((t) => t.party === "azure")?.target ?? name;
      if (names.some((n) => n.toLowerCase() === name.toLowerCase())) candidates.push(entraTarget(config, owner, label));
    }
  }
  if (candidates.length === 1) return candidates[0]!;
  if (candidates.length > 1) {
    throw new ExplainLookupError(
      "unknown_target",
      `${name} names ${candidates.map((c) => `the ${PARTY_NAMES[c.party]} of ${c.owner.entry.name}`).join(" and ")}: ` +
        `write a Vault role as <mount>/role/<name>, an Entra application as "application <name>"`,
    );
  }
  throw unknownTarget(config, undefined, `stack ${config.stack} declares no target ${name}`);
}

function unknownTarget(config: StackConfig, party: ExplainedParty | undefined, why: string): ExplainLookupError {
  const known = owners(config)
    .flatMap((o) => federatedTargets(config, o.entry).map((t) => ({ ...t, owner: o.entry.name })))
    .filter((t) => (party === undefined ? t.party !== "anthropic" && t.party !== "openai" : t.party === party))
    .map((t) => `${t.party === "aws" ? `arn:aws:iam::<account>:role/${t.target}` : t.target} (${t.owner})`);
  return new ExplainLookupError(
    "unknown_target",
    `${why}; give ${party === undefined ? "a role ARN, a service account email, an Entra application or a Vault role" : `one of its ${PARTY_NAMES[party]}s`}` +
      `: ${known.join(", ") || "the stack declares none"} (\`wid explain --workload <name>\` lists a workload's)`,
  );
}

function awsTarget(config: StackConfig, owner: Owner, roleArn: string, account: string): ResolvedTarget {
  const policy = awsTrustPolicy(config, owner, account);
  return {
    party: "aws",
    target: roleArn,
    owner,
    audience: config.aws!.audience,
    explain: (claims) => explainAwsTrust(policy, { roleArn, claims }),
  };
}

function gcpTarget(config: StackConfig, owner: Owner): ResolvedTarget {
  const document = gcpTrustDocument(config, owner);
  return {
    party: "gcp",
    target: document.serviceAccount,
    owner,
    audience: config.gcp!.audience,
    explain: (claims) => explainGcpTrust(document, claims),
  };
}

function entraTarget(config: StackConfig, owner: Owner & { kind: "workload" }, label: string): ResolvedTarget {
  const credentials = entraCredentials(config, owner.entry);
  return {
    party: "azure",
    target: label,
    owner,
    audience: config.azure!.audience,
    explain: (claims) => explainEntraTrust(label, credentials, claims),
  };
}

function vaultTarget(config: StackConfig, owner: Owner & { kind: "workload" }): ResolvedTarget {
  const { mount, role } = vaultDocuments(config, owner.entry);
  return {
    party: "vault",
    target: vaultRolePath(role.backend, role.roleName),
    owner,
    audience: config.vault!.audience,
    explain: (claims) => explainVaultTrust(mount, role, claims),
  };
}

/** The issuer refuses to mint a token for an audience the identity does not list. */
export class AudienceNotAllowedError extends Error {
  readonly code = "audience_not_allowed";
  constructor(owner: Owner, audience: string) {
    super(
      `the issuer mints ${owner.entry.name} no token for ${audience}: its audiences are ${owner.entry.audiences.join(", ")}; ` +
        `add ${audience} to ${owner.kind}s.${owner.entry.name}.audiences`,
    );
    this.name = "AudienceNotAllowedError";
  }
}

/** The instance id the claims of a workflow's token are minted for (its trust admits every instance alike). */
export const EXAMPLE_INSTANCE_ID = "wid-explain";

/** The claims the issuer would mint for `owner` and `audience` at `now` (seconds), exactly as it builds them. */
export function mintedClaims(config: StackConfig, owner: Owner, audience: string, now: number): TokenClaims {
  if (!owner.entry.audiences.includes(audience)) throw new AudienceNotAllowedError(owner, audience);
  const common = {
    issuer: config.issuer,
    audience,
    issuedAt: now,
    lifetimeSeconds: owner.entry.tokenLifetimeSeconds,
    jti: "wid-explain-local",
  };
  return owner.kind === "workload"
    ? workloadTokenClaims({ ...common, workload: owner.entry })
    : workflowTokenClaims({ ...common, workflow: owner.entry, instanceId: EXAMPLE_INSTANCE_ID });
}
