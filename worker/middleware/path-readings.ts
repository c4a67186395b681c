// The route a loosely routing origin serves for a request path. Rules match the canonical path
// exactly (route-pattern.ts), but common origins route more loosely:
//   case           Express's router and ASP.NET match without case by default
//   trailing slash Express (non-strict routing), ASP.NET Core and Spring before 6 take /a/ as /a
//   format suffix  Rails reads /admin/keys.json as admin/keys (format json); Spring before 5.3
//                  matched /a.* against /a (suffix pattern matching)
// So behind a public `/*`, `/ADMIN/keys`, `/admin/keys/` or `/admin/keys.json` would be
// forwarded where such an origin serves the protected `/admin/keys`.
//
// The loose form of a path lowers ASCII letters (escapes keep their canonical upper-case hex),
// drops a trailing slash and a format suffix of the last segment; the rules' patterns are
// loosened the same way. The rule a loose origin applies is the first whose loosened pattern
// matches the loosened path. A request is refused (400 ERR_REQUEST_PATH) when that rule is a
// protected one other than its own and would not admit it: at once when its own rule is public
// (which reveals only what a caller could try anyway), else after authentication and admission,
// so no caller the rules refuse learns how they are written. A loose route no rule claims, or a
// public one, grants nothing more.

import { matchesPattern, type PatternSegment, type RoutePattern } from "./route-pattern.js";
import type { Rule, RuleMethod, Rules } from "./rules.js";

/** At most this many characters count as a format suffix (`.json`, `.xml`, `.html`, `.csv`). */
const SUFFIX = /^(.+)\.[A-Za-z0-9]{1,10}$/;

const loosened = new WeakMap<Rules, readonly { readonly rule: Rule; readonly pattern: RoutePattern }[]>();

/** The loose form of canonical path segments (request-path.ts) or of a pattern's literals. */
export function loosePath(segments: readonly string[]): readonly string[] {
  const lowered = segments.map(lowerCase);
  const trimmed = lowered.length > 1 && lowered[lowered.length - 1] === "" ? lowered.slice(0, -1) : lowered;
  const last = trimmed[trimmed.length - 1];
  const match = last === undefined ? null : SUFFIX.exec(last);
  return match === null ? trimmed : [...trimmed.slice(0, -1), match[1]!];
}

/** The rule a loosely routing origin would apply to `segments` for `method`. */
export function looseRule(rules: Rules, method: string, segments: readonly string[]): Rule | undefined {
  let compiled = loosened.get(rules);
  if (compiled === undefined) {
    compiled = rules.rules.map((rule) => ({ rule, pattern: loosePattern(rule.pattern) }));
    loosened.set(rules, compiled);
  }
  const path = loosePath(segments);
  return compiled.find(({ rule, pattern }) => (rule.methods === "*" || rule.methods.includes(method as RuleMethod)) && matchesPattern(pattern, path))?.rule;
}

/**
 * Why a loose origin would take the request beyond its own `rule`, or undefined: `admitted(other)`
 * says whether the caller passes the protected rule `other` too (false before authentication).
 */
export function looseWidening(
  rules: Rules,
  method: string,
  segments: readonly string[],
  rule: Rule,
  admitted: (other: Rule & { readonly public: false }) => boolean,
): string | undefined {
  const other = looseRule(rules, method, segments);
  if (other === undefined || other === rule || other.public || admitted(other)) return undefined;
  return `the path is /${loosePath(segments).join("/")} on origins that ignore case, a trailing slash or a format suffix, ` +
    `where rules[${other.index}] governs, not rules[${rule.index}]`;
}

function loosePattern(pattern: RoutePattern): RoutePattern {
  const literals = pattern.segments.map((s) => (s.kind === "literal" ? s.value : undefined));
  // Loosen the literals as a path is loosened; a parameter stays a parameter.
  const loose = loosePath(literals.map((value) => value ?? "\u0000"));
  const segments: PatternSegment[] = loose.map((value, i) =>
    value === "\u0000" ? pattern.segments[i]! : { kind: "literal", value });
  return { ...pattern, segments };
}

/** ASCII letters in lower case; escapes (upper-case hex, canonical) are left as they are. */
function lowerCase(segment: string): string {
  return segment.replace(/%[0-9A-F]{2}|[A-Z]+/g, (part) => (part.startsWith("%") ? part : part.toLowerCase()));
}
