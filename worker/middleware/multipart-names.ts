// The parts of a multipart body that a framework reads as `_method`: Rack, PHP, Spring and
// gorilla take a part's parameter name from its Content-Disposition `name` (quoted or not,
// RFC 5987's `name*=` too), and its value from the part's content.

import { percentDecoded } from "../http/form-decoding.js";
import { readsAsMethodParameter, type NamedOverride } from "./method-override.js";

/** The boundary parameter of a multipart Content-Type, if it has one. */
export function boundaryOf(contentType: string): string | undefined {
  const match = /;\s*boundary\s*=\s*(?:"([^"]+)"|([^;,\s]+))/i.exec(contentType);
  return match?.[1] ?? match?.[2];
}

/** Parts named `_method` (Content-Disposition: form-data; name="_method"), with their content. */
export function multipartOverrides(text: string, boundary: string): NamedOverride[] {
  const named: NamedOverride[] = [];
  // Each part follows a delimiter line; the closing delimiter is followed by "--".
  for (const part of text.split(`--${boundary}`).slice(1)) {
    if (part.startsWith("--")) break;
    const body = part.replace(/^[ \t]*\r?\n/, "");
    const end = /\r?\n\r?\n/.exec(body);
    const head = end === null ? body : body.slice(0, end.index);
    const content = end === null ? "" : body.slice(end.index + end[0].length).replace(/\r?\n$/, "");
    const disposition = /^content-disposition[ \t]*:(.*)$/im.exec(head)?.[1] ?? "";
    // Every name parameter counts (parsers differ on which of `name` and `name*` wins).
    for (const name of disposition.matchAll(/(?:^|;)\s*name(\*?)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/gi)) {
      const raw = (name[2] ?? name[3] ?? "").trim();
      // name*=charset'language'percent-encoded (RFC 5987), and a quoted name's backslash escapes.
      const decoded = name[1] === "*" ? (percentDecoded(raw.replace(/^[^']*'[^']*'/, "")) ?? raw) : raw.replace(/\\(.)/g, "$1");
      if (!readsAsMethodParameter(decoded)) continue;
      named.push({ source: `multipart part ${JSON.stringify(decoded.slice(0, 40))}`, value: content, list: false });
      break;
    }
  }
  return named;
}
