// The middleware Worker's bindings, read and checked once: pure, so the Worker (worker.ts), the
// Pulumi component and the tests share one validator. A problem names the binding and the fix;
// `detail` (for logs only) may quote the configuration, the `fix` (also shown to clients) never does.

import type { NativeIssuerOptions } from "@worker-identity/verifier";
import { OptionsError } from "../options/options-error.js";
import { parseRules, type Rules, RulesError } from "../rules/rules.js";
import { CLIENT_CERTIFICATE_SOURCES, type ClientCertificateSource } from "./client-certificate.js";
import { readNativeIssuersBinding } from "./native-issuers-binding.js";
import { type RevocationBindings, type RevocationChecks, readRevocationBindings } from "./revocation-bindings.js";

/** The text bindings, as `env` holds them (absent ones undefined). */
export interface MiddlewareTextBindings extends RevocationBindings {
  readonly ISSUER_URL?: unknown;
  readonly AUDIENCES?: unknown;
  readonly RULES?: unknown;
  readonly ORIGIN_URL?: unknown;
  readonly FORWARD_AUTHORIZATION?: unknown;
  readonly CLIENT_CERTIFICATES?: unknown;
  readonly NATIVE_ISSUERS?: unknown;
}

/** Which service bindings exist: ISSUER (optional) and ORIGIN (or ORIGIN_URL). */
export interface MiddlewareServices {
  readonly issuer: boolean;
  readonly origin: boolean;
}

export interface MiddlewareConfig {
  readonly issuerUrl: string;
  readonly audiences: readonly string[];
  readonly rules: Rules;
  /** Forward through the ORIGIN service binding, or by fetch to `url`'s origin. */
  readonly origin: { readonly kind: "service" } | { readonly kind: "url"; readonly url: URL };
  readonly forwardAuthorization: boolean;
  /** Where client certificates come from (client-certificate.ts). */
  readonly clientCertificates: ClientCertificateSource;
  /** Fetch discovery and the JWKS through the ISSUER service binding instead of the internet. */
  readonly issuerService: boolean;
  /** Introspection and the revocation list (revocation-bindings.ts); empty when not configured. */
  readonly revocation: RevocationChecks;
  /** NATIVE_ISSUERS (native-issuers-binding.ts): Cloudflare native issuers trusted beside ISSUER_URL; absent when unset. */
  readonly nativeIssuers?: readonly NativeIssuerOptions[];
}

export interface MiddlewareConfigProblem {
  readonly binding: string;
  readonly fix: string;
  readonly detail?: string;
}

export class MiddlewareConfigError extends OptionsError {
  readonly problems: readonly MiddlewareConfigProblem[];

  constructor(problems: readonly MiddlewareConfigProblem[]) {
    super(
      problems.map((p) => ({ path: p.binding, problem: p.detail ?? p.fix, fix: p.fix })),
      "invalid middleware configuration",
    );
    this.name = "MiddlewareConfigError";
    this.problems = problems;
  }

  /** The problems without quoted configuration: what a client may read. */
  get summary(): string {
    return this.problems.map((p) => `${p.binding} ${p.fix}`).join("; ");
  }
}

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

