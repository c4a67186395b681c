// The hostile-token table: each case names an attack, builds what is sent (Authorization header
// values, optionally a query) from the prepared stack (hostile-stack.ts), and says how the
// middleware must refuse it: 401 or 403 and the refusal code, which proves that the check the
// case aims at is the one that refused (a forged claim must reach the claim checks, so those
// tokens are signed by the trusted key the issuer's JWKS publishes).
//
// Signers: "issuer" = a real token of the issuer (its signature kept where the case edits it),
// "trusted" = the test key published in the issuer's JWKS, "attacker" = a key nobody publishes.

import { ACCOUNT_ID, API_AUDIENCE, AWS_AUDIENCE } from "../support/stack-fixture.js";
import {
  b64json,
  b64url,
  flipSegmentBit,
  segmentsOf,
  segmentText,
  signHs256,
  signJson,
  signTexts,
  spkiOf,
  withHeader,
  withPayload,
} from "./forge.js";
import { AUTHENTICATED_ROUTE, type HostileStack, WORKLOAD_ROUTE } from "./hostile-stack.js";

/** What one case sends: each Authorization value (several: one raw request repeating the header). */
export interface Sent {
  readonly authorization: readonly string[];
  /** Appended to the route, e.g. "?access_token=…". */
  readonly query?: string;
  /** Sent as written over a socket (HTTP/1.1), not through fetch, which would normalise it. */
  readonly raw?: boolean;
}

export interface HostileCase {
  readonly name: string;
  readonly status: 401 | 403;
  readonly code: string;
  readonly route: string;
  readonly send: (s: HostileStack) => Promise<Sent>;
}

type Build = (s: HostileStack) => string | Promise<string>;

const bearer =
  (build: Build) =>
  async (s: HostileStack): Promise<Sent> => ({ authorization: [`Bearer ${await build(s)}`] });
const header =
  (build: Build) =>
  async (s: HostileStack): Promise<Sent> => ({ authorization: [await build(s)] });

function refused(
  name: string,
  status: 401 | 403,
  code: string,
  send: HostileCase["send"],
  route: string = WORKLOAD_ROUTE,
): HostileCase {
  return { name, status, code, route, send };
}
const invalid = (name: string, code: string, build: Build, route?: string) =>
  refused(name, 401, code, bearer(build), route);
const badHeader = (name: string, code: string, send: HostileCase["send"]) => refused(name, 401, code, send);

// Pieces of real tokens.
const parts = (token: string) => segmentsOf(token);
const headerOf = (token: string) => JSON.parse(segmentText(parts(token)[0])) as Record<string, unknown>;
const payloadOf = (token: string) => JSON.parse(segmentText(parts(token)[1])) as Record<string, unknown>;
const activeJwk = (s: HostileStack) => s.jwks.keys.find((k) => k.kid === s.activeKid)!;
/** The claims of a valid edge-api token as JSON text with `edit` applied, for members JSON.stringify cannot write. */
const claimsText = (s: HostileStack, edit: (json: string) => string, overrides?: Record<string, unknown>) =>
  edit(JSON.stringify(s.claims(overrides)));
const trustedHeader = (s: HostileStack) => JSON.stringify({ alg: "ES256", typ: "JWT", kid: s.trusted.kid });
/** The claims without `name`. */
const without = (s: HostileStack, name: string) =>
  Object.fromEntries(Object.entries(s.claims()).filter(([k]) => k !== name));

const ALG = "ERR_TOKEN_ALGORITHM";
const HEADER = "ERR_TOKEN_HEADER";
const KEY = "ERR_TOKEN_KEY_UNKNOWN";
const SIG = "ERR_TOKEN_SIGNATURE";
const MALFORMED = "ERR_TOKEN_MALFORMED";
const CLAIMS = "ERR_TOKEN_CLAIMS";
const ISSUER = "ERR_TOKEN_ISSUER";
const AUTH = "ERR_AUTHORIZATION_HEADER";

