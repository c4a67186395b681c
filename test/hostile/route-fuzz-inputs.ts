// Arbitraries for the route fuzz (fast-check): HTTP requests as a client can write them on the
// wire. Pure: no I/O. What HTTP/1.1 can carry, and no more:
// - the request-target is origin-form ("/" then bytes 0x21-0xFF but '#'; '?' starts the query):
//   random bytes raw or percent-escaped, stray and malformed escapes (%ZZ, a lone %), overlong and
//   truncated UTF-8 (%C0%AF, %E0%80%AF, %C3), escaped separators, NUL and dot segments;
// - methods are those workerd parses (any other token is answered 501 by the runtime before a
//   Worker runs), in any case; CONNECT is a tunnel, not a request to a route, and is left out;
// - header names are tokens, values visible ASCII, spaces, tabs and obs-text (0x80-0xFF);
//   framing and hop-by-hop headers (Content-Length, Transfer-Encoding, Host, Connection, …) are the
//   client library's to write, and Accept-Encoding is left out so every answer stays readable;
// - bodies are JSON-ish text, forms, or raw bytes, at most a few KiB (and sometimes just over the
//   routes' limits).

import fc from "fast-check";

export interface WireRequest {
  readonly method: string;
  /** The request-target exactly as sent. */
  readonly target: string;
  readonly headers: readonly (readonly [string, string])[];
  readonly body?: Uint8Array;
}

/** The methods workerd parses (kj's HttpMethod), CONNECT aside. */
export const METHODS = [
  "GET",
  "HEAD",
  "POST",
  "PUT",
  "DELETE",
  "PATCH",
  "PURGE",
  "OPTIONS",
  "TRACE",
  "COPY",
  "LOCK",
  "MKCOL",
  "MOVE",
  "PROPFIND",
  "PROPPATCH",
  "SEARCH",
  "UNLOCK",
  "ACL",
  "REPORT",
  "MKACTIVITY",
  "CHECKOUT",
  "MERGE",
  "NOTIFY",
  "SUBSCRIBE",
  "UNSUBSCRIBE",
  "QUERY",
] as const;

/** Escapes that are not, or not valid, percent-encoded UTF-8, and the ones paths are refused for. */
export const HOSTILE_ESCAPES = [
  "%",
  "%Z",
  "%ZZ",
  "%G0",
  "%0",
  "%%",
  "%C0%AF",
  "%E0%80%AF",
  "%F0%80%80%AF",
  "%C0%80",
  "%ED%A0%80",
  "%FF",
  "%C3",
  "%E2%82",
  "%2F",
  "%2f",
  "%5C",
  "%00",
  "%2e",
  "%2E%2E",
  "%3B",
  "%25",
  "%u002e",
  "%0A",
  "%0D",
] as const;

const HEADER_NAME_CHARS = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
/** Names the client library writes (framing, hop-by-hop), and Accept-Encoding (compressed answers). */
const UNSENDABLE_HEADERS = new Set([
  "host",
  "content-length",
  "transfer-encoding",
  "connection",
  "keep-alive",
  "upgrade",
  "te",
  "trailer",
  "expect",
  "proxy-connection",
  "accept-encoding",
]);
/** Names the issuer or the middleware read, or that origins are known to trust. */
const INTERESTING_HEADERS = [
  "authorization",
  "content-type",
  "if-none-match",
  "accept",
  "cookie",
  "origin",
  "range",
  "x-http-method-override",
  "x-method-override",
  "x-http-method",
  "x-worker-identity-subject",
  "x_worker_identity_workload",
  "X-Worker-Identity-Jti",
  "cf-connecting-ip",
  "forwarded",
  "x-forwarded-for",
  "x-forwarded-host",
  "cf-access-jwt-assertion",
];

const charIn = (alphabet: string) => fc.integer({ min: 0, max: alphabet.length - 1 }).map((i) => alphabet[i]!);
const latin1 = (min: number, max: number) => fc.integer({ min, max }).map((c) => String.fromCharCode(c));
const weighted = <T>(...entries: [fc.Arbitrary<T>, number][]) =>
  fc.oneof(...entries.map(([arbitrary, weight]) => ({ arbitrary, weight })));

/** A byte a request-target may carry raw: 0x21-0xFF except '#', '?' (and '/' unless `slash`). */
function targetByte(options: { slash: boolean; query: boolean }): fc.Arbitrary<string> {
  return latin1(0x21, 0xff).filter((c) => c !== "#" && (options.query || c !== "?") && (options.slash || c !== "/"));
}

const escapedByte = fc.integer({ min: 0, max: 255 }).map((b) => `%${b.toString(16).padStart(2, "0").toUpperCase()}`);

/** A run of target text: raw bytes, escapes of random bytes, hostile escapes, dots and separators. */
function targetText(options: { slash: boolean; query: boolean; maxLength: number }): fc.Arbitrary<string> {
  const piece = weighted<string>(
    [fc.string({ unit: charIn("abcdefghijklmnopqrstuvwxyz0123456789-_.~"), minLength: 1, maxLength: 8 }), 4],
    [targetByte(options), 3],
    [escapedByte, 2],
    [fc.constantFrom(...HOSTILE_ESCAPES), 3],
    [
      fc.constantFrom(
        ".",
        "..",
        ";",
        ".;",
        "..;",
        "~",
        "@",
        ":",
        "=",
        "&",
        "+",
        ...(options.slash ? ["/", "//", "\\", "/./", "/../"] : []),
      ),
      2,
    ],
  );
  return fc.array(piece, { maxLength: options.maxLength }).map((pieces) => pieces.join(""));
}

