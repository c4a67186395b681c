// One GET to the issuer (discovery or JWKS): bounded in time and size, because a relying party
// must not hang on, or buffer without limit, whatever answers at the issuer's URL.
// Every failure here means "could not obtain it": ERR_JWKS_UNAVAILABLE, which the cache may
// answer from a stale copy.

import { readBodyAtMost } from "./bounded-body.js";
import { JwksUnavailableError } from "./errors.js";
import type { VerifierFetch } from "./options.js";

export interface IssuerResponse {
  readonly status: number;
  readonly headers: Headers;
  /** The body as text; empty for 304. */
  readonly body: string;
}

/** AWS gives an issuer 5 s to answer; a relying party waits no longer. */
export const FETCH_TIMEOUT_MS = 5_000;
/** Far above any legitimate document: 32 RSA-4096 keys serialize to about 30 KB. */
const MAX_BODY_BYTES = 64 * 1024;

export async function fetchFromIssuer(
  doFetch: VerifierFetch,
  url: string,
  headers: Record<string, string>,
  what: "discovery" | "JWKS",
): Promise<IssuerResponse> {
  let response: Response;
  try {
    response = await doFetch(url, {
      headers: { accept: "application/json", ...headers },
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    });
  } catch (cause) {
    throw new JwksUnavailableError(`${what} at ${url} is unreachable (${describe(cause)})`, { cause });
  }
  if (response.status === 304) {
    await response.body?.cancel();
    return { status: 304, headers: response.headers, body: "" };
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new JwksUnavailableError(`${what} at ${url} answered HTTP ${response.status}`);
  }
  return { status: response.status, headers: response.headers, body: await readBounded(response, url, what) };
}

async function readBounded(response: Response, url: string, what: string): Promise<string> {
  let body: string | undefined;
  try {
    body = await readBodyAtMost(response, MAX_BODY_BYTES);
  } catch (cause) {
    throw new JwksUnavailableError(`${what} at ${url} could not be read (${describe(cause)})`, { cause });
  }
  if (body === undefined) throw new JwksUnavailableError(`${what} at ${url} is larger than ${MAX_BODY_BYTES} bytes`);
  return body;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
