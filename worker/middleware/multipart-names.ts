// The parts of a multipart body that a framework reads as a method override (`_method`, or another
// name method-override.ts counts, such as ASP.NET MVC's X-HTTP-Method-Override): Rack, PHP, Spring,
// gorilla and ASP.NET take a part's parameter name from its Content-Disposition `name` (quoted or not,
// RFC 5987's `name*=` too), and its value from the part's content.
//
// The boundary. Frameworks find it differently: Rack matches %r|\Amultipart/.*boundary="?([^";,]+)|
// (greedy, so the LAST "boundary=", with or without a ';' before it, even inside another
// parameter's value), PHP takes the first "boundary" substring and the first '=' after it, Tomcat
// splits parameters at ',' as well as ';', busboy and Go parse parameters properly (Go refuses a
// duplicate). So `boundary=a; boundary=b`, `multipart/form-data, boundary=b`, `x-boundary=b`,
// `boundary = b` or `boundary="a;b"` is one body to one origin and another body to the next. Such a
// Content-Type is refused ("ambiguous") rather than scanned under every boundary some framework
// could read: that set is open-ended (each parser version words its regex differently), while
// every client found (browsers, curl, undici, Go, Python requests) sends one plain boundary
// parameter, which each of those parsers reads alike. Accepted: `multipart/<subtype>` then
// `; name=value` parameters (RFC 9110 tokens or quoted strings), one of them named boundary and
// "boundary" nowhere else (Chrome's `----WebKitFormBoundary…` value is fine, a "boundary=" in it is
// not), and a value (unquoted, or quoted without escapes) of 1 to 70 of RFC 2046's bchars: ASCII
// letters and digits, '()+_-./:=? and a space that is not last, but no ',' (Tomcat ends a
// parameter there). Anything else (a non-ASCII or control character, a tab, '@', '!', a trailing
// space) is a boundary parsers may trim, decode or compare as bytes differently, so it is
// ambiguous too. Without any "boundary" mention, Rack reads the body as url-encoded
// (method-override-body.ts).
//
// The parts, under that boundary, read as the most generous parser would: a part's head starts
// on the line after any occurrence of `--boundary` (Rack 3 needs no line start before it, PHP
// compares only a line's start); it ends at the first blank line; folded header lines are joined
// (PHP unfolds them); Content-Disposition is found anywhere in the head (Rack's regex is not
// anchored) and every `name` parameter after it counts. Nothing stops the scan: a closing
// delimiter that one parser sees may be text to another. A part's value is the first line of its
// content, cut at the next `--boundary`: a value a framework honours is a method, which has no line
// break. A value that some parser decodes (Go's quoted-printable Content-Transfer-Encoding, a
// part's charset in Tomcat) reads here with '=' or NUL in it, which is not a method and is refused.

import { percentDecoded } from "../http/form-decoding.js";
import { type NamedOverride, readsAsMethodParameter } from "./method-override.js";

export type MultipartBoundary =
  /** No "boundary" anywhere: Rack reads the body as url-encoded. */
  | { readonly kind: "none" }
  | { readonly kind: "one"; readonly boundary: string }
  | { readonly kind: "ambiguous"; readonly reason: string };

const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const QUOTED = '"(?:[^"\\\\\\r\\n]|\\\\.)*"';
const PARAMETER = new RegExp(`[ \\t]*;[ \\t]*(${TOKEN})=(${TOKEN}|${QUOTED})`, "gy");
const MEDIA_TYPE = new RegExp(`^multipart/${TOKEN}`, "i");
/** RFC 2046 §5.1.1: 0 to 69 bchars, then one bcharsnospace; less ',' (see the header). */
const BOUNDARY_VALUE = /^[0-9A-Za-z'()+_\-./:=? ]{0,69}[0-9A-Za-z'()+_\-./:=?]$/;

