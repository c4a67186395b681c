// Every answer an mTLS origin gives instead of serving, in one table: RFC 9457 problem+json with
// a fixed detail (never a certificate field, token or claim value: the cause goes to the log).
// Token refusals are the edge middleware's own (worker/middleware/refusals.ts), so a workload
// reads the same answers at the edge and at the origin.

import type { OriginMtlsCode } from "../error-codes/middleware.js";
import { problemResponse } from "../http/problem.js";
import { REALM, type RefusalCode, refusalResponse } from "../middleware/refusals.js";

export type { OriginMtlsCode } from "../error-codes/middleware.js";

/** The origin's own codes, and the edge middleware's for the bearer token. */
export type OriginRefusalCode = OriginMtlsCode | RefusalCode;

interface OriginRefusal {
  readonly status: 401 | 403;
  /** The challenge of a 401: the client certificate (scheme `mTLS`), or the bearer token (RFC 6750 §3). */
  readonly challenge?: "certificate" | "invalid_token";
  readonly title: string;
  readonly detail: string;
}

const CERTIFICATE = { status: 401, challenge: "certificate" } as const;
const BOUND_TOKEN = { status: 401, challenge: "invalid_token", title: "Token not bound to this certificate" } as const;

export const ORIGIN_REFUSALS: Readonly<Record<OriginMtlsCode, OriginRefusal>> = {
  ERR_NO_CLIENT_CERTIFICATE: {
    ...CERTIFICATE,
    title: "Client certificate required",
    detail:
      "This origin needs the workload's client certificate: call it over TLS through the workload's mtls_certificate binding (env.MTLS.fetch).",
  },
  ERR_CLIENT_CERTIFICATE_EXPIRED: {
    ...CERTIFICATE,
    title: "Client certificate expired",
    detail:
      "The client certificate has expired; run pulumi up to renew it and redeploy the workload with its new binding.",
  },
  ERR_CLIENT_CERTIFICATE_NOT_YET_VALID: {
    ...CERTIFICATE,
    title: "Client certificate not yet valid",
    detail: "The client certificate is not valid yet; check the clocks of the client and this origin.",
  },
  ERR_CLIENT_CERTIFICATE_UNTRUSTED: {
    ...CERTIFICATE,
    title: "Client certificate not trusted",
    detail:
      "The client certificate does not chain to this origin's worker-identity CA bundle; refresh the bundle from the stack output mtlsCaBundle.",
  },
  ERR_CLIENT_CERTIFICATE_IDENTITY: {
    status: 403,
    title: "Forbidden",
    detail:
      "The client certificate does not name a Worker of this origin's trust domain and account (one URI SAN spiffe://<trust-domain>/worker/<account>/<script>).",
  },
  ERR_WORKLOAD_NOT_ADMITTED: {
    status: 403,
    title: "Forbidden",
    detail: "This origin does not admit the workload the client certificate names.",
  },
  ERR_TOKEN_NOT_CERTIFICATE_BOUND: {
    ...BOUND_TOKEN,
    detail:
      "This route needs a certificate-bound token (cnf x5t#S256, RFC 8705); enable mtls for the workload so its tokens carry one.",
  },
  ERR_TOKEN_SUBJECT_MISMATCH: {
    status: 403,
    title: "Forbidden",
    detail: "The bearer token names another workload than the client certificate does.",
  },
};

export function isOriginMtlsCode(code: string): code is OriginMtlsCode {
  return Object.hasOwn(ORIGIN_REFUSALS, code);
}

/** The problem+json answer for `code`. */
export function originRefusalResponse(code: OriginRefusalCode): Response {
  if (!isOriginMtlsCode(code)) return refusalResponse(code);
  const refusal = ORIGIN_REFUSALS[code];
  const headers = new Headers();
  if (refusal.challenge === "certificate") headers.set("www-authenticate", `mTLS realm="${REALM}"`);
  if (refusal.challenge === "invalid_token")
    headers.set("www-authenticate", `Bearer realm="${REALM}", error="invalid_token"`);
  return problemResponse({ status: refusal.status, title: refusal.title, detail: refusal.detail, code }, headers);
}
