// Method overrides: X-HTTP-Method-Override, X-Method-Override and X-HTTP-Method (in any spelling an
// origin may read as one of them, header-name.ts) make frameworks run another method than the
// request's: Express method-override, Rails (Rack::MethodOverride), Laravel and Symfony, ASP.NET,
// Google APIs. So a request is authorised as every method it may be read as: the real one and each
// override must find the same rule (authorize.ts, first match), or a GET to a GET-only rule could
// run DELETE, and a POST to a POST,DELETE rule could run the DELETE that an earlier, stricter rule
// governs. When they do, the override is forwarded unchanged (an origin that relies on
// POST + override keeps working where its rule admits both).
//
// When a request is refused (400 ERR_METHOD_OVERRIDE) is part of the decision:
// - "now", before authentication, for what the request alone shows: an override value that is
//   empty or not a method, or values that name different methods (repeated headers arrive joined
//   by commas; "DELETE, PUT" is two); and for an override that a public rule does not cover (a
//   public GET must not become a public DELETE; a plain DELETE would tell the caller as much).
// - "after authentication" for one that a protected rule does not cover, or when no rule governs
//   the real method: an anonymous caller gets the 401 any request there gets, so overrides cannot
//   map the protected rules ("authentication comes before no rule"); with no rule, "no rule"
//   (403 ERR_NO_RULE) answers first, as it would without the override.

import { headerNameReading } from "./header-name.js";
import type { Rule } from "./rules.js";

/** The readings (header-name.ts) of the override headers' names. */
const OVERRIDE_HEADERS = new Set(["x-http-method-override", "x-method-override", "x-http-method"]);
/** RFC 9110 §9.1: a method is a token. */
const METHOD_TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** How much of a client's value a log line quotes. */
const MAX_QUOTED = 40;

export type OverrideCheck =
  | { readonly ok: true }
  | { readonly ok: false; readonly refuse: "now" | "after authentication"; readonly reason: string };

/**
 * Whether the method overrides in `headers` keep a request with the (upper-case) `method`, whose
 * rule is `rule`, under that rule. `ruleFor` finds the rule for another method on the same path.
 */
export function checkMethodOverride(
  headers: Headers,
  method: string,
  rule: Rule | undefined,
  ruleFor: (method: string) => Rule | undefined,
): OverrideCheck {
  /** Each method named, upper case (frameworks read it so), with the header that named it. */
  const named = new Map<string, string>();
  for (const [name, value] of headers) {
    if (!OVERRIDE_HEADERS.has(headerNameReading(name))) continue;
    for (const entry of value.split(",")) {
      const override = entry.trim();
      if (!METHOD_TOKEN.test(override)) return { ok: false, refuse: "now", reason: `${name} ${quote(value)} is not a method` };
      named.set(override.toUpperCase(), name);
    }
  }
  if (named.size > 1) return { ok: false, refuse: "now", reason: `the method overrides name several methods (${[...named.keys()].map(quote).join(", ")})` };
  const [override, name] = [...named][0] ?? [method, ""];
  const other = override === method ? rule : ruleFor(override);
  if (other === rule) return { ok: true };
  const reason = `${name} names ${quote(override)}: ${describe(other)} governs it here, ${describe(rule)} governs ${method}`;
  return { ok: false, refuse: rule?.public === true ? "now" : "after authentication", reason };
}

const quote = (text: string) => JSON.stringify(text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}…` : text);
const describe = (rule: Rule | undefined) => (rule === undefined ? "no rule" : `rules[${rule.index}]`);
