// The verifier's options, checked and defaulted once, when the verifier is built. A misused option
// is an OptionsError (a TypeError) that names the option and the fix, and lists every problem at
// once; nothing here is checked again per token.

import { isRecord } from "../options/is-record.js";
import { isJsonValue, type JsonValue } from "../options/json-value.js";
import { OptionsIssues } from "../options/options-error.js";
import { type NativeIssuerOptions, nativeIssuersOption, type ResolvedNativeIssuer } from "./native-issuers.js";
import {
  type IntrospectionOptions,
  type ResolvedRevocationChecks,
  type RevocationListOptions,
  revocationCheckOptions,
} from "./revocation-options.js";

export type VerifierAlgorithm = "RS256" | "ES256" | "PS256" | "EdDSA";

export type { JsonValue };

/**
 * How the verifier fetches discovery and the JWKS: the global fetch, or for instance a service
 * binding's. It is called as a plain function, so pass `(input, init) => env.ISSUER.fetch(input, init)`,
 * not the unbound method.
 */
export type VerifierFetch = (input: string, init?: RequestInit) => Promise<Response>;

export interface JwksCacheOptions {
  /** Seconds a fetched JWKS is used without revalidation. Default: the JWKS response's
   * Cache-Control max-age, capped at 3600 (600 when it has none). 0 to 3600. */
  readonly cacheMaxAgeSeconds?: number;
  /** Least seconds between two fetches of the JWKS (an unknown `kid`, or a retry while the issuer
   * is unreachable). Default 30, 0 to 3600. */
  readonly cooldownSeconds?: number;
  /** Seconds past its max-age that a cached JWKS is still used while the issuer cannot be fetched.
   * Default 3600, 0 to 86400. */
  readonly staleIfErrorSeconds?: number;
}

export interface VerifierOptions {
  /** The exact `iss` expected: an https URL, or http on 127.0.0.1 / localhost / [::1] for local use. */
  readonly issuer: string;
  /** The audience(s) this relying party accepts; the token's `aud` must be one of them. */
  readonly audience: string | readonly string[];
  /** Accept an array `aud` when one of its entries is expected. Default false: the issuer only ever
   * signs a single audience, so an array means a token minted for several parties. */
  readonly allowAudienceArray?: boolean;
  /** Default ["RS256", "ES256"]; only RS256, ES256, PS256 and EdDSA can be allowed. */
  readonly algorithms?: readonly VerifierAlgorithm[];
  /** Leeway for exp, nbf and iat. Default 30, at most 300. */
  readonly clockToleranceSeconds?: number;
  /** Claims that must be present, besides the always-required iss, sub, aud, exp, iat and jti. */
  readonly requiredClaims?: readonly string[];
  /** The exact `sub`, or a RegExp the whole `sub` must match (it is anchored for you; no g or y flag). */
  readonly subject?: string | RegExp;
  /** Script names the `worker` claim must be one of. */
  readonly workloads?: readonly string[];
  /** Claims that must be present with exactly these JSON values. */
  readonly claims?: Readonly<Record<string, JsonValue>>;
  /** Longest token accepted, in bytes. Default 8192, 512 to 65536. */
  readonly maxTokenBytes?: number;
  /** Longest lifetime (exp − iat) accepted, in seconds. Default 43200 (the issuer's hard cap), 60 to 86400. */
  readonly maxTokenLifetimeSeconds?: number;
  readonly jwks?: JwksCacheOptions;
  readonly fetch?: VerifierFetch;
  /** Ask the issuer (RFC 7662) whether workflow tokens (or all) are still active: refuses tokens of ended instances. */
  readonly introspection?: IntrospectionOptions;
  /** Refuse tokens the issuer's published revocation list covers (revoked jti, workload or workflow). */
  readonly revocationList?: RevocationListOptions;
  /** The clock, in ms since the epoch. Default Date.now (tests freeze it). */
  readonly now?: () => number;
  /**
   * Issuers of Cloudflare's native `oidc_tokens` tokens trusted beside `issuer`, each with its own
   * audiences, JWKS and subject-to-workload map (native-issuers.ts). A token is checked against
   * the issuer its `iss` names, exactly, and only with that issuer's keys.
   */
  readonly nativeIssuers?: readonly NativeIssuerOptions[];
}

export interface ResolvedVerifierOptions {
  readonly issuer: string;
  readonly audiences: ReadonlySet<string>;
  readonly allowAudienceArray: boolean;
  readonly algorithms: readonly VerifierAlgorithm[];
  readonly clockToleranceSeconds: number;
  /** Always-required claims first, then the configured ones. */
  readonly requiredClaims: readonly string[];
  readonly subject: string | RegExp | undefined;
  readonly workloads: ReadonlySet<string> | undefined;
  readonly claims: Readonly<Record<string, JsonValue>> | undefined;
  readonly maxTokenBytes: number;
  readonly maxTokenLifetimeSeconds: number;
  readonly jwks: {
    readonly cacheMaxAgeSeconds: number | undefined;
    readonly cooldownSeconds: number;
    readonly staleIfErrorSeconds: number;
  };
  readonly fetch: VerifierFetch;
  readonly now: () => number;
  readonly introspection: ResolvedRevocationChecks["introspection"];
  readonly revocationList: ResolvedRevocationChecks["revocationList"];
  /** By exact issuer URL; empty when only the worker-identity issuer is trusted. */
  readonly nativeIssuers: ReadonlyMap<string, ResolvedNativeIssuer>;
}