export function readMiddlewareConfig(env: MiddlewareTextBindings, services: MiddlewareServices): MiddlewareConfig {
  const problems: MiddlewareConfigProblem[] = [];
  const problem = (binding: string, fix: string, detail?: string) =>
    void problems.push({ binding, fix, ...(detail !== undefined ? { detail } : {}) });

  const issuerUrl = httpUrl(env.ISSUER_URL);
  if (issuerUrl === undefined || issuerUrl.pathname !== "/" || issuerUrl.href !== `${String(env.ISSUER_URL)}/`) {
    problem(
      "ISSUER_URL",
      "must be the issuer's URL exactly as tokens carry it in `iss` (https://id.example.com; http only on 127.0.0.1 or localhost), without path, query or trailing slash",
    );
  }

  const audiences = parseJson(env.AUDIENCES, "AUDIENCES", problem);
  const audienceFix = 'must be a JSON array of the audiences this API accepts, e.g. ["https://api.example.com"]';
  const audienceList =
    Array.isArray(audiences) && audiences.length > 0 && audiences.every((a) => typeof a === "string" && a !== "")
      ? (audiences as string[])
      : undefined;
  if (audiences !== undefined && audienceList === undefined) problem("AUDIENCES", audienceFix);
  else if (audienceList !== undefined && new Set(audienceList).size !== audienceList.length)
    problem("AUDIENCES", "lists an audience twice; list each once");

  const nativeIssuers = readNativeIssuersBinding(env.NATIVE_ISSUERS, env.ISSUER_URL, problem);
  const nativeAudiences = (nativeIssuers ?? []).flatMap((entry) => entry.audiences);

  const document = parseJson(env.RULES, "RULES", problem);
  let rules: Rules | undefined;
  if (document !== undefined) {
    try {
      rules = parseRules(document);
    } catch (error) {
      if (!(error instanceof RulesError)) throw error;
      problem(
        "RULES",
        `is not a valid rules document (${error.problems.length} problem(s), each listed with its JSON path in the Worker's log; format: worker/middleware/README.md)`,
        error.message,
      );
    }
  }
  for (const rule of rules?.rules ?? []) {
    const extra =
      rule.public || rule.allow === "authenticated"
        ? []
        : (rule.allow.audiences ?? []).filter((a) => !audienceList?.includes(a) && !nativeAudiences.includes(a));
    if (audienceList !== undefined && extra.length > 0) {
      problem(
        "RULES",
        `rules[${rule.index}].allow.audiences names an audience missing from AUDIENCES (and NATIVE_ISSUERS); add it there or remove it from the rule`,
      );
    }
  }

  let origin: MiddlewareConfig["origin"] | undefined;
  if (services.origin && env.ORIGIN_URL !== undefined) {
    problem("ORIGIN_URL", "is set beside the ORIGIN service binding; keep exactly one of them");
  } else if (services.origin) {
    origin = { kind: "service" };
  } else if (env.ORIGIN_URL === undefined) {
    problem(
      "ORIGIN",
      "is missing: bind the origin Worker as the ORIGIN service, or set ORIGIN_URL to the origin's URL",
    );
  } else {
    const url = httpUrl(env.ORIGIN_URL);
    if (url === undefined || url.pathname !== "/") {
      problem(
        "ORIGIN_URL",
        "must be the origin's https URL without path, query or credentials (http only on 127.0.0.1 or localhost), e.g. https://backend.example.com",
      );
    } else origin = { kind: "url", url };
  }

  const revocation = readRevocationBindings(env, problem);
  const forwardAuthorization = env.FORWARD_AUTHORIZATION;
  if (forwardAuthorization !== undefined && forwardAuthorization !== "true" && forwardAuthorization !== "false") {
    problem("FORWARD_AUTHORIZATION", 'must be "true" or "false" (or absent: false)');
  }
  const clientCertificates = env.CLIENT_CERTIFICATES ?? "none";
  if (!CLIENT_CERTIFICATE_SOURCES.includes(clientCertificates as ClientCertificateSource)) {
    problem(
      "CLIENT_CERTIFICATES",
      'must be "cloudflare-edge" (read request.cf.tlsClientAuth), or "none" or absent (no client certificates)',
    );
  }

  if (
    problems.length > 0 ||
    issuerUrl === undefined ||
    audienceList === undefined ||
    rules === undefined ||
    origin === undefined
  ) {
    throw new MiddlewareConfigError(problems);
  }
  return Object.freeze({
    issuerUrl: String(env.ISSUER_URL),
    audiences: Object.freeze([...audienceList]),
    rules,
    origin,
    forwardAuthorization: forwardAuthorization === "true",
    clientCertificates: clientCertificates as ClientCertificateSource,
    revocation,
    issuerService: services.issuer,
    ...(nativeIssuers !== undefined ? { nativeIssuers: Object.freeze(nativeIssuers) } : {}),
  });
}

/** An https URL (http on loopback) without query, fragment or credentials. */
function httpUrl(value: unknown): URL | undefined {
  if (typeof value !== "string" || value === "") return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  const local = url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname);
  if (url.protocol !== "https:" && !local) return undefined;
  if (url.search || url.hash || url.username || url.password) return undefined;
  return url;
}

function parseJson(
  value: unknown,
  binding: string,
  problem: (binding: string, fix: string, detail?: string) => void,
): unknown {
  if (value === undefined || value === "") return void problem(binding, "is missing: set it as a text binding (JSON)");
  if (typeof value !== "string") return void problem(binding, "must be a text binding holding JSON");
  try {
    return JSON.parse(value) as unknown;
  } catch (error) {
    return void problem(
      binding,
      "is not valid JSON",
      `is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}
