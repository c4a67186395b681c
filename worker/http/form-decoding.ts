// Percent-decoding, in the two ways the code needs it. Strictly: `decodeURIComponent`'s reading
// (a stray '%', a bad escape such as %ZZ, or escapes that are not UTF-8, such as the overlong
// %C0%AF, make the text invalid), for what is refused when invalid: a path segment at the admin
// routes, an introspection client's Basic credentials. Leniently: what a form parser that never
// fails makes of it (each run of escapes as UTF-8, what is not UTF-8 becoming U+FFFD, a '%' that
// is not an escape kept), for finding a `_method` the way an origin would read it. A form component
// (application/x-www-form-urlencoded) first reads '+' as a space; a path segment or an RFC 5987
// value does not.

const ESCAPE_RUN = /(?:%[0-9A-Fa-f]{2})+/g;
const LENIENT_UTF8 = new TextDecoder("utf-8");

/** The percent-decoded text, or undefined when it is not valid percent-encoded UTF-8. */
export function percentDecoded(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/** A form component ('+' a space), percent-decoded strictly: undefined when not valid percent-encoded UTF-8. */
export function formComponentDecoded(text: string): string | undefined {
  return percentDecoded(text.replace(/\+/g, " "));
}

/** A form component ('+' a space) with each run of escapes read as UTF-8; never fails. */
export function formComponentDecodedLeniently(text: string): string {
  return text
    .replace(/\+/g, " ")
    .replace(ESCAPE_RUN, (run) =>
      LENIENT_UTF8.decode(Uint8Array.from(run.slice(1).split("%"), (hex) => parseInt(hex, 16))),
    );
}
