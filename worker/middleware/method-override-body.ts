// `_method` in a POST body: Rack::MethodOverride (Rails, Sinatra) reads req.POST["_method"],
// which Rack parses from application/x-www-form-urlencoded, multipart/form-data, multipart/related
// and multipart/mixed bodies and from a POST without a Content-Type (Request#form_data?: "a request
// body is also assumed to contain form-data when no Content-Type header is provided"), and as
// url-encoded text when a multipart type has no boundary; Symfony and Laravel read
// $this->request->get('_method'), which is PHP's $_POST (url-encoded and multipart/form-data,
// media type compared without case) and, in Laravel (Request::createFromBase makes the request bag
// its getInputSource()), the JSON body's top-level `_method` when the Content-Type contains
// "/json" or "+json"; Spring's HiddenHttpMethodFilter, gorilla/handlers and Yii 2 read the form
// body too. Every one of them applies it to a POST only (Rack's ALLOWED_METHODS, Symfony's
// 'POST' === $this->method, Spring's "POST".equals, gorilla's r.Method == "POST", PHP fills $_POST
// for a POST only), so only a POST's body is read.
//
// Checking a body means reading it before it is forwarded, so the middleware reads it only when it
// must, and never more than MAX_OVERRIDE_BODY_BYTES:
// - only a POST with a body whose Content-Type one of them parses (read generously: the media
//   type ends at ';', ',' or a blank as PHP ends it, compared without case; any mention of "json");
// - only when an override could widen the rule: when the POST's rule admits every method on the
//   path ("methods": "*", and no earlier rule takes any method there), every method a body can name
//   finds that same rule, so nothing is read and even a large upload streams through untouched;
// - only where the rule does not say `"readBodyForMethodOverride": false` (an origin that honours
//   no `_method` body parameter: its large POSTs then stream through unread);
// - only once the request is otherwise admitted (after authentication on a protected rule, so an
//   anonymous caller cannot make it buffer anything, and cannot learn from a 413 how a protected
//   route's rules are written).
// Such a body larger than the bound is refused with 413 ERR_OVERRIDE_BODY_TOO_LARGE (declared by
// Content-Length or found while reading) instead of being forwarded unchecked: whether it carries
// `_method` cannot be known without reading all of it, and buffering without a bound would let
// any client exhaust the isolate's memory. The other option, refusing every such POST on a rule
// that does not admit every method, would refuse each plain HTML form and JSON POST; reading a
// bounded copy refuses only large ones. A body that was read is forwarded as the same bytes
// (middleware.ts sends them instead of the consumed stream); one that was not is streamed as
// before. Inside the body, `_method` is found as method-override.ts reads parameter names (so
// `__http_method` and the override headers' names count too: ASP.NET MVC reads
// X-HTTP-Method-Override from Request.Form, url-encoded or multipart; a JSON member so named is
// checked alike, as it costs nothing): url-encoded pairs, multipart parts by their Content-Disposition name (multipart-names.ts: a
// multipart Content-Type whose boundary frameworks could read differently is refused), and
// a JSON object's top-level members (any value that is not a string is "not a method"). A body an
// origin may decode first (a Content-Encoding, a charset that is not ASCII-compatible) is refused
// rather than read (body-encoding.ts).

import { readBounded } from "../http/bounded-read.js";
import type { Rule, RuleMethod } from "../rules/rules.js";
import { bodyEncodingProblem } from "./body-encoding.js";
import { encodedParameterOverrides, type NamedOverride, readsAsMethodParameter } from "./method-override.js";
import { multipartBoundary, multipartOverrides } from "./multipart-names.js";

/** The largest POST body the middleware reads to look for `_method`. */
export const MAX_OVERRIDE_BODY_BYTES = 64 * 1024;

/** Every method a rule can list: an override can name any of them (and others, which only "*" rules match). */
const RULE_METHODS: Readonly<Record<RuleMethod, true>> = {
  GET: true,
  HEAD: true,
  POST: true,
  PUT: true,
  PATCH: true,
  DELETE: true,
  OPTIONS: true,
};

export type BodyInspection =
  /** Nothing to look for: forward the body as it streams. */
  | { readonly kind: "not read" }
  | { readonly kind: "read"; readonly bytes: Uint8Array; readonly overrides: readonly NamedOverride[] }
  | { readonly kind: "too large"; readonly reason: string }
  | { readonly kind: "unreadable"; readonly reason: string };

