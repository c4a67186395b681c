// The X.509 face of a workload identity: a SPIFFE ID (the certificate's URI SAN) that names the
// same subject as the tokens, `spiffe://<trust-domain>/worker/<account_id>/<script_name>`.
// Pure: the config validator, the certificate authority and origins all read it here.

import { ACCOUNT_ID_PATTERN, SCRIPT_NAME_PATTERN, SPIFFE_TRUST_DOMAIN_PATTERN } from "./limits.js";

export const SPIFFE_SCHEME = "spiffe://";

/** A workload's identity as its certificate's URI SAN names it. */
export interface SpiffeWorkload {
  readonly spiffeId: string;
  readonly trustDomain: string;
  /** `worker/<account_id>/<script_name>`: the tokens' `sub`. */
  readonly subject: string;
  readonly accountId: string;
  /** The script name. */
  readonly workload: string;
}

/** The SPIFFE ID of `subject` (a token `sub`) in `trustDomain`. */
export function workloadSpiffeId(trustDomain: string, subject: string): string {
  return `${SPIFFE_SCHEME}${trustDomain}/${subject}`;
}

/** A pattern's body, unanchored, its groups made non-capturing. */
const inner = (pattern: RegExp): string =>
  pattern.source
    .replace(/^\^/, "")
    .replace(/\$$/, "")
    .replace(/\((?!\?)/g, "(?:");
const WORKLOAD_SPIFFE_ID = new RegExp(
  `^spiffe://(${inner(SPIFFE_TRUST_DOMAIN_PATTERN)})/worker/(${inner(ACCOUNT_ID_PATTERN)})/(${inner(SCRIPT_NAME_PATTERN)})$`,
);

/**
 * The workload a URI names, or undefined unless it is exactly a Worker's SPIFFE ID: lowercase,
 * no port, query, fragment, percent-encoding, dot segment or trailing slash.
 */
export function parseWorkloadSpiffeId(uri: string): SpiffeWorkload | undefined {
  const match = WORKLOAD_SPIFFE_ID.exec(uri);
  if (!match) return undefined;
  const [, trustDomain, accountId, workload] = match as unknown as [string, string, string, string];
  return { spiffeId: uri, trustDomain, subject: `worker/${accountId}/${workload}`, accountId, workload };
}
