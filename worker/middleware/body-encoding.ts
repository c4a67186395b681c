// Whether a POST body that must be checked for `_method` (method-override-body.ts) reads as its
// origin reads it. The middleware reads the bytes as sent, as UTF-8; an origin may first decode:
// - the Content-Encoding: Express's body-parser inflates gzip, deflate and br request bodies by
//   default, and method-override's `req.body._method` getter then reads the inflated form;
// - the charset: Tomcat (so Spring's HiddenHttpMethodFilter) decodes a form with the Content-Type's
//   charset, body-parser decodes JSON in UTF-16 and UTF-32, and a JSON body without a charset in
//   UTF-16 or UTF-32 is detected from its first bytes (RFC 4627 §3) by Jackson and Python's json.
// Such a body is refused, 400 ERR_METHOD_OVERRIDE (method-override.ts: an override that cannot be
// read; the one answer for "this request's method cannot be shown to stay under its rule", whose
// detail names these bodies), not decoded:
// decoding would need every codec an origin knows (EBCDIC's IBM037 is a Java charset that no
// TextDecoder reads, br is not in Node 20's DecompressionStream) and a bound on the inflated size
// against zip bombs, for bodies no browser sends (forms are never compressed). Refused only when
// the body must be read: a rule that governs every method, or says readBodyForMethodOverride:
// false, streams it as before. A charset is accepted when every byte below 0x80 is that ASCII
// character and no byte at or above 0x80 is part of one (UTF-8 and the single-byte ISO-8859 and
// windows-125x sets): then the `_method` the origin decodes is in the bytes as sent.

/** Charsets in which the bytes of ASCII text are that text, and no other bytes make ASCII. */
const ASCII_COMPATIBLE =
  /^(?:utf-?8|us-ascii|ascii|iso[-_]?8859-(?:[1-9]|1[0-6])|latin-?1|l1|windows-125[0-8]|cp125[0-8])$/;

/** Why a body in these formats, with these headers, cannot be read as an origin reads it; undefined when it can. */
export function bodyEncodingProblem(
  contentType: string | null,
  contentEncoding: string | null,
  json: boolean,
  bytes: Uint8Array,
): string | undefined {
  const encoding = (contentEncoding ?? "").trim().toLowerCase();
  if (encoding !== "" && encoding !== "identity")
    return `its Content-Encoding is ${quoteShort(contentEncoding ?? "")} (origins may decode it); send the body identity-encoded`;
  for (const [, charset = ""] of (contentType ?? "").matchAll(/charset\s*=\s*"?([^";,\s]*)/gi)) {
    if (!ASCII_COMPATIBLE.test(charset.toLowerCase()))
      return `its charset ${quoteShort(charset)} is not ASCII-compatible (origins may decode it); send it as UTF-8`;
  }
  if (
    json &&
    (bytes.subarray(0, 4).includes(0) || startsWith(bytes, [0xfe, 0xff]) || startsWith(bytes, [0xff, 0xfe]))
  ) {
    return "the JSON body is UTF-16 or UTF-32 (origins may detect it from its first bytes); send it as UTF-8";
  }
  return undefined;
}

const startsWith = (bytes: Uint8Array, prefix: readonly number[]) => prefix.every((byte, at) => bytes[at] === byte);
const quoteShort = (text: string) => JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