/** The boundary of a multipart Content-Type, when every framework reads the same one. */
export function multipartBoundary(contentType: string): MultipartBoundary {
  if (!/boundary/i.test(contentType)) return { kind: "none" };
  const ambiguous = (why: string): MultipartBoundary => ({
    kind: "ambiguous",
    reason: `the multipart Content-Type ${why}; frameworks read different boundaries from it`,
  });
  const media = MEDIA_TYPE.exec(contentType);
  if (media === null) return ambiguous("does not start with multipart/<subtype>");
  const boundaries: { name: string; value: string; at: number }[] = [];
  PARAMETER.lastIndex = media[0].length;
  let end = media[0].length;
  for (let match = PARAMETER.exec(contentType); match !== null; match = PARAMETER.exec(contentType)) {
    if (match[1]!.toLowerCase() === "boundary")
      boundaries.push({ name: match[1]!, value: match[2]!, at: PARAMETER.lastIndex - match[2]!.length });
    end = PARAMETER.lastIndex;
  }
  if (contentType.slice(end).trim() !== "")
    return ambiguous("is not a media type followed by '; name=value' parameters");
  if (boundaries.length !== 1)
    return ambiguous(
      boundaries.length === 0
        ? 'names "boundary" other than as a parameter'
        : `has ${boundaries.length} boundary parameters`,
    );
  const [{ name, value: raw, at }] = boundaries as [(typeof boundaries)[number]];
  const outside = contentType.slice(0, at) + contentType.slice(at + raw.length);
  if ((outside.match(/boundary/gi)?.length ?? 0) > 1)
    return ambiguous('mentions "boundary" outside its boundary parameter');
  const value = raw.startsWith('"') ? raw.slice(1, -1) : raw;
  if (!BOUNDARY_VALUE.test(value)) {
    return ambiguous(
      "has a boundary that is empty, longer than 70 characters, ends in a space, or holds a character other than ASCII letters, digits and '()+_-./:=? or space (RFC 2046 bchars, less ',')",
    );
  }
  // Rack's greedy regex would take a "boundary=" inside the value; PHP looks for "boundary" in
  // lower case first, so a value holding it under a parameter spelt otherwise is where PHP starts.
  if (/boundary.*=/i.test(value) || (value.includes("boundary") && name !== "boundary"))
    return ambiguous('has "boundary" inside its boundary');
  return { kind: "one", boundary: value };
}

/**
 * Parts named `_method` (Content-Disposition: form-data; name="_method") of a body with that
 * Content-Type, with their values; one override that cannot be read when its boundary is ambiguous.
 */
export function multipartOverrides(text: string, contentType: string): NamedOverride[] {
  const boundary = multipartBoundary(contentType);
  if (boundary.kind === "ambiguous")
    return [{ source: "the multipart body", value: "", list: false, unreadable: boundary.reason }];
  if (boundary.kind === "none") return [];
  const delimiter = `--${boundary.boundary}`;
  const lines = text.split("\n").map((line) => line.replace(/\r$/, ""));
  // The head of every part ends at the next blank line; of the heads that end at the same one, the
  // one that starts first holds the others' lines, so it alone is read (and the scan stays linear).
  const headStarts = new Map<number, number>();
  let blank = lines.length;
  for (let at = lines.length - 1; at >= 0; at -= 1) {
    if (lines[at] === "") blank = at;
    if (lines[at]!.includes(delimiter) && at + 1 < lines.length) headStarts.set(blank, at + 1);
  }
  const named: NamedOverride[] = [];
  for (const [end, start] of [...headStarts].sort(([a], [b]) => a - b)) {
    const head = lines
      .slice(start, end)
      .join("\n")
      .replace(/\n[ \t]+/g, " ");
    const value = (lines[end + 1] ?? "").split(delimiter, 1)[0]!;
    const name = methodPartName(head);
    if (name !== undefined)
      named.push({ source: `multipart part ${JSON.stringify(name.slice(0, 40))}`, value, list: false });
  }
  return named;
}

/** The first `name` parameter after a Content-Disposition in `head` that reads as `_method`. */
function methodPartName(head: string): string | undefined {
  for (const disposition of head.split(/content-disposition[ \t]*:/i).slice(1)) {
    // Every name parameter counts (parsers differ on which of `name` and `name*` wins).
    for (const name of disposition.matchAll(/(?:^|;)\s*name(\*?)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\n]*))/gi)) {
      const raw = (name[2] ?? name[3] ?? "").trim();
      // name*=charset'language'percent-encoded (RFC 5987), and a quoted name's backslash escapes.
      const decoded =
        name[1] === "*" ? (percentDecoded(raw.replace(/^[^']*'[^']*'/, "")) ?? raw) : raw.replace(/\\(.)/g, "$1");
      if (readsAsMethodParameter(decoded)) return decoded;
    }
  }
  return undefined;
}
