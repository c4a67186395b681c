// Independent evaluators of the printed trust, written from the relying parties' documented
// matching, not from the code that prints it.
//
// Claude API (https://platform.claude.com/docs/en/api/http/organization/federation/rules/create,
// issuers/create; @anthropic-ai/sdk FederationRuleMatch): the JWT's `iss` equals the issuer's
// issuer_url exactly; it carries `iat` and `exp`, their spread at most max_jwt_lifetime_seconds;
// `match.audience` equals `aud` (any element of an array); each `match.claims` pair equals a
// top-level string claim; `subject_prefix` matches `sub` exactly unless it ends with `*` (then a
// prefix); `condition` is CEL over `claims` and must be true; at least one of a non-wildcard
// subject_prefix, claims or condition is present (audience alone is refused).
//
// OpenAI API (https://developers.openai.com/api/reference/workload-identity-federation): the
// token has a `kid` header and `iss`, `aud`, `sub`, `exp`, `iat`; `iss` and `aud` match the
// provider's issuer and audience exactly; attributes are the claims after the provider's
// attribute_transformations (CEL, `claims` in scope); every attribute_matcher equals its attribute.

import { evaluate } from "@marcbachmann/cel-js";
import type { JWTPayload } from "jose";

export interface AnthropicIssuerConfig {
  readonly issuer_url: string;
  readonly max_jwt_lifetime_seconds: number;
}

export interface AnthropicMatch {
  readonly audience?: string | null;
  readonly claims?: Readonly<Record<string, string>> | null;
  readonly condition?: string | null;
  readonly subject_prefix?: string | null;
}

export type Decision = { readonly allowed: true } | { readonly allowed: false; readonly why: string };
const deny = (why: string): Decision => ({ allowed: false, why });
const ALLOW: Decision = { allowed: true };

function audiences(claims: JWTPayload): readonly string[] {
  if (typeof claims.aud === "string") return [claims.aud];
  return Array.isArray(claims.aud) ? claims.aud.filter((a): a is string => typeof a === "string") : [];
}

function celTrue(expression: string, claims: JWTPayload): boolean {
  try {
    return evaluate(expression, { claims: claims as Record<string, unknown> }) === true;
  } catch {
    return false;
  }
}

export function anthropicDecision(issuer: AnthropicIssuerConfig, match: AnthropicMatch, claims: JWTPayload): Decision {
  if (claims.iss !== issuer.issuer_url) return deny("iss differs from the issuer's issuer_url");
  if (typeof claims.iat !== "number" || typeof claims.exp !== "number") return deny("iat or exp missing");
  if (claims.exp - claims.iat > issuer.max_jwt_lifetime_seconds) return deny("lifetime above max_jwt_lifetime_seconds");
  const prefix = match.subject_prefix ?? undefined;
  const claimPairs = Object.entries(match.claims ?? {});
  const condition = match.condition ?? undefined;
  const constrained = (prefix !== undefined && prefix.replace(/\*+$/, "") !== "") || claimPairs.length > 0 || condition;
  if (!constrained) return deny("the rule has no subject_prefix, claims or condition: the API refuses it");
  if (match.audience != null && !audiences(claims).includes(match.audience)) return deny("aud");
  for (const [name, value] of claimPairs) {
    const actual = (claims as Record<string, unknown>)[name];
    if (typeof actual !== "string" || actual !== value) return deny(`claim ${name}`);
  }
  if (prefix !== undefined) {
    const sub = claims.sub ?? "";
    const ok = prefix.endsWith("*") ? sub.startsWith(prefix.slice(0, -1)) : sub === prefix;
    if (!ok) return deny("subject_prefix");
  }
  if (condition !== undefined && !celTrue(condition, claims)) return deny("condition");
  return ALLOW;
}

export interface OpenAiProviderConfig {
  readonly issuer: string;
  readonly audience: string;
  readonly attribute_transformations: readonly { readonly attribute: string; readonly expression: string }[];
}

export function openaiDecision(
  provider: OpenAiProviderConfig,
  matchers: Readonly<Record<string, string | number | boolean>>,
  header: { readonly kid?: string },
  claims: JWTPayload,
): Decision {
  if (typeof header.kid !== "string" || header.kid === "") return deny("no kid header");
  for (const name of ["iss", "aud", "sub", "exp", "iat"] as const) {
    if (claims[name] === undefined) return deny(`${name} missing`);
  }
  if (claims.iss !== provider.issuer) return deny("iss");
  if (!audiences(claims).includes(provider.audience)) return deny("aud");
  const attributes: Record<string, unknown> = { ...claims };
  for (const { attribute, expression } of provider.attribute_transformations) {
    try {
      attributes[attribute] = evaluate(expression, { claims: claims as Record<string, unknown> });
    } catch {
      return deny(`attribute ${attribute} failed to evaluate`);
    }
  }
  if (Object.keys(matchers).length === 0) return deny("a mapping without attribute matchers");
  for (const [name, value] of Object.entries(matchers)) {
    if (attributes[name] !== value) return deny(`attribute ${name}`);
  }
  return ALLOW;
}
