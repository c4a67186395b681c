// Hostile tokens aimed at the signature check: alg none, HMAC with the issuer's public key,
// algorithm swaps, kid tricks, and tokens that bring their own key or demand extensions.
// Part of the hostile-token table (cases.ts gathers the parts); its pieces: cases-build.ts.

import { ALG, activeJwk, HEADER, type HostileCase, invalid, KEY, parts, SIG } from "./cases-build.js";
import { b64json, signHs256, signJson, spkiOf, withHeader } from "./forge.js";

export const SIGNATURE_CASES: readonly HostileCase[] = [
  // alg none and HMAC with the issuer's public key
  invalid(
    "alg none, empty signature",
    ALG,
    (s) => `${b64json({ alg: "none", typ: "JWT", kid: s.activeKid })}.${parts(s.valid)[1]}.`,
  ),
  invalid("alg none, the issuer's signature kept", ALG, (s) => withHeader(s.valid, (h) => ({ ...h, alg: "none" }))),
  invalid(
    "alg nOnE (case variant), empty signature",
    ALG,
    (s) => `${b64json({ alg: "nOnE", kid: s.activeKid })}.${parts(s.valid)[1]}.`,
  ),
  invalid("no alg at all", ALG, (s) => withHeader(s.valid, ({ alg: _alg, ...rest }) => rest)),
  invalid("HS256 keyed with the issuer key's SPKI PEM", ALG, async (s) =>
    signHs256(new TextEncoder().encode((await spkiOf(activeJwk(s), "RS256")).pem), s.claims(), {
      typ: "JWT",
      kid: s.activeKid,
    }),
  ),
  invalid("HS256 keyed with the issuer key's SPKI DER bytes", ALG, async (s) =>
    signHs256((await spkiOf(activeJwk(s), "RS256")).der, s.claims(), { typ: "JWT", kid: s.activeKid }),
  ),
  invalid("HS256 keyed with the issuer JWK's n", ALG, (s) =>
    signHs256(new TextEncoder().encode(activeJwk(s).n!), s.claims(), { typ: "JWT", kid: s.activeKid }),
  ),
  invalid("HS256 keyed with the issuer JWK's JSON", ALG, (s) =>
    signHs256(new TextEncoder().encode(JSON.stringify(activeJwk(s))), s.claims(), { typ: "JWT", kid: s.activeKid }),
  ),

  // algorithm swaps
  invalid("RS256→ES256: the issuer's token relabelled ES256", ALG, (s) =>
    withHeader(s.valid, (h) => ({ ...h, alg: "ES256" })),
  ),
  invalid("RS256→ES256: attacker ES256 signature under the issuer's RSA kid", ALG, (s) =>
    signJson(s.attackerEc, s.claims(), { kid: s.activeKid }),
  ),
  invalid("ES256→RS256: a trusted ES256 token relabelled RS256", ALG, async (s) =>
    withHeader(await s.trustedToken(), (h) => ({ ...h, alg: "RS256" })),
  ),
  invalid("ES256→RS256: attacker RS256 signature under the trusted EC kid", ALG, (s) =>
    signJson(s.attackerRsa, s.claims(), { kid: s.trusted.kid }),
  ),
  invalid("PS256 (not allowed) under the issuer's kid", ALG, (s) =>
    withHeader(s.valid, (h) => ({ ...h, alg: "PS256" })),
  ),
  invalid("alg an array holding RS256", ALG, (s) => withHeader(s.valid, (h) => ({ ...h, alg: ["RS256"] }))),

  // kid
  invalid("unknown kid, attacker-signed", KEY, (s) => signJson(s.attackerRsa, s.claims())),
  invalid("kid path traversal", KEY, (s) => signJson(s.attackerRsa, s.claims(), { kid: "../../../../../etc/passwd" })),
  invalid("kid SQL-ish", KEY, (s) => signJson(s.attackerRsa, s.claims(), { kid: "' OR '1'='1' --" })),
  invalid("kid __proto__", KEY, (s) => signJson(s.attackerRsa, s.claims(), { kid: "__proto__" })),
  invalid("kid constructor", KEY, (s) => signJson(s.attackerRsa, s.claims(), { kid: "constructor" })),
  invalid("kid 1,000 characters", HEADER, (s) => signJson(s.attackerRsa, s.claims(), { kid: "k".repeat(1_000) })),
  invalid("kid a number", HEADER, (s) => signJson(s.attackerRsa, s.claims(), { kid: 1 })),
  invalid("kid an array holding the active kid", HEADER, (s) =>
    withHeader(s.valid, (h) => ({ ...h, kid: [s.activeKid] })),
  ),
  invalid("kid an object", HEADER, (s) => withHeader(s.valid, (h) => ({ ...h, kid: { toString: s.activeKid } }))),
  invalid("kid null", HEADER, (s) => withHeader(s.valid, (h) => ({ ...h, kid: null }))),
  invalid("no kid", HEADER, (s) => withHeader(s.valid, ({ kid: _kid, ...rest }) => rest)),
  invalid("kid of the retired real key on a token of the active key", SIG, (s) =>
    withHeader(s.valid, (h) => ({ ...h, kid: s.retiredKid })),
  ),
  invalid("attacker signature under the active kid", SIG, (s) =>
    signJson(s.attackerRsa, s.claims(), { kid: s.activeKid }),
  ),

  // the token bringing its own key, or demanding extensions
  invalid("jwk: the attacker's key embedded, signed by it", HEADER, (s) =>
    signJson(s.attackerRsa, s.claims(), { jwk: s.attackerRsa.publicJwk }),
  ),
  invalid("jwk: the attacker's key embedded under the active kid", HEADER, (s) =>
    signJson(s.attackerRsa, s.claims(), { kid: s.activeKid, jwk: { ...s.attackerRsa.publicJwk, kid: s.activeKid } }),
  ),
  invalid("jku naming the attacker's JWKS", HEADER, (s) =>
    signJson(s.attackerRsa, s.claims(), { jku: "https://attacker.example/jwks.json" }),
  ),
  invalid("x5u naming the attacker's certificate", HEADER, (s) =>
    signJson(s.attackerRsa, s.claims(), { x5u: "https://attacker.example/cert.pem" }),
  ),
  invalid("x5c carrying the attacker's key", HEADER, async (s) =>
    signJson(s.attackerRsa, s.claims(), {
      x5c: [Buffer.from((await spkiOf(s.attackerRsa.publicJwk, "RS256")).der).toString("base64")],
    }),
  ),
  invalid("crit naming an unknown extension, trusted signer", HEADER, (s) =>
    signJson(s.trusted, s.claims(), { crit: ["urn:x-unknown"], "urn:x-unknown": true }),
  ),
  invalid("crit b64 false, trusted signer", HEADER, (s) =>
    signJson(s.trusted, s.claims(), { crit: ["b64"], b64: false }),
  ),
  invalid("typ at+jwt, trusted signer", HEADER, (s) => signJson(s.trusted, s.claims(), { typ: "at+jwt" })),
  invalid("typ a number, trusted signer", HEADER, (s) => signJson(s.trusted, s.claims(), { typ: 1 })),
];
