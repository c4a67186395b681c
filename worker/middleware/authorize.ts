// What the rules mean for one request: the first rule whose methods and path match is the rule
// (none: refused, deny by default), and a protected rule admits a verified identity when every
// condition it states holds (a list holds when any of its entries does).

import { claimMismatch, type VerifiedIdentity } from "@worker-identity/verifier";
import { matchesPattern } from "../rules/route-pattern.js";
import type { Allow, Rule, RuleMethod, Rules } from "../rules/rules.js";

/** The first rule for `method` on the canonical path `segments` (request-path.ts), if any. */
export function findRule(rules: Rules, method: string, segments: readonly string[]): Rule | undefined {
  return rules.rules.find(
    (rule) =>
      (rule.methods === "*" || rule.methods.includes(method as RuleMethod)) && matchesPattern(rule.pattern, segments),
  );
}

/**
 * Whether `allow` admits the verified `identity`. `native`: the token is Cloudflare's native one
 * (another issuer than worker-identity), whose workload the verifier read from the subject map and
 * whose claims decide nothing: a `claims` condition never admits it.
 */
export function admits(allow: Allow, identity: VerifiedIdentity, native = false): boolean {
  if (allow === "authenticated") return true;
  const { workloads, subjects, audiences, claims } = allow;
  if (native && claims !== undefined) return false;
  if (workloads !== undefined && (identity.workload === undefined || !workloads.includes(identity.workload)))
    return false;
  if (subjects !== undefined && !subjects.includes(identity.subject)) return false;
  if (audiences !== undefined) {
    const aud = identity.claims.aud;
    const presented = typeof aud === "string" ? [aud] : Array.isArray(aud) ? aud : [];
    if (!presented.some((entry) => audiences.includes(entry))) return false;
  }
  return claimMismatch(identity.claims, claims) === undefined;
}
