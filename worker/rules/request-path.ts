// The one spelling of a request path that the rules are matched against and that the origin then
// receives. Each segment is percent-decoded completely (strict UTF-8) and the decoded text is
// checked, so that no escape can hide what it stands for; then it is spelt again with one spelling
// per character: RFC 3986 unreserved characters, sub-delims, ':' and '@' plainly, everything else
// as upper-case UTF-8 escapes. /rep%6Frts, /a%3Ab and /caf%c3%a9 are /reports, /a:b and /caf%C3%A9.
//
// What origins are known to read differently from one another is refused rather than guessed at:
// '/' or '\' inside a segment (raw '\' or %2F, %5C), NUL and other controls, any ';' (raw or %3B:
// Tomcat, Spring and Jetty strip path parameters, others keep them), dot segments ('.', '..',
// %2E%2E, '..;', ..%3B), an empty inner segment ('//'), a '%' that is not an escape, an escape
// that decodes to another escape (%252E: an origin that decodes twice reads '.'), escapes that are
// not UTF-8 (overlong %C0%AF, %FF, encoded surrogates) and lone surrogates. So are the spellings
// that Windows origins and Unicode-normalising ones (IIS, some Java containers, NFKC in origins
// and WAFs) read as another path: a segment of only dots and spaces ('...', '..%20': Windows trims
// it to a dot segment), a segment ending in '.' or ' ' ('admin.' is 'admin' there), and any segment
// that NFKC changes: U+FF0E and U+2024 become '.', U+FF0F '/', U+FF3C '\', full-width letters
// ASCII ones, decomposed 'é' the composed one, so a public wildcard beside a protected route would
// forward what such an origin reads as the protected route. Text in NFC with no compatibility
// characters (café, 日本) is unchanged by NFKC and passes. Slash look-alikes that NFKC keeps but
// Windows best-fit conversion maps to '/' or '\' (U+2215, U+2044, U+2216, U+29F5, U+29F8, U+29F9)
// are refused too.
// route-pattern.ts spells the rules' literal segments with canonicalSegment, so both sides agree.

export type CanonicalPath =
  | { readonly ok: true; readonly path: string; readonly segments: readonly string[] }
  | { readonly ok: false; readonly reason: string };

/** One segment in canonical spelling, or what makes it impossible (a noun phrase: "an escaped '/' (%2F)"). */
export type CanonicalSegment =
  | { readonly ok: true; readonly value: string }
  | { readonly ok: false; readonly cause: string };

