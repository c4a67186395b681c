// The pieces the hostile-token table is built from: what a case sends and how it must be refused,
// the builders (a Bearer token, a raw header), pieces of real tokens, and the refusal codes.
//
// Signers: "issuer" = a real token of the issuer (its signature kept where the case edits it),
// "trusted" = the test key published in the issuer's JWKS, "attacker" = a key nobody publishes.

import { segmentsOf, segmentText } from "./forge.js";
import { type HostileStack, WORKLOAD_ROUTE } from "./hostile-stack.js";

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

export type Build = (s: HostileStack) => string | Promise<string>;

export const bearer =
  (build: Build) =>
  async (s: HostileStack): Promise<Sent> => ({ authorization: [`Bearer ${await build(s)}`] });
export const header =
  (build: Build) =>
  async (s: HostileStack): Promise<Sent> => ({ authorization: [await build(s)] });

export function refused(
  name: string,
  status: 401 | 403,
  code: string,
  send: HostileCase["send"],
  route: string = WORKLOAD_ROUTE,
): HostileCase {
  return { name, status, code, route, send };
}
export const invalid = (name: string, code: string, build: Build, route?: string) =>
  refused(name, 401, code, bearer(build), route);
export const badHeader = (name: string, code: string, send: HostileCase["send"]) => refused(name, 401, code, send);

// Pieces of real tokens.
export const parts = (token: string) => segmentsOf(token);
export const headerOf = (token: string) => JSON.parse(segmentText(parts(token)[0])) as Record<string, unknown>;
export const payloadOf = (token: string) => JSON.parse(segmentText(parts(token)[1])) as Record<string, unknown>;
export const activeJwk = (s: HostileStack) => s.jwks.keys.find((k) => k.kid === s.activeKid)!;
/** The claims of a valid edge-api token as JSON text with `edit` applied, for members JSON.stringify cannot write. */
export const claimsText = (s: HostileStack, edit: (json: string) => string, overrides?: Record<string, unknown>) =>
  edit(JSON.stringify(s.claims(overrides)));
export const trustedHeader = (s: HostileStack) => JSON.stringify({ alg: "ES256", typ: "JWT", kid: s.trusted.kid });
/** The claims without `name`. */
export const without = (s: HostileStack, name: string) =>
  Object.fromEntries(Object.entries(s.claims()).filter(([k]) => k !== name));

export const ALG = "ERR_TOKEN_ALGORITHM";
export const HEADER = "ERR_TOKEN_HEADER";
export const KEY = "ERR_TOKEN_KEY_UNKNOWN";
export const SIG = "ERR_TOKEN_SIGNATURE";
export const MALFORMED = "ERR_TOKEN_MALFORMED";
export const CLAIMS = "ERR_TOKEN_CLAIMS";
export const ISSUER = "ERR_TOKEN_ISSUER";
export const AUTH = "ERR_AUTHORIZATION_HEADER";

/** The payload (with a claim that makes '+', '/' and '=' appear) in standard base64, padded. */
export function standardBase64Payload(token: string): string {
  for (let pad = 0; pad < 12; pad++) {
    const encoded = Buffer.from(JSON.stringify({ ...payloadOf(token), note: `??>>~${"x".repeat(pad)}` })).toString(
      "base64",
    );
    if (/[+]/.test(encoded) && /[/]/.test(encoded) && encoded.endsWith("=")) return encoded;
  }
  throw new Error("no payload spelling shows '+', '/' and '=' in standard base64");
}

export function now(): number {
  return Math.floor(Date.now() / 1_000);
}