type BodyFormat = "url-encoded" | "multipart" | "json";

/**
 * The formats in which a framework may read `_method` from the body of a request with the
 * (upper-case) `method`, whose rule is `rule`; empty when there is nothing to read or nothing an
 * override could widen.
 */
export function bodyFormatsToInspect(
  method: string,
  contentType: string | null,
  hasBody: boolean,
  rule: Rule,
  ruleFor: (method: string) => Rule | undefined,
): BodyFormat[] {
  if (method !== "POST" || !hasBody || !rule.readBodyForMethodOverride || governsEveryMethod(rule, ruleFor)) return [];
  const type = contentType ?? "";
  const media = type
    .trim()
    .split(/[;,\s]/, 1)[0]!
    .toLowerCase();
  const formats: BodyFormat[] = [];
  if (media === "" || media === "application/x-www-form-urlencoded") formats.push("url-encoded");
  if (media.startsWith("multipart/"))
    formats.push(multipartBoundary(type).kind === "none" ? "url-encoded" : "multipart");
  if (/[/+]json/i.test(type)) formats.push("json");
  return formats;
}

function governsEveryMethod(rule: Rule, ruleFor: (method: string) => Rule | undefined): boolean {
  return rule.methods === "*" && Object.keys(RULE_METHODS).every((other) => ruleFor(other) === rule);
}

/** Reads the body of `request` when bodyFormatsToInspect says so, and finds its `_method` fields. */
export async function inspectOverrideBody(
  request: Request,
  method: string,
  rule: Rule,
  ruleFor: (method: string) => Rule | undefined,
): Promise<BodyInspection> {
  const contentType = request.headers.get("content-type");
  const formats = bodyFormatsToInspect(method, contentType, request.body !== null, rule, ruleFor);
  if (formats.length === 0 || request.body === null) return { kind: "not read" };
  const read = await readBounded(request.body, request.headers.get("content-length"), MAX_OVERRIDE_BODY_BYTES);
  if (read.kind === "too large") {
    return {
      kind: "too large",
      reason: `the POST body (${read.size}) is larger than ${MAX_OVERRIDE_BODY_BYTES} bytes and may carry _method`,
    };
  }
  if (read.kind === "unreadable") {
    const why = read.error instanceof Error ? read.error.message : String(read.error);
    return { kind: "unreadable", reason: `the request body could not be read to its end: ${why}` };
  }
  const problem = bodyEncodingProblem(
    contentType,
    request.headers.get("content-encoding"),
    formats.includes("json"),
    read.bytes,
  );
  // Encoded, it may carry any _method: one override that cannot be read, which is refused.
  if (problem !== undefined)
    return {
      kind: "read",
      bytes: read.bytes,
      overrides: [{ source: "the POST body", value: "", list: false, unreadable: problem }],
    };
  return { kind: "read", bytes: read.bytes, overrides: bodyOverrides(formats, contentType ?? "", read.bytes) };
}

/** The `_method` fields of a body read in each of `formats`. */
export function bodyOverrides(formats: readonly BodyFormat[], contentType: string, bytes: Uint8Array): NamedOverride[] {
  const text = new TextDecoder("utf-8").decode(bytes);
  return formats.flatMap((format) => {
    if (format === "url-encoded") return encodedParameterOverrides(text, "form field");
    if (format === "json") return jsonOverrides(text);
    // As UTF-8 too: the WHATWG decoder never swallows an ASCII byte into U+FFFD, so binary parts
    // cannot hide a delimiter or a part's headers.
    return multipartOverrides(text, contentType);
  });
}

/** A JSON object's top-level `_method` members (Laravel's JSON input bag). */
function jsonOverrides(text: string): NamedOverride[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return []; // PHP's json_decode refuses it too, and Laravel then has an empty input bag.
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return [];
  return Object.entries(parsed)
    .filter(([name]) => readsAsMethodParameter(name))
    .map(([name, value]) => ({
      source: `JSON member ${JSON.stringify(name.slice(0, 40))}`,
      value: typeof value === "string" ? value : JSON.stringify(value),
      list: false,
    }));
}