/** One path segment: plain, or random target text (no raw '/'). */
export const segment = weighted<string>(
  [
    fc.string({
      unit: charIn("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"),
      minLength: 1,
      maxLength: 43,
    }),
    2,
  ],
  [targetText({ slash: false, query: false, maxLength: 6 }), 3],
);

/** A query: absent, empty, or random target text ('?' and '/' included). */
export const query = weighted<string>(
  [fc.constant(""), 3],
  [fc.constant("?"), 1],
  [targetText({ slash: true, query: true, maxLength: 10 }).map((q) => `?${q}`), 4],
);

/**
 * A path built from a route template: `{}` slots take a random segment, and sometimes random
 * target text is spliced in at a random place or appended (so the path may leave the route).
 */
export function pathFrom(template: string): fc.Arbitrary<string> {
  const slots = template.split("{}").length - 1;
  const filled = fc.array(segment, { minLength: slots, maxLength: slots }).map((values) => {
    let i = 0;
    return template.replace(/\{\}/g, () => values[i++]!);
  });
  const noise = targetText({ slash: true, query: false, maxLength: 4 });
  return weighted<string>(
    [filled, 6],
    [fc.tuple(filled, noise).map(([path, tail]) => `${path}${tail}`), 1],
    [fc.tuple(filled, noise, fc.nat()).map(([path, insert, at]) => splice(path, insert, 1 + (at % path.length))), 1],
  );
}

function splice(path: string, insert: string, at: number): string {
  return `${path.slice(0, at)}${insert}${path.slice(at)}`;
}

/** A method workerd parses, in random case; mostly those the routes take, so the fuzz gets past the method check. */
export const method = weighted<string>(
  [fc.constantFrom("GET", "HEAD", "POST"), 3],
  [
    fc
      .tuple(fc.constantFrom(...METHODS), fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }), fc.boolean())
      .map(([name, lower, keep]) =>
        keep ? name : [...name].map((c, i) => (lower[i % 12] ? c.toLowerCase() : c)).join(""),
      ),
    2,
  ],
);

/** A header value HTTP can carry: tab, visible ASCII, space, obs-text. */
export const headerValue = fc.string({
  unit: weighted<string>([latin1(0x20, 0x7e), 8], [fc.constant("\t"), 1], [latin1(0x80, 0xff), 2]),
  maxLength: 120,
});

const headerName = weighted<string>(
  [fc.constantFrom(...INTERESTING_HEADERS), 2],
  [fc.string({ unit: charIn(HEADER_NAME_CHARS), minLength: 1, maxLength: 24 }), 3],
).filter((name) => !UNSENDABLE_HEADERS.has(name.toLowerCase()));

/** Up to six random headers. */
export const headers = fc.array(fc.tuple(headerName, headerValue), { maxLength: 6 });

/** Content types the routes read, and random ones. */
export const contentType = weighted<string | undefined>(
  [fc.constant(undefined), 2],
  [
    fc.constantFrom(
      "application/json",
      "application/x-www-form-urlencoded",
      "application/x-www-form-urlencoded; charset=utf-8",
      "application/x-www-form-urlencoded; charset=latin1",
      "text/plain",
      "multipart/form-data; boundary=x",
    ),
    3,
  ],
  [headerValue, 1],
);

const encoder = new TextEncoder();

/**
 * A body: none, JSON-ish text (any JSON, or objects shaped like the admin and introspection
 * bodies), a form, raw bytes, or a run just over the routes' size limits (1 KiB, 16 KiB).
 */
export const body: fc.Arbitrary<Uint8Array | undefined> = weighted<Uint8Array | undefined>(
  [fc.constant(undefined), 3],
  [fc.jsonValue({ maxDepth: 3 }).map((v) => encoder.encode(JSON.stringify(v))), 2],
  [
    fc
      .dictionary(
        fc.oneof(
          fc.constantFrom("jti", "exp", "workload", "workflow", "emergency", "__proto__", "constructor", "token"),
          fc.string({ maxLength: 8 }),
        ),
        fc.jsonValue({ maxDepth: 2 }),
        { maxKeys: 4 },
      )
      .map((v) => encoder.encode(JSON.stringify(v))),
    2,
  ],
  [
    fc
      .array(
        fc.tuple(
          fc.oneof(
            fc.constantFrom("token", "token_type_hint", "client_secret"),
            targetText({ slash: true, query: true, maxLength: 3 }),
          ),
          targetText({ slash: true, query: true, maxLength: 6 }),
        ),
        { maxLength: 4 },
      )
      .map((pairs) => encoder.encode(pairs.map(([k, v]) => `${k}=${v}`).join("&"))),
    2,
  ],
  [fc.uint8Array({ maxLength: 2_048 }), 2],
  [fc.constantFrom(1_025, 16_385).map((n) => encoder.encode("x".repeat(n))), 1],
);
