// The verifier's `nativeIssuers` option: issuers of Cloudflare's native `oidc_tokens` tokens that
// a relying party trusts beside the worker-identity issuer, each with its own audiences, JWKS
// (from its discovery document, or `jwksUri`) and the map from native subject to workload name.
// Checked once, when the verifier is built. The native claim set is not public: nothing here
// names a claim beyond iss, sub, aud, exp, iat, nbf and jti.

import { isRecord } from "../options/is-record.js";

export interface NativeIssuerOptions {
  /** The exact `iss` of the native tokens: the issuer `wrangler deploy` printed (https; http only on loopback). */
  readonly issuer: string;
  /** The audiences this relying party accepts from this issuer; a token's `aud` must be one of them. */
  readonly audiences: readonly string[];
  /**
   * The exact native subject (as `wrangler deploy` printed it) to the workload name it stands for:
   * `VerifiedIdentity.workload` of this issuer's tokens comes only from here. A subject not listed
   * verifies with no workload.
   */
  readonly subjects?: Readonly<Record<string, string>>;
  /** The issuer's JWKS URL; default: `jwks_uri` of `<issuer>/.well-known/openid-configuration`. */
  readonly jwksUri?: string;
}

export interface ResolvedNativeIssuer {
  readonly issuer: string;
  readonly audiences: ReadonlySet<string>;
  readonly subjects: ReadonlyMap<string, string>;
  readonly jwksUri: string | undefined;
}

type Problem = (option: string, fix: string) => void;
type UrlCheck = (value: unknown, option: string, problem: Problem) => string;

const KNOWN = ["issuer", "audiences", "subjects", "jwksUri"];
const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** `checkIssuer` is the verifier's own issuer check (exact, canonical https URL). */
export function nativeIssuersOption(
  value: unknown,
  workloadIdentityIssuer: unknown,
  checkIssuer: UrlCheck,
  problem: Problem,
): ReadonlyMap<string, ResolvedNativeIssuer> {
  const resolved = new Map<string, ResolvedNativeIssuer>();
  if (value === undefined) return resolved;
  if (!Array.isArray(value) || value.length === 0) {
    problem(
      "nativeIssuers",
      "must be a non-empty array of { issuer, audiences, subjects?, jwksUri? }; omit it to trust only the worker-identity issuer",
    );
    return resolved;
  }
  value.forEach((entry: unknown, index) => {
    const at = `nativeIssuers[${index}]`;
    if (!isRecord(entry)) {
      problem(at, "must be an object: { issuer, audiences, subjects?, jwksUri? }");
      return;
    }
    for (const name of Object.keys(entry)) {
      if (!KNOWN.includes(name)) problem(`${at}.${name}`, `is not an option; known: ${KNOWN.join(", ")}`);
    }
    const issuer = checkIssuer(entry.issuer, `${at}.issuer`, problem);
    if (issuer !== "" && issuer === workloadIdentityIssuer)
      problem(`${at}.issuer`, "is the worker-identity issuer (`issuer`); a native issuer is another one");
    else if (issuer !== "" && resolved.has(issuer)) problem(`${at}.issuer`, "is listed twice; list each issuer once");
    const audiences = entry.audiences;
    const audienceList =
      Array.isArray(audiences) && audiences.length > 0 && audiences.every((a) => typeof a === "string" && a !== "")
        ? (audiences as string[])
        : undefined;
    if (audienceList === undefined)
      problem(
        `${at}.audiences`,
        'must be a non-empty array of the audiences accepted from this issuer, e.g. ["https://api.example.com"]',
      );
    const subjects = new Map<string, string>();
    if (entry.subjects !== undefined) {
      if (!isRecord(entry.subjects)) {
        problem(
          `${at}.subjects`,
          'must be an object of native subject to workload name: { "<subject wrangler deploy printed>": "billing" }',
        );
      } else {
        for (const [subject, workload] of Object.entries(entry.subjects)) {
          if (subject === "")
            problem(`${at}.subjects`, "has an empty subject; use the exact subject wrangler deploy printed");
          else if (typeof workload !== "string" || workload === "")
            problem(`${at}.subjects[${JSON.stringify(subject)}]`, "must be the workload's name, a non-empty string");
          else subjects.set(subject, workload);
        }
      }
    }
    const jwksUri = entry.jwksUri === undefined ? undefined : jwksUriOption(entry.jwksUri, `${at}.jwksUri`, problem);
    if (issuer !== "" && audienceList !== undefined && !resolved.has(issuer)) {
      resolved.set(issuer, Object.freeze({ issuer, audiences: new Set(audienceList), subjects, jwksUri }));
    }
  });
  return resolved;
}

function jwksUriOption(value: unknown, option: string, problem: Problem): string | undefined {
  const fix =
    "must be the issuer's JWKS URL: https (http only on 127.0.0.1, localhost or [::1]), without credentials or fragment";
  if (typeof value !== "string") return void problem(option, fix);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return void problem(option, fix);
  }
  const local = url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname);
  if ((url.protocol !== "https:" && !local) || url.username || url.password || url.hash)
    return void problem(option, fix);
  return url.href;
}
