// Structure of a compact JWS, checked before anything is trusted: size, three base64url segments,
// a UTF-8 JSON object header and payload without duplicate member names. Nothing decoded here is
// believed until the signature has been verified; the header is only read to pick alg and key.

import { TokenMalformedError, TokenTooLargeError } from "./errors.js";
import { parseStrictJsonObject } from "./strict-json.js";

export interface DecodedToken {
  readonly header: Record<string, unknown>;
  readonly payload: Record<string, unknown>;
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/**
 * Canonical unpadded base64url: the bits the last character carries beyond the encoded bytes
 * must be zero. Decoders ignore them, so without this check one token has up to 16 spellings,
 * and anything keyed on the token's text (a deny-list, a cache, a log search) could be dodged.
 */
function isCanonicalBase64url(segment: string): boolean {
  if (!BASE64URL.test(segment)) return false;
  const rest = segment.length % 4;
  if (rest === 1) return false;
  if (rest === 0) return true;
  const last = ALPHABET.indexOf(segment[segment.length - 1]!);
  const unusedBits = rest === 2 ? 0b1111 : 0b11;
  return (last & unusedBits) === 0;
}
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }) // a BOM stays and fails JSON.parse;

export function decodeCompactToken(token: unknown, maxTokenBytes: number): DecodedToken {
  if (typeof token !== "string") throw new TokenMalformedError("the token must be a string");
  // Checked on UTF-16 length first: a valid token is ASCII, so its length is its size in bytes.
  if (token.length > maxTokenBytes) {
    throw new TokenTooLargeError(`the token is longer than the ${maxTokenBytes} bytes this verifier accepts`);
  }
  const segments = token.split(".");
  if (segments.length !== 3) {
    throw new TokenMalformedError("the token is not a compact JWS (three base64url segments separated by dots)");
  }
  const [header, payload, signature] = segments as [string, string, string];
  const decoded = { header: decodeJsonSegment(header, "header"), payload: decodeJsonSegment(payload, "payload") };
  // The signature may be empty here: an unsigned token is refused by the algorithm check instead.
  if (!isCanonicalBase64url(signature)) {
    throw new TokenMalformedError("the token's signature segment is not base64url");
  }
  return decoded;
}

function decodeJsonSegment(segment: string, part: "header" | "payload"): Record<string, unknown> {
  if (segment === "" || !isCanonicalBase64url(segment)) {
    throw new TokenMalformedError(`the token's ${part} segment is not base64url (unpadded, URL-safe alphabet)`);
  }
  let text: string;
  try {
    const binary = atob(segment.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (segment.length % 4)) % 4));
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    text = utf8.decode(bytes);
  } catch {
    throw new TokenMalformedError(`the token's ${part} is not base64url-encoded UTF-8`);
  }
  const parsed = parseStrictJsonObject(text);
  if (!parsed.ok) throw new TokenMalformedError(`the token's ${part} ${parsed.reason}`);
  return parsed.value;
}
