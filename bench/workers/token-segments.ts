// The issuer's own tokens, taken apart by the benchmark drivers (a broken token is a broken bench).

import { decodeBase64url } from "../../worker/encoding/base64url.js";

export function segmentBytes(segment: string): Uint8Array {
  const bytes = decodeBase64url(segment);
  if (bytes === undefined) throw new Error("the issuer's token is not base64url");
  return bytes;
}

/** The kid of a compact JWS's protected header. */
export function headerKid(token: string): string {
  const { kid } = JSON.parse(new TextDecoder().decode(segmentBytes(token.slice(0, token.indexOf("."))))) as {
    kid: string;
  };
  return kid;
}
