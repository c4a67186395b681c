// Method overrides: frameworks run another method than the request's when it names one
// - in a header: X-HTTP-Method-Override, X-Method-Override or X-HTTP-Method, in any spelling an
//   origin may read as one of them (header-name.ts): Express method-override, Rails
//   (Rack::MethodOverride), Laravel and Symfony, ASP.NET, Google APIs;
// - in a `_method` query parameter: Symfony's Request::getMethod with
//   enableHttpMethodParameterOverride (Laravel's Request::capture turns it on) falls back to the
//   query's `_method`, Spring's HiddenHttpMethodFilter reads request.getParameter("_method") (the
//   query and a form body alike), gorilla/handlers' HTTPMethodOverrideHandler r.FormValue("_method"),
//   Express method-override("_method") req.query;
// - in a parameter named like an override header: ASP.NET MVC's HttpRequestBase
//   .GetHttpMethodOverride() reads X-HTTP-Method-Override from the header, then from
//   Request.Form, then from Request.QueryString (a POST only; NameValueCollection keys compare
//   without case), and Html.HttpMethodOverride() writes it as a hidden form field;
// - in a `__http_method` parameter: Struts 2's Restful2ActionMapper and the REST plugin's
//   RestActionMapper (HTTP_METHOD_PARAM; some plugin builds use `_method`) read
//   request.getParameter of it on a POST;
// - in a POST body: method-override-body.ts finds those and hands them here.
// Read in their source for this list: ASP.NET MVC's HttpRequestExtensions and HtmlHelper, Struts
// 2's mappers (the names above); known from theirs: Rack's one `_method` (METHOD_OVERRIDE_PARAM_KEY),
// Spring's `_method` (DEFAULT_METHOD_PARAM), and Django itself has none. Not covered, because no
// list can know them: a name an origin configures (Spring's setMethodParam, ASP.NET Core's
// HttpMethodOverrideOptions.FormFieldName, Yii 2's methodParam, Express method-override with a
// getter function). Not checked: Django REST framework's former form override, Jersey, Nancy,
// CakePHP and Slim beyond their `_method` / `_METHOD` and override headers (covered either way).
// So a request is authorised as every method it may be read as: the real one and each override
// must find the same rule (authorize.ts, first match), or a GET to a GET-only rule could run
// DELETE, and a POST to a POST,DELETE rule could run the DELETE that an earlier, stricter rule
// governs. Sources are not ranked (Rack prefers the body to the header, Symfony the header to the
// body and the body to the query): every override found must name the same method. When they do
// and it finds the rule, the request is forwarded unchanged (an origin that relies on POST +
// override keeps working where its rule admits both).
//
// Which parameter names count (`readsAsMethodParameter`): a name is percent-decoded ('+' as a
// space) before anyone compares it, so `%5Fmethod` and `%5fmethod` are `_method` everywhere. PHP
// then drops leading spaces and turns ' ' and '.' into '_' (`.method` and `%2Emethod` are
// `$_POST['_method']`), ends the name at NUL (its variable names are C strings) and at '[' (an
// array: `_method[]`); Rack, qs and PHP read `_method[...]` as an array under `_method`. So a name
// counts when, so cut, it is `_method` or `__http_method` in any case, or it reads as one of the
// override headers' names as header-name.ts reads a header's (`X-HTTP-Method-Override`,
// `x_http_method_override`, `X.HTTP.Method`): ASP.NET compares form and query keys without case,
// the others do not, and case is folded for every name anyway (a parameter `_METHOD` that is not
// an override costs nothing to check). Pairs are split at '&' and ';' (Rack 2 and Go before 1.17
// split a query at both).
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

import { formComponentDecodedLeniently } from "../http/form-decoding.js";
import type { Rule } from "../rules/rules.js";
import { headerNameReading } from "./header-name.js";

/** One place where a request names a method to run instead of its own. */
export interface NamedOverride {
  /** Where, for the log: a header's name, or `query parameter "%5Fmethod"`. */
  readonly source: string;
  /** As sent (decoded for parameters). */
  readonly value: string;
  /** A header's value is a list (repeated headers arrive joined by commas); a parameter's is one method. */
  readonly list: boolean;
  /**
   * Why the value cannot be known, when an origin may find a method here that the middleware
   * cannot read as it does (an encoded body, an ambiguous multipart boundary): it may name any
   * method, so the request is refused.
   */
  readonly unreadable?: string;
}

export type OverrideCheck =
  | { readonly ok: true }
  | { readonly ok: false; readonly refuse: "now" | "after authentication"; readonly reason: string };