// RFC 3986 §3.3 pchar without ';' (refused) and without '%' (always escaped).
const PLAIN = /^[A-Za-z0-9\-._~!$&'()*+,=:@]$/;
const ESCAPE_RUN = /(?:%[0-9A-Fa-f]{2})+/g;
const STRAY_PERCENT = /%(?![0-9A-Fa-f]{2})/;
// With the u flag a surrogate pair is one code point, so this matches only unpaired halves.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;
// biome-ignore lint/suspicious/noControlCharactersInRegex: the pattern exists to find control characters and refuse them
const CONTROL = /[\u0000-\u001F\u007F]/;
const DOT_WITH_PARAMETER = /^\.\.?;/;
const ENCODED_ESCAPE = /%[0-9A-Fa-f]{2}/;
const ONLY_DOTS_AND_SPACES = /^[. ]+$/;
const TRAILING_DOT_OR_SPACE = /[. ]$/;
// Division slash, fraction slash, set minus, reverse solidus operator, big solidus, big reverse solidus.
const SLASH_LOOKALIKE = /[\u2215\u2044\u2216\u29F5\u29F8\u29F9]/u;
// ignoreBOM: a leading U+FEFF is a character to keep (and escape), not a marker to drop silently.
const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const ENCODER = new TextEncoder();

/** `pathname` as `new URL(request.url).pathname` gives it (raw non-ASCII is accepted too). */
export function canonicalPath(pathname: string): CanonicalPath {
  if (!pathname.startsWith("/")) return { ok: false, reason: "the path does not start with '/'" };
  const raw = pathname.slice(1).split("/");
  const segments: string[] = [];
  for (const [i, segment] of raw.entries()) {
    if (segment === "" && i !== raw.length - 1) return { ok: false, reason: "the path has an empty segment ('//')" };
    const canonical = canonicalSegment(segment);
    if (!canonical.ok) return { ok: false, reason: `the path has ${canonical.cause}` };
    segments.push(canonical.value);
  }
  return { ok: true, path: `/${segments.join("/")}`, segments };
}

/** Decodes one path segment (no raw '/' in it), checks the decoded text, and spells it canonically. */
export function canonicalSegment(segment: string): CanonicalSegment {
  const refuse = (cause: string): CanonicalSegment => ({ ok: false, cause });
  if (STRAY_PERCENT.test(segment)) return refuse("a '%' that is not an escape (write '%' as %25)");
  if (LONE_SURROGATE.test(segment)) return refuse("a lone UTF-16 surrogate");
  let undecodable: string | undefined;
  // Runs of escapes decode on their own: the raw characters between them are whole UTF-8
  // sequences already, so the segment is valid UTF-8 exactly when every run is, and the first
  // run that is not names the cause.
  const text = segment.replace(ESCAPE_RUN, (run) => {
    const bytes = Uint8Array.from(run.slice(1).split("%"), (hex) => parseInt(hex, 16));
    try {
      return UTF8.decode(bytes);
    } catch {
      undecodable ??= run.toUpperCase();
      return "";
    }
  });
  if (undecodable !== undefined)
    return refuse(`escapes that are not UTF-8 (${undecodable}: overlong, invalid or a surrogate)`);
  if (text.includes("/")) return refuse("an escaped '/' (%2F), which origins may read as a separator");
  if (text.includes("\\")) return refuse("a '\\' (raw or %5C), which some origins read as '/'");
  const control = CONTROL.exec(text)?.[0];
  if (control !== undefined) return refuse(`a control character (${escapeOf(control)})`);
  if (text === "." || text === "..") return refuse(`a dot segment ('${text}' once decoded)`);
  const dots = DOT_WITH_PARAMETER.exec(text)?.[0];
  if (dots !== undefined)
    return refuse(
      `a dot segment behind a ';' parameter ('${dots}' once decoded), which origins that strip parameters resolve`,
    );
  if (text.includes(";")) return refuse("a ';' (raw or %3B): origins disagree on path parameters");
  if (ENCODED_ESCAPE.test(text))
    return refuse("an escaped escape (%25 and two hex digits), which an origin that decodes twice reads differently");
  if (ONLY_DOTS_AND_SPACES.test(text)) {
    return refuse(
      `a segment of only dots and spaces ('${spell(text)}' once decoded), which Windows origins trim to a dot segment`,
    );
  }
  if (TRAILING_DOT_OR_SPACE.test(text)) {
    return refuse(
      `a segment ending in '.' or ' ' ('${spell(text)}' once decoded), which Windows origins trim ('a.' is 'a'); drop the trailing character`,
    );
  }
  const normalised = text.normalize("NFKC");
  if (normalised !== text) return refuse(nfkcCause(text, normalised));
  const lookalike = SLASH_LOOKALIKE.exec(text)?.[0];
  if (lookalike !== undefined)
    return refuse(
      `a slash look-alike (${codePoint(lookalike)}), which Windows best-fit conversion reads as '/' or '\\'`,
    );
  return { ok: true, value: spell(text) };
}

/** Names the first character NFKC replaces, or the sequence it composes (decomposed 'é' is e + U+0301). */
function nfkcCause(text: string, normalised: string): string {
  const changed = [...text].find((char) => char.normalize("NFKC") !== char);
  const what =
    changed === undefined
      ? `characters that NFKC composes ('${spell(text)}' is '${spell(normalised)}'), such as a decomposed accent`
      : `${codePoint(changed)}, which NFKC reads as '${spell(changed.normalize("NFKC"))}'`;
  return `a character that Unicode NFKC normalisation changes (${what}): origins that normalise read another path; send the segment in NFKC form`;
}

function codePoint(char: string): string {
  return `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
}

/** Each character once: plainly when RFC 3986 allows it in a segment, else as upper-case UTF-8 escapes. */
function spell(text: string): string {
  let spelt = "";
  for (const char of text) spelt += PLAIN.test(char) ? char : escapeOf(char);
  return spelt;
}

function escapeOf(char: string): string {
  return [...ENCODER.encode(char)].map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, "0")}`).join("");
}
