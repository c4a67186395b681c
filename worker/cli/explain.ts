// `wid explain`: why a token is admitted or refused by one of the stack's targets, condition by
// condition, from the trust documents the program builds (worker/explain/, worker/trust/).
//   wid explain <token|-> --target <t>                     a token (argument or stdin), decoded WITHOUT verifying
//   wid explain --workload <name> [--audience <aud>] --target <t>   claims minted locally as the issuer would
//   wid explain --workload <name> | --workflow <name>      every target it can reach, and why
// Exit 0 allowed (every target reached, for a listing), 1 denied or an unknown target, workload or
// invalid stack, 2 usage.

import type { StackConfig } from "../config/types.js";
import { decodeUnverifiedPayload } from "../encoding/unverified-payload.js";
import type { Explanation, TokenClaims } from "../explain/explanation.js";
import { hintFor } from "../explain/hint.js";
import {
  AudienceNotAllowedError,
  AWS_ACCOUNT_PLACEHOLDER,
  EXAMPLE_INSTANCE_ID,
  ExplainLookupError,
  mintedClaims,
  type Owner,
  ownerNamed,
  printedTargetsOf,
  type ResolvedTarget,
  resolveTarget,
  targetsOf,
} from "../explain/stack.js";
import { UnsupportedTrustError } from "../explain/unsupported.js";
import { CliFailure, UsageError } from "./failure.js";
import { loadStack } from "./trust.js";

export interface ExplainArguments {
  readonly token: string | undefined;
  readonly target: string | undefined;
  readonly workload: string | undefined;
  readonly workflow: string | undefined;
  readonly audience: string | undefined;
  readonly awsAccount: string | undefined;
  readonly stack: string;
  readonly cwd: string;
  /** Reads the token from stdin, for `-`. */
  readonly stdin: () => Promise<string>;
  /** Seconds since the epoch, for minted claims. */
  readonly now: number;
}

export interface ExplainPrinted {
  readonly text: string;
  readonly json: unknown;
  readonly code: 0 | 1;
}

const UNVERIFIED =
  "decoded WITHOUT verifying its signature, expiry or revocation: `wid verify <token> --audience <aud>` checks those";
const PARTY: Readonly<Record<ResolvedTarget["party"], string>> = {
  aws: "AWS role",
  gcp: "GCP service account",
  azure: "Entra ID",
  vault: "Vault role",
};

export async function explainCommand(args: ExplainArguments): Promise<ExplainPrinted> {
  const usage = (message: string) => new UsageError(`wid explain: ${message}`, "explain");
  if (args.workload !== undefined && args.workflow !== undefined)
    throw usage("give --workload or --workflow, not both");
  const identity = args.workload ?? args.workflow;
  if (args.token !== undefined && identity !== undefined) {
    throw usage("give a token or --workload/--workflow (claims minted locally), not both");
  }
  if (args.token === undefined && identity === undefined) {
    throw usage("give a token (or - to read it from stdin) with --target, or --workload <name> to list its targets");
  }
  if (args.token !== undefined && args.target === undefined)
    throw usage("a token needs --target <role ARN | service account | Entra application | Vault role>");
  if (args.token !== undefined && args.audience !== undefined)
    throw usage("--audience goes with --workload: a token carries its own aud");
  if (args.target === undefined && args.audience !== undefined)
    throw usage("--audience needs --target (the listing mints each target's own)");
  if (args.awsAccount !== undefined && !/^\d{12}$/.test(args.awsAccount)) {
    throw usage(`--aws-account must be a 12-digit AWS account id; got '${args.awsAccount}'`);
  }
  const config = loadStack(args.stack, args.cwd);
  try {
    if (args.token !== undefined) {
      const text = args.token === "-" ? (await args.stdin()).trim() : args.token;
      const claims = decodeUnverified(text);
      return single(config, resolveTarget(config, args.target!, accountOption(args)), claims, { source: "token" });
    }
    const owner = ownerNamed(config, identity!, args.workload !== undefined ? "workload" : "workflow");
    if (args.target === undefined) return listing(config, owner, args);
    const target = resolveTarget(config, args.target, accountOption(args));
    const audience = args.audience ?? target.audience;
    const claims = mintedClaims(config, owner, audience, args.now);
    return single(config, target, claims, { source: "minted", owner, audience });
  } catch (error) {
    if (error instanceof ExplainLookupError) throw new CliFailure(error.code, error.message);
    if (error instanceof AudienceNotAllowedError) throw new CliFailure(error.code, error.message);
    if (error instanceof UnsupportedTrustError) throw new CliFailure(error.code, error.message);
    throw error;
  }
}

function accountOption(args: ExplainArguments): { awsAccount?: string } {
  return args.awsAccount === undefined ? {} : { awsAccount: args.awsAccount };
}

/** The token's payload, read as JSON without checking anything else of it. */
function decodeUnverified(token: string): TokenClaims {
  const payload = decodeUnverifiedPayload(token);
  if (payload.ok) return payload.claims;
  const why = {
    segments: `has ${payload.segments} segment${payload.segments === 1 ? "" : "s"}, not 3`,
    base64url: "payload is not base64url",
    json: "payload is not UTF-8 JSON",
    object: "payload is not a JSON object",
  }[payload.problem];
  throw new CliFailure(
    "invalid_token",
    `the token ${why}: give a compact JWS (header.payload.signature), or - to read it from stdin`,
  );
}

type Source =
  | { readonly source: "token" }
  | { readonly source: "minted"; readonly owner: Owner; readonly audience: string };

