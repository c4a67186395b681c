// The edge middleware: authentication, then the authorization rules, then forward. The factory
// checks every option once (a misuse is an OptionsError listing each problem); the handler it returns
// answers every request, never throws, and refuses with problem+json and WWW-Authenticate.
//
//   canonical path ─ rule lookup ─ override shape ─ public? (override same rule? loose route no wider?) ─ POST body override? ─ forward (identity and path-override headers stripped)
//                                                   └ bearer token ─ verify (+ client certificate) ─ rule found? ─ admits? ─ override same rule? loose route no wider? ─ POST body override? ─ forward with identity
//
// Authentication comes before "no rule" (and before an override a protected rule does not
// govern) so that anonymous callers cannot map the rules.

import {
  createVerifier,
  type IntrospectionOptions,
  type JwksCacheOptions,
  type NativeIssuerOptions,
  type RevocationListOptions,
  VerificationError,
  type VerifiedIdentity,
  type Verifier,
  type VerifierAlgorithm,
  type VerifierFetch,
} from "@worker-identity/verifier";
import { OptionsError, OptionsIssues } from "../options/options-error.js";
import { canonicalPath } from "../rules/request-path.js";
import { isParsedRules, type ProtectedRule, type Rule, type Rules } from "../rules/rules.js";
import { admits, findRule } from "./authorize.js";
import { bearerCredentials } from "./bearer.js";
import {
  CLIENT_CERTIFICATE_SOURCES,
  type ClientCertificateSource,
  presentedCertificate,
} from "./client-certificate.js";
import { identityHeaders, stripClientHeaders } from "./identity-headers.js";
import {
  checkMethodOverride,
  headerOverrides,
  type NamedOverride,
  overrideMethodOf,
  queryOverrides,
} from "./method-override.js";
import { inspectOverrideBody } from "./method-override-body.js";
import { stripPathOverrides } from "./path-override.js";
import { looseMethods, looseWidening } from "./path-readings.js";
import { type RefusalCode, refusalResponse } from "./refusals.js";

export interface MiddlewareOptions {
  /** The exact `iss` of accepted tokens (the issuer's URL). */
  readonly issuer: string;
  /** The audiences this API accepts; a token's `aud` must be one of them. */
  readonly audiences: readonly string[];
  /** From parseRules. */
  readonly rules: Rules;
  /** Sends the prepared request to the origin: a service binding's fetch, or fetch to a URL. */
  readonly forward: (request: Request) => Promise<Response>;
  /** Keep the Authorization header on forwarded requests. Default false. */
  readonly forwardAuthorization?: boolean;
  /**
   * Where client certificates come from (client-certificate.ts): "none" (default: a certificate-bound
   * token is admitted only where its rule opts out), or "cloudflare-edge": `request.cf.tlsClientAuth`,
   * set by Cloudflare on a hostname with mTLS. Only when no Worker reaches the middleware through a
   * service binding: such a caller writes `cf` itself.
   */
  readonly clientCertificates?: ClientCertificateSource;
  /** Passed to the verifier (worker/verification/options.ts). */
  readonly clockToleranceSeconds?: number;
  readonly algorithms?: readonly VerifierAlgorithm[];
  readonly maxTokenBytes?: number;
  readonly jwks?: JwksCacheOptions;
  readonly fetch?: VerifierFetch;
  readonly now?: () => number;
  /** Ask the issuer whether workflow tokens (or all) are still active; see worker/verification/revocation-options.ts. */
  readonly introspection?: IntrospectionOptions;
  /** Refuse tokens the issuer's published revocation list covers. */
  readonly revocationList?: RevocationListOptions;
  /**
   * Issuers of Cloudflare's native oidc_tokens tokens trusted beside `issuer`, each with its
   * audiences and its native subject → workload map, so rules naming workloads read the same
   * whichever issuer signed (worker/verification/native-issuers.ts). Their audiences may be
   * named by rules besides `audiences`.
   */
  readonly nativeIssuers?: readonly NativeIssuerOptions[];
  /** Receives one entry per refusal. Default: one JSON line on the console. */
  readonly log?: (entry: MiddlewareLogEntry) => void;
}

