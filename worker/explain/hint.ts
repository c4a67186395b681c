// The fix for a refusal, in the stack's terms: whose token the target takes, whose target the
// token's subject opens instead, which audience to mint for, which issuer and Cloudflare account
// the target trusts. Read from the failing condition and the stack, never from the token alone.

import type { StackConfig } from "../config/types.js";
import type { Explanation, TokenClaims } from "./explanation.js";
import { type Owner, type ResolvedTarget, targetsOf } from "./stack.js";

const KIND: Readonly<Record<ResolvedTarget["party"], string>> = {
  aws: "role",
  gcp: "service account",
  azure: "Entra identity",
  vault: "Vault role",
};

const WORKER_SUBJECT = /^worker\/([^/]+)\/([^/]+)$/;
const WORKFLOW_SUBJECT = /^workflow\/([^/]+)\/([^/]+)\/[^/]+$/;

/** The identity of the stack whose subject `sub` is (a workflow's: any of its instances). */
function ownerOfSubject(config: StackConfig, sub: unknown): Owner | undefined {
  if (typeof sub !== "string") return undefined;
  const workload = config.workloads.find((w) => w.subject === sub || w.native?.subject === sub);
  if (workload !== undefined) return { kind: "workload", entry: workload };
  const workflow = config.workflows.find((w) => sub.startsWith(w.subjectPrefix) && WORKFLOW_SUBJECT.test(sub));
  return workflow === undefined ? undefined : { kind: "workflow", entry: workflow };
}

function ownerText(owner: Owner): string {
  return owner.kind === "workload" ? owner.entry.name : `instances of workflow ${owner.entry.name}`;
}

/** What to do about the explanation's failing condition, or undefined when allowed. */
export function hintFor(
  config: StackConfig,
  target: ResolvedTarget,
  explained: Explanation,
  claims: TokenClaims,
): string | undefined {
  const failing = explained.failing;
  if (failing === undefined) return undefined;
  const kind = KIND[target.party];
  const owner = target.owner;
  const accountId = config.issuer.accountId;

  if (failing.why?.startsWith("wrong account")) {
    return `${failing.why}: this is not the role the stack declared (its trust names ${failing.requires}); use the role in the stack's AWS account, or pass --aws-account`;
  }
  if (failing.claim === "iss" || (failing.name === "Principal.Federated" && claims.iss !== config.issuer.issuerUrl)) {
    return (
      `iss is ${String(claims.iss)}: this ${kind} trusts tokens of ${config.issuer.issuerUrl}` +
      (target.party === "aws" || target.party === "gcp" ? " (and its workloads' registered native issuers)" : "") +
      `; use a token of stack ${config.stack}'s issuer (\`wid verify\` checks who signed it)`
    );
  }
  if (failing.claim === "aud") {
    return (
      `aud is ${String(failing.carries)}: this ${kind} requires ${target.audience}; mint the token for that audience ` +
      `(wid explain --${owner.kind} ${owner.entry.name} --audience ${target.audience} --target ${target.target})`
    );
  }
  // Another Cloudflare account: GCP's condition and every subject comparison refuse it.
  const account = typeof claims.account_id === "string" ? claims.account_id : undefined;
  const subjectAccount =
    typeof claims.sub === "string"
      ? (WORKER_SUBJECT.exec(claims.sub) ?? WORKFLOW_SUBJECT.exec(claims.sub))?.[1]
      : undefined;
  const foreign = [account, subjectAccount].find((a) => a !== undefined && a !== accountId);
  if (foreign !== undefined || (failing.name === "attributeCondition" && account !== accountId)) {
    return (
      `the token is of Cloudflare account ${foreign ?? String(claims.account_id)}: stack ${config.stack} trusts only ` +
      `account ${accountId}'s Workers; use the token of ${ownerText(owner)} from that account`
    );
  }
  if (failing.claim === "sub" || failing.name === "attributeCondition" || failing.name.startsWith("bound_claims")) {
    const holder = ownerOfSubject(config, claims.sub);
    const trusted = `this ${kind} trusts only ${ownerText(owner)}`;
    if (holder === undefined) {
      return `sub is ${String(claims.sub)}, which no workload or workflow of stack ${config.stack} has: ${trusted}; use the token of ${owner.entry.name}`;
    }
    if (holder.entry.name === owner.entry.name && holder.kind === owner.kind) {
      return `sub is ${String(claims.sub)}, ${owner.entry.name}'s own, but ${failing.name} refuses it: ${failing.why ?? "see the condition"}`;
    }
    const theirs = targetsOf(config, holder).find((t) => t.party === target.party);
    return (
      `sub is ${String(claims.sub)}: ${trusted}; use the token of ${owner.entry.name}` +
      (theirs === undefined
        ? ` (${holder.entry.name} has no ${kind} of this kind)`
        : `, or the ${kind} of ${holder.entry.name}: ${theirs.party === "aws" ? holder.entry.aws!.roleName : theirs.target}`)
    );
  }
  if (failing.name === "Action") return `STS's action must be ${failing.requires}`;
  return failing.why;
}
