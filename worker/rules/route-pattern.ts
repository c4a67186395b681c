// The rules' path patterns: a deliberately tiny language, compiled once when the rules are parsed.
//
//   /reports/daily        exact: every segment literal
//   /accounts/:id/ledger  `:name` matches exactly one non-empty segment
//   /reports/*            a trailing `/*` matches /reports itself and everything below it
//
// Patterns are compared with the request's canonical path (request-path.ts), segment by segment,
// case-sensitively; a trailing slash is a segment of its own (/a/ is not /a). Literal segments are
// decoded and spelt again as the request path is (canonicalSegment), so /a%3Ab and /a:b, or
// /caf%c3%a9 and /caf%C3%A9, are one pattern, and the "hidden rule" check sees it. Nothing else is
// special: no regular expressions, no `*` inside a segment, no optional parts.

import { canonicalSegment } from "./request-path.js";

/** A literal's `value` is in canonical spelling (request-path.ts), not as written. */
export type PatternSegment =
  | { readonly kind: "literal"; readonly value: string }
  | { readonly kind: "param"; readonly name: string };

export interface RoutePattern {
  /** The pattern as written in the rules document. */
  readonly source: string;
  readonly segments: readonly PatternSegment[];
  /** Ends with `/*`: matches any number (zero included) of further segments. */
  readonly prefix: boolean;
}

const MAX_PATTERN_LENGTH = 1_024;
const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
// RFC 3986 pchar as written: what a URL path carries unescaped, and escapes in either case.
const LITERAL = /^(?:[A-Za-z0-9\-._~!$&'()+,;=:@]|%[0-9A-Fa-f]{2})+$/;

/** Compiles `source`, or returns why it is not a pattern (with the fix). */
export function compilePattern(source: string): RoutePattern | { readonly problem: string } {
  const fail = (problem: string) => ({ problem });
  if (!source.startsWith("/")) return fail("must start with '/', as in /reports/*");
  if (source.length > MAX_PATTERN_LENGTH) return fail(`must be at most ${MAX_PATTERN_LENGTH} characters`);
  const prefix = source.endsWith("/*");
  const base = prefix ? source.slice(0, -2) : source;
  const raw = base === "" ? [] : base.slice(1).split("/");
  const segments: PatternSegment[] = [];
  const names = new Set<string>();
  for (const [i, segment] of raw.entries()) {
    const last = i === raw.length - 1;
    if (segment === "") {
      if (last && !prefix) {
        segments.push({ kind: "literal", value: "" }); // a trailing slash, as in /reports/
        continue;
      }
      return fail("must not contain an empty segment ('//'); write each segment once");
    }
    if (segment.includes("*")) return fail("may use '*' only as its whole last segment, as in /reports/*");
    if (segment === "." || segment === ".." || segment.includes("..")) {
      return fail("must not contain '.' or '..' segments (or '..' anywhere); write the path the request will carry");
    }
    if (segment.startsWith(":")) {
      const name = segment.slice(1);
      if (!PARAM_NAME.test(name))
        return fail(
          `has a parameter ${JSON.stringify(segment)}; a parameter is ':' and a name of letters, digits or '_'`,
        );
      if (names.has(name)) return fail(`repeats the parameter :${name}; give each parameter its own name`);
      names.add(name);
      segments.push({ kind: "param", name });
      continue;
    }
    if (!LITERAL.test(segment)) {
      return fail(`has a segment with a character a URL path cannot carry unescaped; percent-encode it (%C3%A9 for é)`);
    }
    const canonical = canonicalSegment(segment);
    if (!canonical.ok) {
      return fail(
        `has a segment with ${canonical.cause}; requests with it are refused (400 ERR_REQUEST_PATH), so write the path without it`,
      );
    }
    if (canonical.value.includes(".."))
      return fail("must not contain '..' anywhere, escaped (%2E) or not; write the path the request will carry");
    segments.push({ kind: "literal", value: canonical.value });
  }
  return Object.freeze({ source, segments: Object.freeze(segments), prefix });
}

/** Whether the canonical path `segments` (request-path.ts) matches `pattern`. */
export function matchesPattern(pattern: RoutePattern, segments: readonly string[]): boolean {
  const own = pattern.segments;
  if (pattern.prefix ? segments.length < own.length : segments.length !== own.length) return false;
  return own.every((segment, i) => {
    const actual = segments[i]!;
    return segment.kind === "param" ? actual !== "" : actual === segment.value;
  });
}

/** Whether every path `narrow` matches is also matched by `broad` (so `broad` first hides `narrow`). */
export function coversPattern(broad: RoutePattern, narrow: RoutePattern): boolean {
  if (
    broad.prefix
      ? narrow.segments.length < broad.segments.length
      : narrow.prefix || narrow.segments.length !== broad.segments.length
  ) {
    return false;
  }
  return broad.segments.every((segment, i) => {
    const other = narrow.segments[i]!;
    if (segment.kind === "literal") return other.kind === "literal" && other.value === segment.value;
    return other.kind === "param" || other.value !== "";
  });
}
