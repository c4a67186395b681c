// The middleware Worker's text bindings for a stack's `edgeMiddleware` settings: the one place
// that turns audiences, rules, forwardAuthorization, revocationList, introspectionClient and
// clientCertificates into AUDIENCES, RULES, REVOCATION_LIST_URL, INTROSPECTION_*, CLIENT_CERTIFICATES,
// and the workloads' `native` settings into NATIVE_ISSUERS, so the deployed middleware
// (infra/cloudflare/edge-middleware.ts) and the local one (worker/local/edge-middleware.ts) cannot
// drift. The client secret is a secret binding each side adds from its own store.

import { INTROSPECTION_PATH, REVOCATIONS_PATH } from "../http/routes.js";
import type { ClientCertificateSource } from "./client-certificate.js";

/** A workload as the stack config resolves it (worker/config/types.ts WorkloadConfig), as far as it is read here. */
export interface NativeWorkloadSettings {
  readonly native?: { readonly issuer: string; readonly subject: string; readonly jwksUri?: string };
}

/** One entry of NATIVE_ISSUERS: the verifier's `nativeIssuers` entry. */
export interface NativeIssuerBinding {
  readonly issuer: string;
  readonly audiences: readonly string[];
  readonly subjects: Readonly<Record<string, string>>;
  readonly jwksUri?: string;
}

/** What the middleware is told; the stack's settings plus the issuer it trusts. */
export interface MiddlewareBindingSettings {
  /** The issuer's URL, exactly the tokens' `iss`. */
  readonly issuerUrl: string;
  readonly audiences: readonly string[];
  /** The rules document, parsed JSON. */
  readonly rules: unknown;
  /** Forward by fetch to this URL (ORIGIN_URL) instead of through the ORIGIN service binding. */
  readonly originUrl?: string;
  readonly forwardAuthorization?: boolean;
  /** Refuse tokens on `<issuer>/revocations.json`. */
  readonly revocationList?: boolean;
  /** Ask `<issuer>/introspect` about workflow tokens as this introspection client. */
  readonly introspectionClientId?: string;
  /** Where client certificates come from (CLIENT_CERTIFICATES); default "none". */
  readonly clientCertificates?: ClientCertificateSource;
  /**
   * The stack's workloads by name: those with `native` settings make NATIVE_ISSUERS, so tokens of
   * Cloudflare's oidc_tokens binding are accepted for the API's audiences and read as their workload.
   */
  readonly workloads?: Readonly<Record<string, NativeWorkloadSettings>>;
}

/**
 * The native issuers of the stack's workloads, one entry per distinct issuer (in order of first
 * appearance), accepted for the API's `audiences`, each mapping its workloads' exact subjects to
 * their names. A `jwksUri` is kept when the issuer's workloads name one.
 */
export function nativeIssuersOf(
  workloads: Readonly<Record<string, NativeWorkloadSettings>>,
  audiences: readonly string[],
): NativeIssuerBinding[] {
  const byIssuer = new Map<string, { subjects: Record<string, string>; jwksUri: string | undefined }>();
  for (const [name, workload] of Object.entries(workloads)) {
    const native = workload.native;
    if (native === undefined) continue;
    let entry = byIssuer.get(native.issuer);
    if (entry === undefined) {
      entry = { subjects: {}, jwksUri: undefined };
      byIssuer.set(native.issuer, entry);
    }
    entry.subjects[native.subject] = name;
    entry.jwksUri ??= native.jwksUri;
  }
  return [...byIssuer].map(([issuer, { subjects, jwksUri }]) => ({
    issuer,
    audiences: [...audiences],
    subjects,
    ...(jwksUri !== undefined ? { jwksUri } : {}),
  }));
}

export function middlewareTextBindings(settings: MiddlewareBindingSettings): Record<string, string> {
  const { issuerUrl, introspectionClientId } = settings;
  const nativeIssuers = nativeIssuersOf(settings.workloads ?? {}, settings.audiences);
  return {
    ISSUER_URL: issuerUrl,
    AUDIENCES: JSON.stringify(settings.audiences),
    RULES: JSON.stringify(settings.rules) ?? "",
    ...(settings.originUrl !== undefined ? { ORIGIN_URL: settings.originUrl } : {}),
    ...(settings.forwardAuthorization !== undefined
      ? { FORWARD_AUTHORIZATION: String(settings.forwardAuthorization) }
      : {}),
    ...(settings.revocationList === true ? { REVOCATION_LIST_URL: `${issuerUrl}${REVOCATIONS_PATH}` } : {}),
    ...(settings.clientCertificates === "cloudflare-edge" ? { CLIENT_CERTIFICATES: "cloudflare-edge" } : {}),
    ...(nativeIssuers.length > 0 ? { NATIVE_ISSUERS: JSON.stringify(nativeIssuers) } : {}),
    ...(introspectionClientId !== undefined
      ? {
          INTROSPECTION_URL: `${issuerUrl}${INTROSPECTION_PATH}`,
          INTROSPECTION_CLIENT_ID: introspectionClientId,
          INTROSPECTION_FOR: "workflow",
        }
      : {}),
  };
}
