// ERRORS.md entries of the edge middleware's and the mTLS origin's own codes (ERR_INTERNAL is
// entered with the issuer's). Their answers are built from worker/middleware/refusals.ts and
// worker/mtls/origin-refusals.ts.

import type { MiddlewareCode, OriginMtlsCode } from "../middleware.js";
import type { CatalogEntry } from "./entry.js";

const EDGE = ["edge middleware"] as const;
const ORIGIN = ["mTLS origin"] as const;
const SEND_AS_WRITTEN = "Send the request as the detail says; a retry of the same request gets the same answer.";

function edge(status: number, meaning: string, action: string): CatalogEntry {
  return { raisedBy: EDGE, status, retryable: false, meaning, action };
}

function origin(status: number, meaning: string, action: string): CatalogEntry {
  return { raisedBy: ORIGIN, status, retryable: false, meaning, action };
}

export const MIDDLEWARE_CATALOG = {
  ERR_NO_TOKEN: edge(
    401,
    "The route needs a token and the request carried none.",
    "Send `Authorization: Bearer <token>`.",
  ),
  ERR_AUTHORIZATION_HEADER: edge(
    401,
    "The Authorization header is not exactly one `Bearer <token>`.",
    "Send one Authorization header: `Bearer`, one space, the token.",
  ),
  ERR_REQUEST_PATH: edge(
    400,
    "The path is ambiguous once decoded (encoded '/', dot segments, control characters, look-alikes...).",
    SEND_AS_WRITTEN,
  ),
  ERR_METHOD_OVERRIDE: edge(
    400,
    "A method override (header, `_method` query or body field) names a method the route's rule does not also govern.",
    "Send the request with the method itself.",
  ),
  ERR_OVERRIDE_BODY_TOO_LARGE: edge(
    413,
    "A POST body that could carry `_method` is larger than the middleware checks.",
    "Send a smaller body, or the method itself instead of POST.",
  ),
  ERR_REQUEST_BODY: edge(400, "The request body could not be read to its end.", "Send it again, whole."),
  ERR_NO_RULE: edge(403, "No rule allows this method on this path (refused by default).", "Add a rule for the route."),
  ERR_RULE_REFUSED: edge(
    403,
    "The route's rule does not admit the token's identity.",
    "Call with an admitted workload, or change the rule.",
  ),
  ERR_IDENTITY_HEADER: edge(
    401,
    "A claim of the token cannot be carried in an identity header.",
    "Get a new token; report it if it persists.",
  ),
  ERR_ORIGIN_UNAVAILABLE: {
    raisedBy: EDGE,
    status: 502,
    retryable: true,
    meaning: "The origin behind the middleware could not be reached.",
    action: "Retry after Retry-After.",
  },
  ERR_MIDDLEWARE_CONFIG: {
    raisedBy: EDGE,
    status: 503,
    retryable: false,
    meaning: "The middleware's configuration (rules, audiences, issuer) is invalid; it refuses every request.",
    action: "Operators: fix the configuration the detail names and redeploy.",
  },
  ERR_NO_CLIENT_CERTIFICATE: origin(
    401,
    "The origin needs the workload's client certificate and none was presented.",
    "Call over the workload's mtls_certificate binding (`env.MTLS.fetch`).",
  ),
  ERR_CLIENT_CERTIFICATE_EXPIRED: origin(
    401,
    "The client certificate has expired.",
    "Operators: rotate the workload's certificate (`pulumi up`).",
  ),
  ERR_CLIENT_CERTIFICATE_NOT_YET_VALID: origin(
    401,
    "The client certificate is not valid yet.",
    "Check the clocks of the client and the origin.",
  ),
  ERR_CLIENT_CERTIFICATE_UNTRUSTED: origin(
    401,
    "The client certificate does not chain to the stack's CA.",
    "Use the certificate the stack issued to the workload.",
  ),
  ERR_CLIENT_CERTIFICATE_IDENTITY: origin(
    403,
    "The client certificate names no workload (no worker-identity SPIFFE ID).",
    "Use the certificate the stack issued to the workload.",
  ),
  ERR_WORKLOAD_NOT_ADMITTED: origin(
    403,
    "The origin does not admit the workload its certificate names.",
    "Call from an admitted workload, or admit it at the origin.",
  ),
  ERR_TOKEN_NOT_CERTIFICATE_BOUND: origin(
    401,
    "The bearer token carries no certificate binding (cnf), and this origin requires one.",
    "Request a certificate-bound token (the workload's `boundTokens`).",
  ),
  ERR_TOKEN_SUBJECT_MISMATCH: origin(
    403,
    "The bearer token names another workload than the client certificate does.",
    "Send the workload's own token with its own certificate.",
  ),
} as const satisfies Record<Exclude<MiddlewareCode, "ERR_INTERNAL"> | OriginMtlsCode, CatalogEntry>;