const SUPPORTED_ALGORITHMS: readonly VerifierAlgorithm[] = ["RS256", "ES256", "PS256", "EdDSA"];
const ALWAYS_REQUIRED_CLAIMS = ["iss", "sub", "aud", "exp", "iat", "jti"] as const;
const DEFAULTS = {
  algorithms: ["RS256", "ES256"] as readonly VerifierAlgorithm[],
  clockToleranceSeconds: 30,
  maxTokenBytes: 8_192,
  maxTokenLifetimeSeconds: 43_200,
  cooldownSeconds: 30,
  staleIfErrorSeconds: 3_600,
};
const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);
const KNOWN_OPTIONS = new Set([
  "issuer",
  "audience",
  "allowAudienceArray",
  "algorithms",
  "clockToleranceSeconds",
  "requiredClaims",
  "subject",
  "workloads",
  "claims",
  "maxTokenBytes",
  "maxTokenLifetimeSeconds",
  "jwks",
  "fetch",
  "now",
  "introspection",
  "revocationList",
  "nativeIssuers",
]);
const KNOWN_JWKS_OPTIONS = new Set(["cacheMaxAgeSeconds", "cooldownSeconds", "staleIfErrorSeconds"]);

export function resolveVerifierOptions(options: VerifierOptions): ResolvedVerifierOptions {
  if (!isRecord(options))
    throw new TypeError("createVerifier needs an options object with at least issuer and audience");
  const issues = new OptionsIssues();
  const problem: Problem = (option, fix) => issues.add(option, fix);
  for (const name of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(name)) problem(name, `is not an option; known options: ${[...KNOWN_OPTIONS].join(", ")}`);
  }
  const issuer = issuerOption(options.issuer, problem);
  const audiences = stringList(options.audience, "audience", problem, true);
  const algorithms = algorithmsOption(options.algorithms, problem);
  const seconds = (value: unknown, name: string, min: number, max: number, fallback: number): number =>
    numberOption(value, name, min, max, problem) ?? fallback;
  const jwks = isRecord(options.jwks) ? options.jwks : {};
  if (options.jwks !== undefined && !isRecord(options.jwks))
    problem("jwks", "must be an object: { cacheMaxAgeSeconds?, cooldownSeconds?, staleIfErrorSeconds? }");
  for (const name of Object.keys(jwks)) {
    if (!KNOWN_JWKS_OPTIONS.has(name))
      problem(`jwks.${name}`, `is not an option; known: ${[...KNOWN_JWKS_OPTIONS].join(", ")}`);
  }
  const required =
    options.requiredClaims === undefined ? [] : stringList(options.requiredClaims, "requiredClaims", problem, false);
  const workloads =
    options.workloads === undefined ? undefined : stringList(options.workloads, "workloads", problem, false);
  if (workloads?.length === 0) problem("workloads", "must name at least one script; omit it to accept every workload");
  const resolved: ResolvedVerifierOptions = {
    issuer,
    audiences: new Set(audiences),
    allowAudienceArray: booleanOption(options.allowAudienceArray, "allowAudienceArray", problem),
    algorithms,
    clockToleranceSeconds: seconds(
      options.clockToleranceSeconds,
      "clockToleranceSeconds",
      0,
      300,
      DEFAULTS.clockToleranceSeconds,
    ),
    requiredClaims: [...new Set([...ALWAYS_REQUIRED_CLAIMS, ...required])],
    subject: subjectOption(options.subject, problem),
    workloads: workloads === undefined ? undefined : new Set(workloads),
    claims: claimsOption(options.claims, problem),
    maxTokenBytes:
      integerOption(options.maxTokenBytes, "maxTokenBytes", 512, 65_536, problem) ?? DEFAULTS.maxTokenBytes,
    maxTokenLifetimeSeconds:
      integerOption(options.maxTokenLifetimeSeconds, "maxTokenLifetimeSeconds", 60, 86_400, problem) ??
      DEFAULTS.maxTokenLifetimeSeconds,
    jwks: {
      cacheMaxAgeSeconds: numberOption(jwks.cacheMaxAgeSeconds, "jwks.cacheMaxAgeSeconds", 0, 3_600, problem),
      cooldownSeconds: seconds(jwks.cooldownSeconds, "jwks.cooldownSeconds", 0, 3_600, DEFAULTS.cooldownSeconds),
      staleIfErrorSeconds: seconds(
        jwks.staleIfErrorSeconds,
        "jwks.staleIfErrorSeconds",
        0,
        86_400,
        DEFAULTS.staleIfErrorSeconds,
      ),
    },
    fetch: functionOption(options.fetch, "fetch", problem) ?? ((input, init) => fetch(input, init)),
    now: functionOption(options.now, "now", problem) ?? (() => Date.now()),
    ...revocationCheckOptions(options.introspection, options.revocationList, problem),
    nativeIssuers: nativeIssuersOption(
      options.nativeIssuers,
      options.issuer,
      (value, name, report) => issuerOption(value, report, name),
      problem,
    ),
  };
  issues.throwIfAny("invalid verifier options");
  return Object.freeze(resolved);
}

