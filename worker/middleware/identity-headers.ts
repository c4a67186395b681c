// The headers the origin trusts: the verified identity, under one prefix that clients can never
// set themselves. Every client header that an origin may read as a reserved name is removed before
// ours are added: a name whose reading (header-name.ts: case, '_' or any other non-alphanumeric
// for '-', surrounding blanks) starts with the prefix, and one read as Authorization unless it is
// kept. So `x_worker_identity_subject` or `X.Worker-Identity_Subject`, which a CGI, WSGI, PHP or
// Rack origin reads as HTTP_X_WORKER_IDENTITY_SUBJECT, never reaches it; this holds on public
// routes and whether or not a token was sent (test/hostile/identity-smuggling.test.ts).
//
// Stripped, not refused: the origin is equally safe either way (it never sees the header), and
// stripping is what the README has always promised, so a client or proxy that copies headers
// from a forwarded request (a retry, a health checker, a chained gateway) keeps working instead
// of getting a 400 on every route, public ones included. A refusal would add nothing the origin
// needs, and Authorization, which is removed by the same rule, is a header clients must send:
// it can only be stripped, and one rule for every reserved name is easier to trust than two.

import type { VerifiedIdentity } from "@worker-identity/verifier";
import { headerNameReading } from "./header-name.js";

/** The reading (header-name.ts) of every identity header's name begins so. */
const IDENTITY_HEADER_PREFIX = "x-worker-identity-";

const IDENTITY_HEADERS = {
  subject: "x-worker-identity-subject",
  workload: "x-worker-identity-workload",
  account: "x-worker-identity-account",
  jti: "x-worker-identity-jti",
  audience: "x-worker-identity-audience",
} as const;

// Visible ASCII with inner spaces: what a header value can carry unchanged.
const HEADER_VALUE = /^[\x21-\x7E](?:[\x20-\x7E]*[\x21-\x7E])?$/;

/**
 * Removes every client header an origin may read as an identity header and, unless asked to keep
 * it, every one it may read as Authorization.
 */
export function stripClientHeaders(headers: Headers, keepAuthorization: boolean): void {
  const reserved = (reading: string) =>
    reading.startsWith(IDENTITY_HEADER_PREFIX) || (!keepAuthorization && reading === "authorization");
  // Collect first: deleting while iterating a Headers object skips entries.
  const names = [...headers.keys()].filter((name) => reserved(headerNameReading(name)));
  for (const name of names) headers.delete(name);
}

/**
 * The identity as header name/value pairs, or undefined when a value cannot travel in a header
 * unchanged (a token from the real issuer always can).
 */
export function identityHeaders(identity: VerifiedIdentity): [string, string][] | undefined {
  const aud = identity.claims.aud;
  const values: [string, string | undefined][] = [
    [IDENTITY_HEADERS.subject, identity.subject],
    [IDENTITY_HEADERS.workload, identity.workload],
    [IDENTITY_HEADERS.account, identity.accountId],
    // A native token may have no jti (the verifier then says ""): no header.
    [IDENTITY_HEADERS.jti, identity.jti === "" ? undefined : identity.jti],
    [IDENTITY_HEADERS.audience, typeof aud === "string" ? aud : undefined],
  ];
  const present = values.filter((entry): entry is [string, string] => entry[1] !== undefined);
  return present.every(([, value]) => HEADER_VALUE.test(value)) ? present : undefined;
}
