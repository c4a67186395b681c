// Hostile tokens aimed at the token's encoding: a real token tampered with, and base64url,
// segment and size tricks.
// Part of the hostile-token table (cases.ts gathers the parts); its pieces: cases-build.ts.

import { ACCOUNT_ID } from "../support/stack-fixture.js";
import {
  AUTH,
  bearer,
  type HostileCase,
  headerOf,
  invalid,
  MALFORMED,
  parts,
  payloadOf,
  refused,
  SIG,
  standardBase64Payload,
} from "./cases-build.js";
import { b64json, b64url, flipSegmentBit, segmentText, withPayload } from "./forge.js";

export const ENCODING_CASES: readonly HostileCase[] = [
  // tampering with a real token
  invalid("sub changed, the issuer's signature kept", SIG, (s) =>
    withPayload(s.valid, (p) => ({ ...p, sub: `worker/${ACCOUNT_ID}/billing` })),
  ),
  invalid("billing token relabelled worker edge-api, signature kept", SIG, (s) =>
    withPayload(s.billing, (p) => ({ ...p, worker: "edge-api" })),
  ),
  invalid("exp extended, signature kept", SIG, (s) =>
    withPayload(s.valid, (p) => ({ ...p, exp: (p.exp as number) + 86_400 })),
  ),
  invalid(
    "one bit of the signature flipped",
    SIG,
    (s) => `${parts(s.valid)[0]}.${parts(s.valid)[1]}.${flipSegmentBit(parts(s.valid)[2], 77)}`,
  ),
  // 342 − 14 = 328 characters: still canonical base64url (a multiple of 4), so it reaches the signature check.
  invalid("signature truncated by 14 characters", SIG, (s) => s.valid.slice(0, -14)),
  // 342 − 12 = 330 characters: the new last character carries unused bits, refused before any crypto.
  refused(
    "signature truncated by 12 characters",
    401,
    "ERR_TOKEN_MALFORMED",
    bearer(async (s) => {
      const cut = s.valid.slice(0, -12);
      const last = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".indexOf(cut.at(-1)!);
      // Keep the case deterministic: make sure the unused bits are set.
      return (last & 0b1111) === 0 ? `${cut.slice(0, -1)}B` : cut;
    }),
  ),
  invalid(
    "signature cut to its first half",
    SIG,
    (s) => `${parts(s.valid)[0]}.${parts(s.valid)[1]}.${parts(s.valid)[2].slice(0, 168)}`,
  ),
  invalid("empty signature", SIG, (s) => `${parts(s.valid)[0]}.${parts(s.valid)[1]}.`),
  invalid(
    "signature of another token transplanted",
    SIG,
    (s) => `${parts(s.valid)[0]}.${parts(s.valid)[1]}.${parts(s.billing)[2]}`,
  ),
  invalid(
    "header and payload of the trusted token under the issuer's signature",
    SIG,
    async (s) =>
      `${parts(await s.trustedToken())
        .slice(0, 2)
        .join(".")}.${parts(s.valid)[2]}`,
  ),

  // encodings and structure
  invalid("'+' in the header segment", MALFORMED, (s) => s.valid.replace(/^(.{5})./, "$1+")),
  invalid("'/' in the payload segment", MALFORMED, (s) => s.valid.replace(/\.(.{7})./, ".$1/")),
  invalid(
    "standard base64 (+ /) re-encoding of the payload",
    MALFORMED,
    (s) => `${parts(s.valid)[0]}.${standardBase64Payload(s.valid).replace(/=+$/, "")}.${parts(s.valid)[2]}`,
  ),
  invalid(
    "standard base64 (+ / =) re-encoding of the payload, padded",
    AUTH,
    (s) => `${parts(s.valid)[0]}.${standardBase64Payload(s.valid)}.${parts(s.valid)[2]}`,
  ),
  invalid("'=' padding after the signature", MALFORMED, (s) => `${s.valid}==`),
  invalid("'~' in the signature", MALFORMED, (s) => s.valid.replace(/.$/, "~")),
  invalid("header not JSON", MALFORMED, (s) => `${b64url("alg=RS256")}.${parts(s.valid)[1]}.${parts(s.valid)[2]}`),
  invalid("payload not JSON", MALFORMED, (s) => `${parts(s.valid)[0]}.${b64url("{sub: worker}")}.${parts(s.valid)[2]}`),
  invalid(
    "header not UTF-8",
    MALFORMED,
    (s) => `${b64url(new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]))}.${parts(s.valid)[1]}.${parts(s.valid)[2]}`,
  ),
  invalid(
    "header behind a byte order mark",
    MALFORMED,
    (s) => `${b64url(`\ufeff${segmentText(parts(s.valid)[0])}`)}.${parts(s.valid)[1]}.${parts(s.valid)[2]}`,
  ),
  invalid(
    "header a JSON array",
    MALFORMED,
    (s) => `${b64json([headerOf(s.valid)])}.${parts(s.valid)[1]}.${parts(s.valid)[2]}`,
  ),
  invalid("header JSON null", MALFORMED, (s) => `${b64json(null)}.${parts(s.valid)[1]}.${parts(s.valid)[2]}`),
  invalid(
    "payload a JSON string",
    MALFORMED,
    (s) => `${parts(s.valid)[0]}.${b64json(JSON.stringify(payloadOf(s.valid)))}.${parts(s.valid)[2]}`,
  ),
  invalid("payload a JSON number", MALFORMED, (s) => `${parts(s.valid)[0]}.${b64json(42)}.${parts(s.valid)[2]}`),
  invalid("two segments", MALFORMED, (s) => parts(s.valid).slice(0, 2).join(".")),
  invalid("four segments", MALFORMED, (s) => `${s.valid}.${parts(s.valid)[2]}`),
  invalid(
    "five segments (JWE shape)",
    MALFORMED,
    (s) => `${parts(s.valid)[0]}..${parts(s.valid)[1]}.${parts(s.valid)[2]}.${b64url("tag")}`,
  ),
  invalid("empty header segment", MALFORMED, (s) => `.${parts(s.valid)[1]}.${parts(s.valid)[2]}`),
  invalid("a token over 8 KiB, trusted signer", "ERR_TOKEN_TOO_LARGE", (s) =>
    s.trustedToken({ padding: "p".repeat(8_400) }),
  ),
  invalid("a 100 KiB Authorization header", "ERR_TOKEN_TOO_LARGE", (s) => `${s.valid}${"A".repeat(100 * 1_024)}`),
];
