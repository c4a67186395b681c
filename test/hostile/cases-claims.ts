// Hostile tokens aimed at the claim checks (signed by the trusted key, so they reach them): time,
// iss, aud, required claims missing, claims of the wrong type, duplicate member names, and
// prototype tricks.
// Part of the hostile-token table (cases.ts gathers the parts); its pieces: cases-build.ts.

import { ACCOUNT_ID, API_AUDIENCE, AWS_AUDIENCE } from "../support/stack-fixture.js";
import {
  ALG,
  bearer,
  CLAIMS,
  claimsText,
  type HostileCase,
  ISSUER,
  invalid,
  MALFORMED,
  now,
  parts,
  refused,
  trustedHeader,
  without,
} from "./cases-build.js";
import { b64url, segmentText, signJson, signTexts } from "./forge.js";
import { AUTHENTICATED_ROUTE } from "./hostile-stack.js";

export const CLAIM_CASES: readonly HostileCase[] = [
  // time (trusted signer)
  invalid("expired", "ERR_TOKEN_EXPIRED", (s) => s.trustedToken({ iat: now() - 420, exp: now() - 120 })),
  invalid("nbf in the future", "ERR_TOKEN_NOT_YET_VALID", (s) => s.trustedToken({ nbf: now() + 3_600 })),
  invalid("iat in the future", "ERR_TOKEN_NOT_YET_VALID", (s) =>
    s.trustedToken({ iat: now() + 3_600, exp: now() + 3_900 }),
  ),

  // iss (trusted signer)
  invalid("iss another URL", ISSUER, (s) => s.trustedToken({ iss: "https://id.attacker.example" })),
  invalid("iss with a trailing slash", ISSUER, (s) => s.trustedToken({ iss: `${s.issuer}/` })),
  invalid("iss https instead of http", ISSUER, (s) => s.trustedToken({ iss: s.issuer.replace(/^http:/, "https:") })),
  invalid("iss in upper case", ISSUER, (s) => s.trustedToken({ iss: s.issuer.toUpperCase() })),
  invalid("iss naming localhost instead of 127.0.0.1", ISSUER, (s) =>
    s.trustedToken({ iss: s.issuer.replace("127.0.0.1", "localhost") }),
  ),

  // aud
  invalid("aud another API (trusted signer)", "ERR_TOKEN_AUDIENCE", (s) =>
    s.trustedToken({ aud: "https://api.attacker.example" }),
  ),
  invalid("aud an array holding the right one (trusted signer)", "ERR_TOKEN_AUDIENCE", (s) =>
    s.trustedToken({ aud: [API_AUDIENCE, "https://api.attacker.example"] }),
  ),
  invalid("aud an array of only the right one (trusted signer)", "ERR_TOKEN_AUDIENCE", (s) =>
    s.trustedToken({ aud: [API_AUDIENCE] }),
  ),
  invalid("a real token of the issuer for AWS", "ERR_TOKEN_AUDIENCE", (s) => s.h.token("billing", AWS_AUDIENCE)),

  // required claims missing (trusted signer)
  ...["sub", "exp", "iat", "jti", "iss", "aud"].map((name) =>
    invalid(`missing ${name}`, CLAIMS, (s) => signJson(s.trusted, without(s, name))),
  ),

  // claims of the wrong type (trusted signer)
  invalid("exp a string", CLAIMS, (s) => s.trustedToken({ exp: String(now() + 300) })),
  invalid("exp a boolean", CLAIMS, (s) => s.trustedToken({ exp: true })),
  invalid("exp 1e400 (Infinity once parsed)", CLAIMS, (s) =>
    signTexts(
      trustedHeader(s),
      claimsText(s, (j) => j.replace(/"exp":\d+/, '"exp":1e400')),
      s.trusted,
    ),
  ),
  invalid("iat a string", CLAIMS, (s) => s.trustedToken({ iat: String(now()) })),
  invalid("iat huge (1e300), after exp", CLAIMS, (s) => s.trustedToken({ iat: 1e300 })),
  invalid("exp before iat", CLAIMS, (s) => s.trustedToken({ iat: now(), exp: now() - 1 })),
  invalid("sub a number", CLAIMS, (s) => s.trustedToken({ sub: 42 })),
  invalid("sub an empty string", CLAIMS, (s) => s.trustedToken({ sub: "" })),
  invalid("aud an object", CLAIMS, (s) => s.trustedToken({ aud: { 0: API_AUDIENCE } })),
  invalid("jti an empty string", CLAIMS, (s) => s.trustedToken({ jti: "" })),
  invalid("worker an array holding edge-api", CLAIMS, (s) => s.trustedToken({ worker: ["edge-api"] })),
  invalid("iat negative", CLAIMS, (s) => s.trustedToken({ iat: -1 })),
  invalid("iat -1e300", CLAIMS, (s) => s.trustedToken({ iat: -1e300 })),
  invalid("nbf -1e300", CLAIMS, (s) => s.trustedToken({ nbf: -1e300 })),
  invalid("iat 0 (a 56-year lifetime)", CLAIMS, (s) => s.trustedToken({ iat: 0 })),
  invalid("exp 1e300", CLAIMS, (s) => s.trustedToken({ exp: 1e300 })),
  invalid("exp Number.MAX_SAFE_INTEGER", CLAIMS, (s) => s.trustedToken({ exp: Number.MAX_SAFE_INTEGER })),
  invalid("exp ten years away", CLAIMS, (s) => s.trustedToken({ exp: now() + 10 * 365 * 86_400 })),
  ...[1, 2, 8].map((bit) =>
    invalid(`the issuer's token respelled: signature's last character with unused bit ${bit} set`, MALFORMED, (s) => {
      const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
      const signature = parts(s.valid)[2]!;
      const last = alphabet.indexOf(signature.at(-1)!);
      const unused = signature.length % 4 === 2 ? 0b1111 : 0b11;
      const flipped = alphabet[last ^ (bit & unused || 1)]!;
      return `${parts(s.valid).slice(0, 2).join(".")}.${signature.slice(0, -1)}${flipped}`;
    }),
  ),
  invalid(
    "sub carrying CRLF and a forged identity header",
    "ERR_IDENTITY_HEADER",
    (s) => s.trustedToken({ sub: "worker/x\r\nx-worker-identity-workload: billing" }),
    AUTHENTICATED_ROUTE,
  ),
  invalid(
    "jti outside visible ASCII",
    "ERR_IDENTITY_HEADER",
    (s) => s.trustedToken({ jti: "jti-é-\u2028" }),
    AUTHENTICATED_ROUTE,
  ),

  // duplicate member names: attacker-signed, issuer signature kept, and even a trusted signature
  invalid("header alg twice, attacker-signed", MALFORMED, (s) =>
    signTexts(
      `{"alg":"none","alg":"RS256","typ":"JWT","kid":"${s.attackerRsa.kid}"}`,
      JSON.stringify(s.claims()),
      s.attackerRsa,
    ),
  ),
  invalid(
    "header alg twice, the issuer's signature kept",
    MALFORMED,
    (s) =>
      `${b64url(`{"alg":"none",${segmentText(parts(s.valid)[0]).slice(1)}`)}.${parts(s.valid)[1]}.${parts(s.valid)[2]}`,
  ),
  invalid("header alg twice, trusted signer", MALFORMED, (s) =>
    signTexts(trustedHeader(s).replace("{", '{"alg":"HS256",'), JSON.stringify(s.claims()), s.trusted),
  ),
  invalid("payload sub twice, attacker-signed", MALFORMED, (s) =>
    signTexts(
      JSON.stringify({ alg: "RS256", kid: s.attackerRsa.kid }),
      claimsText(s, (j) => j.replace("{", `{"sub":"worker/${ACCOUNT_ID}/billing",`)),
      s.attackerRsa,
    ),
  ),
  invalid(
    "payload sub twice, the issuer's signature kept",
    MALFORMED,
    (s) =>
      `${parts(s.valid)[0]}.${b64url(segmentText(parts(s.valid)[1]).replace("{", `{"sub":"worker/${ACCOUNT_ID}/billing",`))}.${parts(s.valid)[2]}`,
  ),
  invalid("payload sub twice, trusted signer", MALFORMED, (s) =>
    signTexts(
      trustedHeader(s),
      claimsText(s, (j) => j.replace("{", `{"sub":"worker/${ACCOUNT_ID}/billing",`)),
      s.trusted,
    ),
  ),
  invalid("payload worker twice, once escaped (\\u0077orker), trusted signer", MALFORMED, (s) =>
    signTexts(
      trustedHeader(s),
      claimsText(s, (j) => j.replace("{", '{"\\u0077orker":"billing",')),
      s.trusted,
    ),
  ),

  // prototype tricks: a "__proto__" member is an own property after JSON.parse, never inherited
  invalid("header alg and kid only under __proto__", ALG, (s) =>
    signTexts(
      `{"__proto__":{"alg":"RS256","kid":"${s.activeKid}"},"typ":"JWT"}`,
      JSON.stringify(s.claims()),
      s.attackerRsa,
    ),
  ),
  refused(
    "payload worker edge-api only under __proto__ (trusted signer)",
    403,
    "ERR_RULE_REFUSED",
    bearer((s) =>
      signTexts(
        trustedHeader(s),
        JSON.stringify({ ...without(s, "worker"), ["__proto__"]: { worker: "edge-api" } }),
        s.trusted,
      ),
    ),
  ),
];
