// What `wid explain` answers for one token and one target: each condition the target's trust
// document sets, what it requires, what the token carries, whether it holds; the first that does
// not is the refusal's reason. Every evaluator (aws.ts, gcp.ts, entra.ts, vault.ts) returns this.

import type { TargetParty } from "../trust/targets.js";

/** One condition of a trust document, judged on one token. */
export interface Condition {
  /** What the document names it: `Principal.Federated`, `StringEquals id.example.dev:sub`, `attributeCondition`, `bound_subject`. */
  readonly name: string;
  /** The claim it reads (iss, sub, aud, account_id, ...), when it reads one. */
  readonly claim?: string;
  /** What the target requires, as the document states it. */
  readonly requires: string;
  /** What the token (or the request built from it) carries; `(absent)` when nothing. */
  readonly carries: string;
  readonly passed: boolean;
  /** Why it failed, when it did, in the relying party's terms; the stack-aware hint comes on top (stack.ts). */
  readonly why?: string;
}

export interface Explanation {
  readonly party: TargetParty;
  /** The target as the party names it: a role ARN, a service account email, a FIC, a Vault role. */
  readonly target: string;
  /** Which part of the document was judged: the IAM statement's Sid, the pool provider, the FIC's name. */
  readonly document: string;
  readonly allowed: boolean;
  readonly conditions: readonly Condition[];
  /** The first condition that failed; absent when allowed. */
  readonly failing?: Condition;
}

/** A claim's value as the output shows it: strings bare, anything else as JSON, a missing claim `(absent)`. */
export function shown(value: unknown): string {
  if (value === undefined) return ABSENT;
  return typeof value === "string" ? value : JSON.stringify(value);
}

export const ABSENT = "(absent)";

/** The explanation of `conditions`: allowed when every one passed, else failing on the first that did not. */
export function explanation(
  party: TargetParty,
  target: string,
  document: string,
  conditions: readonly Condition[],
): Explanation {
  const failing = conditions.find((c) => !c.passed);
  return { party, target, document, allowed: failing === undefined, conditions, ...(failing ? { failing } : {}) };
}

/** A token's `aud` as the list of strings it names (a JWT's aud is a string or an array of them). */
export function audiencesOf(claims: TokenClaims): string[] {
  const aud = claims.aud;
  if (typeof aud === "string") return [aud];
  return Array.isArray(aud) ? aud.filter((a): a is string => typeof a === "string") : [];
}

/**
 * The condition that the token's `claim` equals `required` exactly (case included). `requires`
 * is what the output shows when the document states more than the one value compared.
 */
export function exactClaim(
  name: string,
  claim: "iss" | "sub",
  required: string,
  claims: TokenClaims,
  why: string,
  requires: string = required,
): Condition {
  const passed = claims[claim] === required;
  return { name, claim, requires, carries: shown(claims[claim]), passed, ...(passed ? {} : { why }) };
}

/** The condition that one of the token's audiences is among `allowed` (compared exactly). */
export function audienceAmong(
  name: string,
  allowed: readonly string[],
  claims: TokenClaims,
  why: string,
  requires = `one of ${allowed.join(", ")}`,
): Condition {
  const audiences = audiencesOf(claims);
  const passed = audiences.some((a) => allowed.includes(a));
  return {
    name,
    claim: "aud",
    requires,
    carries: audiences.length === 0 ? ABSENT : audiences.join(", "),
    passed,
    ...(passed ? {} : { why }),
  };
}

/** A token's payload as decoded JSON. */
export type TokenClaims = Readonly<Record<string, unknown>>;