type Problem = (option: string, fix: string) => void;

function issuerOption(value: unknown, problem: Problem, name = "issuer"): string {
  const fix =
    "must be the exact `iss` of the tokens: an https URL such as https://id.example.com, or http://127.0.0.1:<port> locally";
  if (typeof value !== "string" || value === "") {
    problem(name, fix);
    return "";
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    problem(name, `${fix} (got ${JSON.stringify(value)})`);
    return "";
  }
  const local = url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname);
  if (url.protocol !== "https:" && !local) problem(name, `${fix}; plain http is only for loopback hosts`);
  else if (url.search || url.hash || url.username || url.password)
    problem(name, `${fix}, without query, fragment or credentials`);
  // The comparison with `iss` is byte for byte, so refuse spellings the URL parser would change.
  else if (url.href !== value && url.href !== `${value}/`)
    problem(name, `${fix}, written in canonical form (${JSON.stringify(url.href)})`);
  return value;
}

function stringList(value: unknown, name: string, problem: Problem, single: boolean): string[] {
  const list = single && typeof value === "string" ? [value] : value;
  const fix = single
    ? "must be a non-empty string or a non-empty array of them"
    : "must be an array of non-empty strings";
  if (!Array.isArray(list) || (single && list.length === 0) || !list.every((v) => typeof v === "string" && v !== "")) {
    problem(name, fix);
    return [];
  }
  return [...(list as string[])];
}

function algorithmsOption(value: unknown, problem: Problem): readonly VerifierAlgorithm[] {
  if (value === undefined) return DEFAULTS.algorithms;
  const allowed = `may list only ${SUPPORTED_ALGORITHMS.join(", ")}`;
  if (!Array.isArray(value) || value.length === 0) {
    problem("algorithms", `must be a non-empty array; it ${allowed}`);
    return [];
  }
  for (const alg of value) {
    if (SUPPORTED_ALGORITHMS.includes(alg as VerifierAlgorithm)) continue;
    const never = alg === "none" || (typeof alg === "string" && /^HS\d+$/.test(alg));
    problem(
      "algorithms",
      `${never ? `must never allow ${JSON.stringify(alg)} (unsigned or shared-secret tokens)` : `cannot allow ${JSON.stringify(alg)}`}; it ${allowed}`,
    );
  }
  return [...new Set(value as VerifierAlgorithm[])];
}

function numberOption(value: unknown, name: string, min: number, max: number, problem: Problem): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max) {
    problem(name, `must be a number of seconds from ${min} to ${max} (got ${JSON.stringify(value)})`);
    return undefined;
  }
  return value;
}

function integerOption(value: unknown, name: string, min: number, max: number, problem: Problem): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) {
    problem(name, `must be an integer from ${min} to ${max} (got ${JSON.stringify(value)})`);
    return undefined;
  }
  return value as number;
}

function booleanOption(value: unknown, name: string, problem: Problem): boolean {
  if (value === undefined) return false;
  if (typeof value !== "boolean") problem(name, "must be true or false");
  return value === true;
}

function functionOption<F>(value: unknown, name: string, problem: Problem): F | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "function") problem(name, "must be a function");
  return typeof value === "function" ? (value as F) : undefined;
}

function subjectOption(value: unknown, problem: Problem): string | RegExp | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "string" && value !== "") return value;
  if (value instanceof RegExp) {
    // Matched against the whole subject: an unanchored /billing/ or /^a|b$/ would otherwise admit
    // any subject that merely contains a match. g and y would make test() stateful.
    if (value.global || value.sticky) problem("subject", "must not use the g or y flags (they make matching stateful)");
    return new RegExp(`^(?:${value.source})$`, value.flags.replace(/[gy]/g, ""));
  }
  problem("subject", "must be the exact subject string (worker/<account_id>/<script>) or an anchored RegExp");
  return undefined;
}

function claimsOption(value: unknown, problem: Problem): Readonly<Record<string, JsonValue>> | undefined {
  if (value === undefined) return undefined;
  if (!isRecord(value) || Object.keys(value).length === 0) {
    problem("claims", "must be a non-empty object of claim name to expected JSON value; omit it to match no claims");
    return undefined;
  }
  for (const [name, expected] of Object.entries(value)) {
    if (!isJsonValue(expected))
      problem(`claims.${name}`, "must be a JSON value (string, finite number, boolean, null, array or plain object)");
  }
  return structuredClone(value) as Record<string, JsonValue>;
}
