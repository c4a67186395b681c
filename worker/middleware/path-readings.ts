// The route a loosely routing origin serves for a request. Rules match the canonical path and the
// method exactly (route-pattern.ts, authorize.ts), but common origins route more loosely:
//   case           Express's router matches the encoded path without ASCII case, ASP.NET Core
//                  decoded segments without case (any script)
//   trailing slash Express (non-strict routing), ASP.NET Core and Spring before 6 take /a/ as /a
//   format suffix  Rails reads /admin/keys.json as admin/keys (`(.:format)`, any `[^./?]+`);
//                  Spring before 5.3 matched /a.* against /a (suffix pattern matching)
//   HEAD           every one of them runs a GET route's handler for HEAD
//   overrides      the method an override names (method-override.ts) is the one that runs
// So behind a public `/*`, `/ADMIN/keys`, `/admin/keys/`, `/admin/keys.json` or HEAD /admin/keys
// would be forwarded where such an origin serves the protected GET /admin/keys.
//
// The loose form of a path lowers its letters (decoded, then spelt again canonically) and drops a
// trailing slash; a pattern's literals are lowered the same way and lose a trailing slash. The
// path's last segment also reads as itself without any `.suffix` (keys.json.json reads as
// keys.json and keys); a pattern's literals never lose a suffix (no origin serves /openapi.yaml
// for a route written /openapi.json). The rule a loose origin applies is the first whose loose
// pattern matches a loose reading, for one of the methods the request may run as. A request is
// refused (400 ERR_REQUEST_PATH) when that rule is a protected one other than its own that would
// not let it through: at once when its own rule is public (which tells a caller only what trying
// the other spelling would), else after authentication and admission, so that no caller the
// rules refuse learns how they are written. A loose route no rule claims, or a public one, grants
// nothing more.

import { canonicalSegment } from "../rules/request-path.js";
import { matchesPattern, type RoutePattern } from "../rules/route-pattern.js";
import type { ProtectedRule, Rule, RuleMethod, Rules } from "../rules/rules.js";

const loosened = new WeakMap<Rules, readonly { readonly rule: Rule; readonly pattern: RoutePattern }[]>();

/** The loose readings of canonical path segments (request-path.ts): lowered, no trailing slash, the last without suffixes. */
export function looseReadings(segments: readonly string[]): (readonly string[])[] {
  const lowered = withoutTrailingSlash(segments.map(lowerCase));
  const last = lowered[lowered.length - 1] ?? "";
  const readings: (readonly string[])[] = [lowered];
  for (let dot = last.lastIndexOf("."); dot > 0; dot = last.lastIndexOf(".", dot - 1)) {
    readings.push([...lowered.slice(0, -1), last.slice(0, dot)]);
  }
  return readings;
}

/** The methods a request may run as on such an origin: its own, GET for HEAD, and an override's. */
export function looseMethods(method: string, override: string | undefined): readonly string[] {
  return [...new Set([method, ...(method === "HEAD" ? ["GET"] : []), ...(override !== undefined ? [override] : [])])];
}

/** The rule a loosely routing origin would apply to `segments` run as `method`. */
export function looseRule(rules: Rules, method: string, segments: readonly string[]): Rule | undefined {
  let compiled = loosened.get(rules);
  if (compiled === undefined) {
    compiled = rules.rules.map((rule) => ({ rule, pattern: loosePattern(rule.pattern) }));
    loosened.set(rules, compiled);
  }
  const readings = looseReadings(segments);
  return compiled.find(
    ({ rule, pattern }) =>
      (rule.methods === "*" || rule.methods.includes(method as RuleMethod)) &&
      readings.some((reading) => matchesPattern(pattern, reading)),
  )?.rule;
}

/**
 * Why a loose origin would take the request beyond its own `rule`, or undefined: `passes(other)`
 * says whether the request would be let through the protected rule `other` too (false before
 * authentication).
 */
export function looseWidening(
  rules: Rules,
  methods: readonly string[],
  segments: readonly string[],
  rule: Rule,
  passes: (other: ProtectedRule) => boolean,
): string | undefined {
  for (const method of methods) {
    const other = looseRule(rules, method, segments);
    if (other === undefined || other === rule || other.public || passes(other)) continue;
    return (
      `${method} ${segments.length === 0 ? "/" : `/${segments.join("/")}`} runs as rules[${other.index}]'s route on origins that ignore ` +
      `case, a trailing slash or a format suffix, or run GET for HEAD, not as rules[${rule.index}]'s`
    );
  }
  return undefined;
}

function loosePattern(pattern: RoutePattern): RoutePattern {
  const lowered = pattern.segments.map((s) =>
    s.kind === "literal" ? { kind: "literal" as const, value: lowerCase(s.value) } : s,
  );
  const last = lowered[lowered.length - 1];
  const trimmed = lowered.length > 1 && last?.kind === "literal" && last.value === "" ? lowered.slice(0, -1) : lowered;
  return { ...pattern, segments: trimmed };
}

function withoutTrailingSlash(segments: readonly string[]): readonly string[] {
  return segments.length > 1 && segments[segments.length - 1] === "" ? segments.slice(0, -1) : segments;
}

/** A canonical segment with its letters lowered (any script), spelt canonically again. */
function lowerCase(segment: string): string {
  const ascii = segment.replace(/%[0-9A-F]{2}|[A-Z]+/g, (part) => (part.startsWith("%") ? part : part.toLowerCase()));
  if (!ascii.includes("%")) return ascii;
  try {
    const lowered = canonicalSegment(encodeURIComponent(decodeURIComponent(ascii).toLowerCase()));
    return lowered.ok ? lowered.value : ascii;
  } catch {
    return ascii; // not reached: a canonical segment's escapes are UTF-8
  }
}