export const HOSTILE_CASES: readonly HostileCase[] = [
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

  // keys and rules
  invalid(
    "a token of a key revoked before the middleware fetched the JWKS",
    KEY,
    (s) => s.revoked,
    AUTHENTICATED_ROUTE,
  ),
  refused(
    "a valid token of another workload on the edge-api route",
    403,
    "ERR_RULE_REFUSED",
    bearer((s) => s.billing),
  ),
  refused(
    "a token without a worker claim on the edge-api route (trusted signer)",
    403,
    "ERR_RULE_REFUSED",
    bearer((s) => signJson(s.trusted, Object.fromEntries(Object.entries(s.claims()).filter(([k]) => k !== "worker")))),
  ),
  refused(
    "worker EDGE-API (case changed, trusted signer)",
    403,
    "ERR_RULE_REFUSED",
    bearer((s) => s.trustedToken({ worker: "EDGE-API" })),
  ),
  refused(
    "a valid token on a route no rule names",
    403,
    "ERR_NO_RULE",
    bearer((s) => s.valid),
    "/admin/keys",
  ),

  // the Authorization header
  badHeader(
    "lowercase bearer with a tampered token",
    SIG,
    header((s) => `bearer ${withPayload(s.valid, (p) => ({ ...p, worker: "billing" }))}`),
  ),
  refused(
    "lowercase bearer with another workload's token",
    403,
    "ERR_RULE_REFUSED",
    header((s) => `bearer ${s.billing}`),
  ),
  badHeader(
    "two spaces after Bearer",
    AUTH,
    header((s) => `Bearer  ${s.valid}`),
  ),
  badHeader(
    "a tab after Bearer",
    AUTH,
    header((s) => `Bearer\t${s.valid}`),
  ),
  badHeader("two Authorization headers, both valid", AUTH, async (s) => ({
    authorization: [`Bearer ${s.valid}`, `Bearer ${s.valid}`],
    raw: true,
  })),
  badHeader("two Authorization headers, a valid one second", AUTH, async (s) => ({
    authorization: ["Bearer x.y.z", `Bearer ${s.valid}`],
    raw: true,
  })),
  badHeader(
    "two tokens in one header",
    AUTH,
    header((s) => `Bearer ${s.valid}, Bearer ${s.valid}`),
  ),
  badHeader(
    "Bearer with no token",
    AUTH,
    header(() => "Bearer"),
  ),
  badHeader("Bearer and a space, no token", AUTH, async () => ({ authorization: ["Bearer "], raw: true })),
  badHeader(
    "Bearer Bearer <token>",
    AUTH,
    header((s) => `Bearer Bearer ${s.valid}`),
  ),
  badHeader(
    "Basic with the token",
    AUTH,
    header((s) => `Basic ${s.valid}`),
  ),
  badHeader(
    "Basic credentials",
    AUTH,
    header(() => `Basic ${Buffer.from("edge-api:hunter2").toString("base64")}`),
  ),
  badHeader(
    "the token alone, no scheme",
    AUTH,
    header((s) => s.valid),
  ),
  badHeader(
    "a trailing '!'",
    AUTH,
    header((s) => `Bearer ${s.valid}!`),
  ),
  badHeader(
    "a trailing '.'",
    MALFORMED,
    header((s) => `Bearer ${s.valid}.`),
  ),
  badHeader(
    "a space inside the token",
    AUTH,
    header((s) => `Bearer ${s.valid.slice(0, 40)} ${s.valid.slice(40)}`),
  ),
  badHeader(
    "'=' padding after the header segment",
    AUTH,
    header((s) => `Bearer ${parts(s.valid)[0]}=.${parts(s.valid)[1]}.${parts(s.valid)[2]}`),
  ),
  refused("the token in the query string only", 401, "ERR_NO_TOKEN", async (s) => ({
    authorization: [],
    query: `?access_token=${s.valid}`,
  })),
];

/** The payload (with a claim that makes '+', '/' and '=' appear) in standard base64, padded. */
function standardBase64Payload(token: string): string {
  for (let pad = 0; pad < 12; pad++) {
    const encoded = Buffer.from(JSON.stringify({ ...payloadOf(token), note: `??>>~${"x".repeat(pad)}` })).toString(
      "base64",
    );
    if (/[+]/.test(encoded) && /[/]/.test(encoded) && encoded.endsWith("=")) return encoded;
  }
  throw new Error("no payload spelling shows '+', '/' and '=' in standard base64");
}

function now(): number {
  return Math.floor(Date.now() / 1_000);
}
