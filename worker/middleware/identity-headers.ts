// The headers the origin trusts: the verified identity, under one prefix that clients can never
// set themselves (every header with the prefix is removed, in any case, before ours are added).

import type { VerifiedIdentity } from "../verification/index.js";

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

/** Removes every client-supplied identity header and, unless asked to keep it, Authorization. */
export function stripClientHeaders(headers: Headers, keepAuthorization: boolean): void {
  // Collect first: deleting while iterating a Headers object skips entries.
  const names = [...headers.keys()].filter((name) => name.toLowerCase().startsWith(IDENTITY_HEADER_PREFIX));
  for (const name of names) headers.delete(name);
  if (!keepAuthorization) headers.delete("authorization");
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
    [IDENTITY_HEADERS.jti, identity.jti],
    [IDENTITY_HEADERS.audience, typeof aud === "string" ? aud : undefined],
  ];
  const present = values.filter((entry): entry is [string, string] => entry[1] !== undefined);
  return present.every(([, value]) => HEADER_VALUE.test(value)) ? present : undefined;
}
