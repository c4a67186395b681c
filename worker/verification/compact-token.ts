// Structure of a compact JWS, checked before anything is trusted: size, three canonical base64url
// segments, a UTF-8 JSON object header and payload without duplicate member names. Nothing decoded
// here is believed until the signature has been verified; the header is only read to pick alg and
// key. The segments are decoded once, here: signature.ts verifies the bytes this returns.

import { decodeBase64url } from "../encoding/base64url.js";
import { TokenMalformedError, TokenTooLargeError } from "./errors.js";
import { parseStrictJsonObject } from "./strict-json.js";

export interface DecodedToken {
  readonly header: Record<string, unknown>;
  readonly payload: Record<string, unknown>;
  /** What the signature covers: the ASCII bytes of `<header>.<payload>` (RFC 7515 §5.2). */
  readonly signingInput: Uint8Array;
  /** The signature segment, decoded (possibly empty: an unsigned token fails the algorithm check). */
  readonly signature: Uint8Array<ArrayBuffer>;
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }); // a BOM stays and fails JSON.parse
const ascii = new TextEncoder();

export function decodeCompactToken(token: unknown, maxTokenBytes: number): DecodedToken {
  if (typeof token !== "string") throw new TokenMalformedError("the token must be a string");
  // Checked on UTF-16 length first: a valid token is ASCII, so its length is its size in bytes.
  if (token.length > maxTokenBytes) {
    throw new TokenTooLargeError(`the token is longer than the ${maxTokenBytes} bytes this verifier accepts`);
  }
  const firstDot = token.indexOf(".");
  const lastDot = token.lastIndexOf(".");
  if (firstDot < 0 || lastDot === firstDot || token.indexOf(".", firstDot + 1) !== lastDot) {
    throw new TokenMalformedError("the token is not a compact JWS (three base64url segments separated by dots)");
  }
  const header = decodeJsonSegment(token.slice(0, firstDot), "header");
  const payload = decodeJsonSegment(token.slice(firstDot + 1, lastDot), "payload");
  const signature = decodeBase64url(token.slice(lastDot + 1));
  if (signature === undefined) throw new TokenMalformedError("the token's signature segment is not base64url");
  // Every character before lastDot is base64url or the dot (checked above), so this is ASCII.
  return { header, payload, signingInput: ascii.encode(token.slice(0, lastDot)), signature };
}

function decodeJsonSegment(segment: string, part: "header" | "payload"): Record<string, unknown> {
  const bytes = segment === "" ? undefined : decodeBase64url(segment);
  if (bytes === undefined) {
    throw new TokenMalformedError(`the token's ${part} segment is not base64url (unpadded, URL-safe alphabet)`);
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new TokenMalformedError(`the token's ${part} is not base64url-encoded UTF-8`);
  }
  const parsed = parseStrictJsonObject(text);
  if (!parsed.ok) throw new TokenMalformedError(`the token's ${part} ${parsed.reason}`);
  return parsed.value;
}
