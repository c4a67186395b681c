// Arbitraries for the fuzz (fast-check): random Authorization values, random three-segment
// base64url tokens and mutations of valid tokens. Pure: no I/O, every value printable ASCII so that
// it can travel in a header unchanged.

import fc from "fast-check";
import { b64json, b64url, flipSegmentBit, segmentText } from "./forge.js";

/** Characters a mutation may write: the b64token alphabet, the dot, and the usual troublemakers. */
const MUTATION_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.+/=~ !"%,;:\\{}';
const TOKEN_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~+/=";

const charOf = (alphabet: string) => fc.integer({ min: 0, max: alphabet.length - 1 }).map((i) => alphabet[i]!);
const printable = fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c));

/** Any printable Authorization value, or Bearer and a string of b64token characters. */
export function authorizationValue(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.string({ unit: printable, maxLength: 300 }),
    fc.string({ unit: printable, maxLength: 300 }).map((s) => `Bearer ${s}`),
    fc.string({ unit: charOf(TOKEN_CHARS), minLength: 1, maxLength: 600 }).map((s) => `Bearer ${s}`),
  );
}

export interface TokenParts {
  readonly kids: readonly string[];
  /** Signature segments of real tokens. */
  readonly signatures: readonly string[];
  /** Claim sets of real tokens, whose values random payloads borrow. */
  readonly claims: Readonly<Record<string, unknown>>;
}

/** Three random segments: raw bytes, any JSON, or JSON shaped like a header or a claim set. */
export function threeSegmentToken(parts: TokenParts): fc.Arbitrary<string> {
  const bytes = fc.uint8Array({ maxLength: 400 }).map((b) => b64url(b));
  const anyJson = fc.jsonValue({ maxDepth: 3 }).map((v) => b64json(v));
  const header = fc
    .record(
      {
        alg: fc.oneof(
          fc.constantFrom("RS256", "ES256", "none", "HS256", "PS256", "EdDSA", "RS512"),
          fc.jsonValue({ maxDepth: 1 }),
        ),
        kid: fc.oneof(fc.constantFrom(...parts.kids), fc.string({ maxLength: 40 }), fc.jsonValue({ maxDepth: 1 })),
        typ: fc.constantFrom("JWT", "jwt", "at+jwt", "JOSE"),
        jku: fc.webUrl(),
        crit: fc.array(fc.string({ maxLength: 8 }), { maxLength: 2 }),
      },
      { requiredKeys: ["alg"] },
    )
    .map((h) => b64json(h));
  // Shaped like a real header, so that a token gets past the header checks to the key and signature.
  const plainHeader = fc
    .record(
      {
        alg: fc.constantFrom("RS256", "ES256"),
        typ: fc.constantFrom("JWT", "application/jwt"),
        kid: fc.constantFrom(...parts.kids),
      },
      { requiredKeys: ["alg", "kid"] },
    )
    .map((h) => b64json(h));
  const claimValue = (name: string) => fc.oneof(fc.constant(parts.claims[name]), fc.jsonValue({ maxDepth: 2 }));
  const claimNames = Object.keys(parts.claims);
  const payload = fc
    .record(
      Object.fromEntries(claimNames.map((name) => [name, claimValue(name)])) as Record<string, fc.Arbitrary<unknown>>,
      { requiredKeys: [] },
    )
    .map((c) => b64json(c));
  const signature = fc.oneof(bytes, fc.constantFrom("", ...parts.signatures));
  const weighted = (...entries: [fc.Arbitrary<string>, number][]) =>
    fc.oneof(...entries.map(([arbitrary, weight]) => ({ arbitrary, weight })));
  return fc
    .tuple(
      weighted([plainHeader, 3], [header, 2], [anyJson, 1], [bytes, 1]),
      weighted([payload, 3], [anyJson, 1], [bytes, 1]),
      signature,
    )
    .map((s) => s.join("."));
}

/** One edit of a token string. */
export type Mutation = (token: string, donor: string) => string;

const splitToken = (token: string) => token.split(".");
/** A position in `t` (or one past its end, with `extra` 1) chosen by `at`. */
const cut = (at: number, t: string, extra = 0) => at % (t.length + extra || 1);
const atSegment = (token: string, index: number, edit: (segment: string) => string): string => {
  const segments = splitToken(token);
  const i = index % segments.length;
  segments[i] = edit(segments[i]!);
  return segments.join(".");
};

/** Edits of the JSON inside a segment, re-encoded as base64url: the signature is kept. */
const jsonEdit: fc.Arbitrary<(json: unknown) => unknown> = fc.oneof(
  fc
    .tuple(
      fc.constantFrom("alg", "kid", "typ", "iss", "sub", "aud", "exp", "iat", "nbf", "jti", "worker", "x"),
      fc.jsonValue({ maxDepth: 2 }),
    )
    .map(
      ([name, value]) =>
        (json: unknown) =>
          isObject(json) ? { ...json, [name]: value } : json,
    ),
  fc.nat().map((n) => (json: unknown) => {
    if (!isObject(json)) return json;
    const names = Object.keys(json);
    return Object.fromEntries(Object.entries(json).filter(([name]) => name !== names[n % Math.max(1, names.length)]));
  }),
  fc.constant((json: unknown) => [json]),
  fc.constant((json: unknown) => JSON.stringify(json)),
);