function describeOwner(owner: Owner, config: StackConfig): string {
  return `${owner.kind} ${owner.entry.name} of stack ${config.stack}`;
}

function targetLine(target: ResolvedTarget, config: StackConfig): string {
  return `${PARTY[target.party]} ${target.target}: ${describeOwner(target.owner, config)}'s`;
}

function conditionLines(explained: Explanation, indent: string): string[] {
  return explained.conditions.flatMap((c) => [
    `${indent}${c.passed ? "✓" : "✗"} ${c.name}`,
    `${indent}    requires  ${c.requires}`,
    `${indent}    carries   ${c.carries}`,
  ]);
}

function claimsLine(claims: TokenClaims): string {
  const show = (v: unknown) => (typeof v === "string" ? v : v === undefined ? "(absent)" : JSON.stringify(v));
  return `iss ${show(claims.iss)}, sub ${show(claims.sub)}, aud ${show(claims.aud)}`;
}

function single(config: StackConfig, target: ResolvedTarget, claims: TokenClaims, from: Source): ExplainPrinted {
  const explained = target.explain(claims);
  const hint = hintFor(config, target, explained, claims);
  const header =
    from.source === "token"
      ? `token: ${UNVERIFIED}`
      : `claims minted locally for ${describeOwner(from.owner, config)} and aud ${from.audience}, as its issuer would ` +
        `(nothing signed${from.owner.kind === "workflow" ? `; instance ${EXAMPLE_INSTANCE_ID}` : ""})`;
  const lines = [
    header,
    `  ${claimsLine(claims)}`,
    `target: ${targetLine(target, config)} (${explained.document})`,
    ...awsAccountNote(target),
    "",
    ...conditionLines(explained, "  "),
    "",
    explained.allowed
      ? `allowed: every condition of ${target.target} holds`
      : `denied: ${explained.failing!.name} fails${hint === undefined ? "" : `: ${hint}`}`,
  ];
  return {
    text: lines.join("\n"),
    code: explained.allowed ? 0 : 1,
    json: {
      verified: false,
      source: from.source,
      ...(from.source === "token" ? { note: UNVERIFIED } : {}),
      claims,
      target: targetJson(target),
      ...explanationJson(explained),
      ...(hint === undefined ? {} : { hint }),
    },
  };
}

function awsAccountNote(target: ResolvedTarget): string[] {
  return target.party === "aws" && target.target.includes(`::${AWS_ACCOUNT_PLACEHOLDER}:`)
    ? [`  (account ${AWS_ACCOUNT_PLACEHOLDER} stands for the stack's AWS account: pass --aws-account <id>)`]
    : [];
}

function targetJson(target: ResolvedTarget) {
  return {
    party: target.party,
    target: target.target,
    audience: target.audience,
    owner: { kind: target.owner.kind, name: target.owner.entry.name },
  };
}

function explanationJson(explained: Explanation) {
  return {
    allowed: explained.allowed,
    document: explained.document,
    conditions: explained.conditions,
    failing: explained.failing ?? null,
  };
}

function listing(config: StackConfig, owner: Owner, args: ExplainArguments): ExplainPrinted {
  const targets = targetsOf(config, owner, accountOption(args));
  const judged = targets.map((target) => {
    const claims = mintedClaimsOrRefusal(config, owner, target.audience, args.now);
    if (typeof claims === "string") return { target, claims: undefined, refused: claims } as const;
    const explained = target.explain(claims);
    return { target, claims, explained, hint: hintFor(config, target, explained, claims) } as const;
  });
  const printed = printedTargetsOf(config, owner);
  const subject = owner.kind === "workload" ? owner.entry.subject : `${owner.entry.subjectPrefix}<instance id>`;
  const lines = [`${describeOwner(owner, config)} (sub ${subject}) reaches, with its own token for each audience:`];
  if (judged.length === 0 && printed.length === 0) lines.push("  nothing: it has no aws, gcp, azure or vault section");
  for (const item of judged) {
    const reached = "explained" in item && item.explained!.allowed;
    lines.push(
      "",
      `${reached ? "✓" : "✗"} ${PARTY[item.target.party]} ${item.target.target}, aud ${item.target.audience}`,
    );
    lines.push(...awsAccountNote(item.target));
    if ("refused" in item) {
      lines.push(`    ✗ ${item.refused}`);
      continue;
    }
    lines.push(...conditionLines(item.explained!, "    "));
    if (!item.explained!.allowed) lines.push(`    denied: ${item.explained!.failing!.name} fails: ${item.hint ?? ""}`);
  }
  for (const other of printed) {
    lines.push(
      "",
      `· ${other.party} ${other.target}: not evaluated here; \`wid trust ${other.party} ${owner.entry.name}\` prints its trust`,
    );
  }
  const allReached = judged.every((item) => "explained" in item && item.explained!.allowed);
  return {
    text: lines.join("\n"),
    code: allReached ? 0 : 1,
    json: {
      stack: config.stack,
      kind: owner.kind,
      name: owner.entry.name,
      subject,
      targets: judged.map((item) => ({
        ...targetJson(item.target),
        ...("refused" in item
          ? { allowed: false, refused: item.refused }
          : { ...explanationJson(item.explained!), ...(item.hint === undefined ? {} : { hint: item.hint }) }),
      })),
      printed,
    },
  };
}

function mintedClaimsOrRefusal(config: StackConfig, owner: Owner, audience: string, now: number): TokenClaims | string {
  try {
    return mintedClaims(config, owner, audience, now);
  } catch (error) {
    if (error instanceof AudienceNotAllowedError) return error.message;
    throw error;
  }
}