/** The readings (header-name.ts) of the override headers' names. */
const OVERRIDE_HEADERS = new Set(["x-http-method-override", "x-method-override", "x-http-method"]);
/** The parameter names (as PHP reads them, lower case) that name a method besides the headers' names. */
const METHOD_PARAMETERS = new Set(["_method", "__http_method"]);
/** RFC 9110 §9.1: a method is a token. */
const METHOD_TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** How much of a client's value a log line quotes. */
const MAX_QUOTED = 40;

/** The override headers of `headers`. */
export function headerOverrides(headers: Headers): NamedOverride[] {
  const named: NamedOverride[] = [];
  for (const [name, value] of headers) {
    if (OVERRIDE_HEADERS.has(headerNameReading(name))) named.push({ source: name, value, list: true });
  }
  return named;
}

/** The override parameters (`readsAsMethodParameter`) of a query (`url.search`, with or without its '?'). */
export function queryOverrides(search: string): NamedOverride[] {
  return encodedParameterOverrides(search.replace(/^\?/, ""), "query parameter");
}

/** The override parameters of application/x-www-form-urlencoded text (a query, or a form body). */
export function encodedParameterOverrides(encoded: string, where: string): NamedOverride[] {
  const named: NamedOverride[] = [];
  for (const pair of encoded.split(/[&;]/)) {
    const equals = pair.indexOf("=");
    const [name, value] = equals === -1 ? [pair, ""] : [pair.slice(0, equals), pair.slice(equals + 1)];
    if (readsAsMethodParameter(formComponentDecodedLeniently(name))) {
      named.push({ source: `${where} ${quote(name)}`, value: formComponentDecodedLeniently(value), list: false });
    }
  }
  return named;
}

/**
 * Whether a (decoded) parameter name is read as a method override by some framework: `_method`,
 * `__http_method`, or an override header's name (see the header).
 */
export function readsAsMethodParameter(name: string): boolean {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: PHP ends a parameter name at NUL, so the override reads it as PHP does
  const [base = ""] = name.replace(/^ +/, "").split(/[[\u0000]/, 1);
  return (
    METHOD_PARAMETERS.has(base.replace(/[ .]/g, "_").toLowerCase()) || OVERRIDE_HEADERS.has(headerNameReading(base))
  );
}

/**
 * Whether the `named` overrides keep a request with the (upper-case) `method`, whose rule is
 * `rule`, under that rule. `ruleFor` finds the rule for another method on the same path.
 */
export function checkMethodOverride(
  named: readonly NamedOverride[],
  method: string,
  rule: Rule | undefined,
  ruleFor: (method: string) => Rule | undefined,
): OverrideCheck {
  const read = namedMethods(named);
  if ("reason" in read) return { ok: false, refuse: "now", reason: read.reason };
  const { methods } = read;
  if (methods.size > 1)
    return {
      ok: false,
      refuse: "now",
      reason: `the method overrides name several methods (${[...methods.keys()].map(quote).join(", ")})`,
    };
  const [override, source] = [...methods][0] ?? [method, ""];
  const other = override === method ? rule : ruleFor(override);
  if (other === rule) return { ok: true };
  const reason = `${source} names ${quote(override)}: ${describe(other)} governs it here, ${describe(rule)} governs ${method}`;
  return { ok: false, refuse: rule?.public === true ? "now" : "after authentication", reason };
}

/** The one method the overrides name (upper case), when they name exactly one well-formed method. */
export function overrideMethodOf(named: readonly NamedOverride[]): string | undefined {
  const read = namedMethods(named);
  return "methods" in read && read.methods.size === 1 ? [...read.methods.keys()][0] : undefined;
}

/** Each method named, upper case (frameworks read it so), with where it was named; or why one cannot be read. */
function namedMethods(
  named: readonly NamedOverride[],
): { readonly methods: ReadonlyMap<string, string> } | { readonly reason: string } {
  const methods = new Map<string, string>();
  for (const { source, value, list, unreadable } of named) {
    if (unreadable !== undefined)
      return { reason: `${source} may carry _method and cannot be read as an origin reads it: ${unreadable}` };
    for (const entry of list ? value.split(",") : [value]) {
      const override = entry.trim();
      if (!METHOD_TOKEN.test(override)) return { reason: `${source} ${quote(value)} is not a method` };
      methods.set(override.toUpperCase(), source);
    }
  }
  return { methods };
}

export const quote = (text: string) =>
  JSON.stringify(text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}…` : text);
const describe = (rule: Rule | undefined) => (rule === undefined ? "no rule" : `rules[${rule.index}]`);
