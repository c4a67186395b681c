// The middleware Worker's text bindings for a stack's `edgeMiddleware` settings: the one place
// that turns audiences, rules, forwardAuthorization, revocationList, introspectionClient and
// clientCertificates into AUDIENCES, RULES, REVOCATION_LIST_URL, INTROSPECTION_*, CLIENT_CERTIFICATES, so the deployed middleware
// (infra/cloudflare/edge-middleware.ts) and the local one (worker/local/edge-middleware.ts) cannot
// drift. The client secret is a secret binding each side adds from its own store.

import { INTROSPECTION_PATH, REVOCATIONS_PATH } from "../http/routes.js";
import type { ClientCertificateSource } from "./client-certificate.js";

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
}

export function middlewareTextBindings(settings: MiddlewareBindingSettings): Record<string, string> {
  const { issuerUrl, introspectionClientId } = settings;
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
    ...(introspectionClientId !== undefined
      ? {
          INTROSPECTION_URL: `${issuerUrl}${INTROSPECTION_PATH}`,
          INTROSPECTION_CLIENT_ID: introspectionClientId,
          INTROSPECTION_FOR: "workflow",
        }
      : {}),
  };
}
