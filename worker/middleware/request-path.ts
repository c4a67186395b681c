// The one spelling of a request path that the rules are matched against and that the origin then
// receives. The URL parser has already resolved dot segments; here percent-escapes of unreserved
// characters are decoded (RFC 3986 §6.2.2.2) and the others upper-cased, so /rep%6Frts and
// /reports are one path. Paths that origins are known to read differently from us are refused
// rather than guessed at: an escaped '/', '\' or NUL, a stray '%', an empty inner segment ('//'),
// and dot segments hidden behind ';' parameters (/public/..;/admin), which some servers strip.

export type CanonicalPath =
  | { readonly ok: true; readonly path: string; readonly segments: readonly string[] }
  | { readonly ok: false; readonly reason: string };

const ESCAPE = /%([0-9A-Fa-f]{2})/g;
const UNRESERVED = /^[A-Za-z0-9\-._~]$/;
const REFUSED_ESCAPES = new Set(["2F", "5C", "00"]);
const DOT_SEGMENT = /^\.\.?(?:;|$)/;

/** `pathname` as `new URL(request.url).pathname` gives it. */
export function canonicalPath(pathname: string): CanonicalPath {
  if (!pathname.startsWith("/")) return { ok: false, reason: "the path does not start with '/'" };
  const raw = pathname.slice(1).split("/");
  const segments: string[] = [];
  for (const [i, segment] of raw.entries()) {
    if (/%(?![0-9A-Fa-f]{2})/.test(segment)) return { ok: false, reason: "the path has a '%' that is not an escape" };
    let refused: string | undefined;
    const decoded = segment.replace(ESCAPE, (_, hex: string) => {
      const upper = hex.toUpperCase();
      if (REFUSED_ESCAPES.has(upper)) refused = `%${upper}`;
      const char = String.fromCharCode(parseInt(upper, 16));
      return UNRESERVED.test(char) ? char : `%${upper}`;
    });
    if (refused !== undefined) return { ok: false, reason: `the path escapes a separator or NUL (${refused})` };
    if (DOT_SEGMENT.test(decoded)) return { ok: false, reason: "the path has a dot segment" };
    if (decoded === "" && i !== raw.length - 1) return { ok: false, reason: "the path has an empty segment ('//')" };
    segments.push(decoded);
  }
  return { ok: true, path: `/${segments.join("/")}`, segments };
}