/** Edits of the JSON text itself: spellings JSON.stringify never writes. */
const textEdit: fc.Arbitrary<(text: string) => string> = fc.oneof(
  fc
    .constantFrom("alg", "kid", "sub", "worker", "exp")
    .map((name) => (text: string) => text.replace("{", `{"${name}":"x",`)),
  fc.constant((text: string) => text.replace(/(\d)([,}])/, "$1.0$2")),
  fc.constant((text: string) => ` ${text}\n`),
  fc.constant((text: string) => text.replace(/"(\w)/, (_, c: string) => `"\\u00${c.charCodeAt(0).toString(16)}`)),
  fc.constant((text: string) => `\ufeff${text}`),
);

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  // a bit of a segment's decoded bytes, re-encoded
  fc.tuple(fc.nat(2), fc.nat(4_000)).map(
    ([segment, bit]): Mutation =>
      (t) =>
        atSegment(t, segment, (s) => (s === "" ? s : flipSegmentBit(s, bit))),
  ),
  // a character replaced, inserted or deleted; a run deleted or duplicated
  fc.tuple(fc.nat(), charOf(MUTATION_CHARS)).map(
    ([at, c]): Mutation =>
      (t) =>
        t.slice(0, cut(at, t)) + c + t.slice(cut(at, t) + 1),
  ),
  fc.tuple(fc.nat(), charOf(MUTATION_CHARS)).map(
    ([at, c]): Mutation =>
      (t) =>
        t.slice(0, cut(at, t, 1)) + c + t.slice(cut(at, t, 1)),
  ),
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 40 })).map(
    ([at, n]): Mutation =>
      (t) =>
        t.slice(0, cut(at, t)) + t.slice(cut(at, t) + n),
  ),
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 40 }), fc.nat()).map(
    ([from, n, to]): Mutation =>
      (t) => {
        const chunk = t.slice(cut(from, t), cut(from, t) + n);
        return t.slice(0, cut(to, t)) + chunk + t.slice(cut(to, t));
      },
  ),
  // segments swapped, repeated, dropped, added, or taken from another token
  fc
    .constantFrom(
      [1, 0, 2],
      [0, 2, 1],
      [2, 1, 0],
      [1, 2, 0],
      [2, 0, 1],
      [0, 0, 2],
      [0, 1, 1],
      [0, 1],
      [0, 1, 2, 2],
      [1, 1, 2],
    )
    .map(
      (order): Mutation =>
        (t) =>
          order.map((i) => splitToken(t)[i] ?? "").join("."),
    ),
  fc.nat(2).map(
    (segment): Mutation =>
      (t, donor) =>
        atSegment(t, segment, () => splitToken(donor)[segment] ?? ""),
  ),
  // the JSON of the header or payload changed, or respelled, and re-encoded
  fc.tuple(fc.nat(1), jsonEdit).map(
    ([segment, edit]): Mutation =>
      (t) =>
        atSegment(t, segment, (s) => {
          const parsed = parseSegment(s);
          return parsed === undefined ? s : b64json(edit(parsed));
        }),
  ),
  fc.tuple(fc.nat(1), textEdit).map(
    ([segment, edit]): Mutation =>
      (t) =>
        atSegment(t, segment, (s) => b64url(edit(segmentText(s)))),
  ),
  // the same bytes in another base64 alphabet or with padding
  fc.tuple(fc.nat(2), fc.boolean()).map(
    ([segment, padded]): Mutation =>
      (t) =>
        atSegment(t, segment, (s) => {
          const standard = Buffer.from(s, "base64url").toString("base64");
          return padded ? standard : standard.replace(/=+$/, "");
        }),
  ),
);

/** A valid token with one to three mutations applied in turn. */
export function mutatedToken(
  originals: readonly string[],
): fc.Arbitrary<{ readonly original: string; readonly token: string }> {
  return fc
    .tuple(
      fc.nat(originals.length - 1),
      fc.nat(originals.length - 1),
      fc.array(mutation, { minLength: 1, maxLength: 3 }),
    )
    .map(([o, d, edits]) => {
      const original = originals[o]!;
      const donor = originals[d === o ? (d + 1) % originals.length : d]!;
      return { original, token: edits.reduce((token, edit) => edit(token, donor), original) };
    });
}

/**
 * Whether `candidate`, as the middleware receives it, is still one of `originals`: equal once the
 * whitespace HTTP strips from a header value's end is gone. A respelling of the signature's last
 * character (unused low bits) is a different token and must be refused: the verifier accepts only
 * canonical base64url.
 */
export function isUnmodified(candidate: string, originals: readonly string[]): boolean {
  const effective = candidate.replace(/[ \t]+$/, "");
  return originals.includes(effective);
}

function parseSegment(segment: string): unknown {
  try {
    return JSON.parse(segmentText(segment)) as unknown;
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