export interface MiddlewareLogEntry {
  readonly event: "middleware.refused" | "middleware.error";
  readonly status: number;
  readonly code: RefusalCode;
  readonly method: string;
  /** The path only (the query may carry secrets), at most MAX_LOGGED_PATH characters. */
  readonly path: string;
  /** Index of the rule that refused, when one did. */
  readonly rule?: number;
  /** Why, for operators: the verifier's message (which never contains the token) or the error. */
  readonly reason?: string;
}

export type Middleware = (request: Request) => Promise<Response>;

const MAX_LOGGED_PATH = 512;
const VERIFIER_OPTIONS = [
  "clockToleranceSeconds",
  "algorithms",
  "maxTokenBytes",
  "jwks",
  "fetch",
  "now",
  "introspection",
  "revocationList",
  "nativeIssuers",
] as const;
const KNOWN_OPTIONS = new Set<string>([
  "issuer",
  "audiences",
  "rules",
  "forward",
  "forwardAuthorization",
  "clientCertificates",
  "log",
  ...VERIFIER_OPTIONS,
]);

export function createMiddleware(options: MiddlewareOptions): Middleware {
  const { rules, forward, verifier, keepAuthorization, certificateSource, log } = resolveOptions(options);
  const issuer = options.issuer;

  return async function middleware(request: Request): Promise<Response> {
    const method = request.method.toUpperCase();
    let path = "";
    const refuse = (code: RefusalCode, details: { rule?: number; reason?: string } = {}): Response => {
      const response = refusalResponse(code);
      const event = code === "ERR_INTERNAL" ? "middleware.error" : "middleware.refused";
      try {
        log({ event, status: response.status, code, method, path: path.slice(0, MAX_LOGGED_PATH), ...details });
      } catch {
        // A failing logger must not turn a refusal into an exception.
      }
      return response;
    };
    try {
      const url = new URL(request.url);
      path = url.pathname;
      const canonical = canonicalPath(url.pathname);
      if (!canonical.ok) return refuse("ERR_REQUEST_PATH", { reason: canonical.reason });
      url.pathname = canonical.path;
      const ruleFor = (other: string) => findRule(rules, other, canonical.segments);
      const rule = ruleFor(method);
      // Every method the request may be read as must find this rule (method-override.ts); refused
      // here only when the refusal reveals no protected rule, else after authentication.
      const namedOverrides = [...headerOverrides(request.headers), ...queryOverrides(url.search)];
      const override = checkMethodOverride(namedOverrides, method, rule, ruleFor);
      if (!override.ok && override.refuse === "now") {
        return refuse("ERR_METHOD_OVERRIDE", {
          reason: override.reason,
          ...(rule !== undefined ? { rule: rule.index } : {}),
        });
      }
      // The route a loosely routing origin runs must not be a protected one beyond this rule (path-readings.ts).
      const runsAs = looseMethods(method, overrideMethodOf(namedOverrides));
      if (rule?.public) {
        const widening = looseWidening(rules, runsAs, canonical.segments, rule, () => false);
        if (widening !== undefined) return refuse("ERR_REQUEST_PATH", { rule: rule.index, reason: widening });
      }

      const headers = new Headers(request.headers);
      stripClientHeaders(headers, keepAuthorization);
      stripPathOverrides(headers);
      const context = { segments: canonical.segments, namedOverrides, ruleFor };
      if (rule?.public) return await sendChecked(url, headers, rule, context, () => false);

      const credentials = bearerCredentials(request.headers);
      if (credentials.kind === "absent") return refuse("ERR_NO_TOKEN");
      if (credentials.kind === "malformed") return refuse("ERR_AUTHORIZATION_HEADER");
      // A certificate-bound token needs the certificate Cloudflare verified for this connection.
      const certificate = presentedCertificate(request, certificateSource);
      let identity: VerifiedIdentity;
      try {
        identity = await verifier.verify(credentials.token, {
          ...(certificate.kind === "verified" ? { certificateThumbprint: certificate.thumbprint } : {}),
          acceptBoundTokenWithoutCertificate:
            rule !== undefined && !rule.public && rule.acceptBoundTokensWithoutCertificate,
        });
      } catch (error) {
        if (error instanceof VerificationError) {
          const reason =
            certificate.kind === "none" && error.code === "ERR_TOKEN_CERTIFICATE_REQUIRED"
              ? `${error.message} (${certificate.reason})`
              : error.message;
          return refuse(error.code, { reason, ...(rule !== undefined ? { rule: rule.index } : {}) });
        }
        throw error;
      }
      if (rule === undefined) return refuse("ERR_NO_RULE");
      // Admission first: a caller the rule does not admit learns nothing of which methods share it.
      // A native token (another issuer than ours) never meets a rule's claims condition (authorize.ts).
      const native = identity.issuer !== issuer;
      if (!admits(rule.allow, identity, native)) return refuse("ERR_RULE_REFUSED", { rule: rule.index });
      if (!override.ok) return refuse("ERR_METHOD_OVERRIDE", { rule: rule.index, reason: override.reason });
      // Through another rule only if it would admit this caller, and this token as it was presented.
      const unconfirmed = identity.certificate !== undefined && !identity.certificate.confirmed;
      const passes = (other: ProtectedRule) =>
        admits(other.allow, identity, native) && (!unconfirmed || other.acceptBoundTokensWithoutCertificate);
      const widening = looseWidening(rules, runsAs, canonical.segments, rule, passes);
      if (widening !== undefined) return refuse("ERR_REQUEST_PATH", { rule: rule.index, reason: widening });
      const identified = identityHeaders(identity);
      if (identified === undefined) return refuse("ERR_IDENTITY_HEADER", { rule: rule.index });
      for (const [name, value] of identified) headers.set(name, value);
      return await sendChecked(url, headers, rule, context, passes);
    } catch (error) {
      return refuse("ERR_INTERNAL", {
        reason: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
    }

    /**
     * Forwards once a POST body's `_method`, if it must be read (method-override-body.ts), keeps the
     * request under `rule`, on loose origins too (`passes`: whether another protected rule lets it through).
     */
    async function sendChecked(
      url: URL,
      headers: Headers,
      rule: Rule,
      context: RequestContext,
      passes: (other: ProtectedRule) => boolean,
    ): Promise<Response> {
      const { segments, namedOverrides, ruleFor } = context;
      const body = await inspectOverrideBody(request, method, rule, ruleFor);
      if (body.kind === "too large")
        return refuse("ERR_OVERRIDE_BODY_TOO_LARGE", { rule: rule.index, reason: body.reason });
      if (body.kind === "unreadable") return refuse("ERR_REQUEST_BODY", { rule: rule.index, reason: body.reason });
      if (body.kind === "not read") return await send(url, headers, request.body);
      const every = [...namedOverrides, ...body.overrides];
      const override = checkMethodOverride(every, method, rule, ruleFor);
      if (!override.ok) return refuse("ERR_METHOD_OVERRIDE", { rule: rule.index, reason: override.reason });
      const widening = looseWidening(rules, looseMethods(method, overrideMethodOf(every)), segments, rule, passes);
      if (widening !== undefined) return refuse("ERR_REQUEST_PATH", { rule: rule.index, reason: widening });
      return await send(url, headers, body.bytes);
    }

    async function send(url: URL, headers: Headers, body: ReadableStream | Uint8Array | null): Promise<Response> {
      const hasBody = body !== null && method !== "GET" && method !== "HEAD";
      // `duplex` is what Node's fetch needs for a streamed body; workerd ignores it.
      const init = { method, headers, body: hasBody ? body : null, redirect: "manual", duplex: "half" } as RequestInit;
      const prepared = new Request(url.href, init);
      try {
        return await forward(prepared);
      } catch (error) {
        return refuse("ERR_ORIGIN_UNAVAILABLE", { reason: error instanceof Error ? error.message : String(error) });
      }
    }
  };
}

/** What sendChecked needs of the request beyond its headers. */
interface RequestContext {
  readonly segments: readonly string[];
  readonly namedOverrides: readonly NamedOverride[];
  readonly ruleFor: (method: string) => Rule | undefined;
}

interface Resolved {
  readonly rules: Rules;
  readonly forward: (request: Request) => Promise<Response>;
  readonly verifier: Verifier;
  readonly keepAuthorization: boolean;
  readonly certificateSource: ClientCertificateSource;
  readonly log: (entry: MiddlewareLogEntry) => void;
}

function resolveOptions(options: MiddlewareOptions): Resolved {
  if (typeof options !== "object" || options === null) throw new TypeError("createMiddleware needs an options object");
  const issues = new OptionsIssues();
  for (const name of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(name)) issues.add(name, `is not an option; known options: ${[...KNOWN_OPTIONS].join(", ")}`);
  }
  const { audiences, rules, forward, forwardAuthorization, clientCertificates, log } = options;
  const nativeAudiences = Array.isArray(options.nativeIssuers)
    ? options.nativeIssuers.flatMap((entry) => (Array.isArray(entry?.audiences) ? entry.audiences : []))
    : [];
  const audienceList =
    Array.isArray(audiences) && audiences.every((a) => typeof a === "string" && a !== "") ? audiences : undefined;
  if (audienceList === undefined || audienceList.length === 0)
    issues.add("audiences", "must be a non-empty array of audience strings");
  if (!isParsedRules(rules)) issues.add("rules", "must be the result of parseRules(document)");
  else if (audienceList !== undefined) {
    for (const rule of rules.rules) {
      const unreachable =
        rule.public || rule.allow === "authenticated"
          ? []
          : (rule.allow.audiences ?? []).filter((a) => !audienceList.includes(a) && !nativeAudiences.includes(a));
      if (unreachable.length > 0) {
        issues.add(
          `rules[${rule.index}]`,
          `admits the audience ${JSON.stringify(unreachable[0])}, which is not among audiences; add it to audiences or remove it from the rule`,
        );
      }
    }
  }
  if (typeof forward !== "function") issues.add("forward", "must be a function (request) => Promise<Response>");
  if (forwardAuthorization !== undefined && typeof forwardAuthorization !== "boolean")
    issues.add("forwardAuthorization", "must be true or false");
  if (clientCertificates !== undefined && !CLIENT_CERTIFICATE_SOURCES.includes(clientCertificates)) {
    issues.add(
      "clientCertificates",
      `must be one of ${CLIENT_CERTIFICATE_SOURCES.map((s) => JSON.stringify(s)).join(", ")}`,
    );
  }
  if (log !== undefined && typeof log !== "function") issues.add("log", "must be a function");
  let verifier: Verifier | undefined;
  try {
    const passthrough = Object.fromEntries(
      VERIFIER_OPTIONS.filter((k) => options[k] !== undefined).map((k) => [k, options[k]]),
    );
    verifier = createVerifier({ ...passthrough, issuer: options.issuer, audience: audienceList ?? [] });
  } catch (error) {
    if (!(error instanceof OptionsError)) throw error;
    // The verifier lists its own problems; `audience` is ours to report (as `audiences`).
    issues.merge(error.issues.filter((issue) => issue.path !== "audience"));
  }
  if (issues.size > 0 || verifier === undefined) throw new OptionsError(issues.list, "invalid middleware options");
  return {
    rules: rules as Rules,
    forward: forward as Resolved["forward"],
    verifier,
    keepAuthorization: forwardAuthorization === true,
    certificateSource: clientCertificates ?? "none",
    log: log ?? ((entry) => (entry.event === "middleware.error" ? console.error : console.log)(JSON.stringify(entry))),
  };
}
