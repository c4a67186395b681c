// ERRORS.md entries of the issuer's codes (RPC token requests, admin, introspection, published documents).

import type { IssuerErrorCode, IssuerHttpCode } from "../issuer.js";
import type { CatalogEntry } from "./entry.js";

const RPC = ["issuer RPC"] as const;

export const ISSUER_CATALOG = {
  ERR_NO_IDENTITY: {
    raisedBy: RPC,
    status: null,
    retryable: false,
    meaning: "The caller's service binding carries no workload or workflow identity (no props).",
    action: "Bind the issuer through the Pulumi program (or the local stack), which sets the binding's props.",
  },
  ERR_UNKNOWN_WORKLOAD: {
    raisedBy: RPC,
    status: null,
    retryable: false,
    meaning: "The binding names a workload that is not in the stack's workload registry.",
    action: "Add the workload under `workloads` in the stack config and run `pulumi up`.",
  },
  ERR_AUDIENCE_NOT_ALLOWED: {
    raisedBy: RPC,
    status: null,
    retryable: false,
    meaning: "The audience asked for is not in the workload's `audiences` allow-list.",
    action: "Ask for one of the workload's audiences, or add it to the stack config and redeploy.",
  },
  ERR_LIFETIME_TOO_LONG: {
    raisedBy: RPC,
    status: null,
    retryable: false,
    meaning: "`lifetimeSeconds` is longer than the workload's configured token lifetime.",
    action: "Ask for a lifetime no longer than the workload's, or omit it for the default.",
  },
  ERR_UNKNOWN_WORKFLOW: {
    raisedBy: RPC,
    status: null,
    retryable: false,
    meaning: "The binding names a workflow that is not in the stack's workflow registry.",
    action: "Add the workflow under `workflows` in the stack config and run `pulumi up`.",
  },
  ERR_UNKNOWN_INSTANCE: {
    raisedBy: RPC,
    status: null,
    retryable: false,
    meaning: "No instance with that id exists in the calling workflow (it may belong to another one).",
    action: "Pass the id of a running instance of the calling workflow (`event.instanceId`).",
  },
  ERR_INSTANCE_NOT_RUNNING: {
    raisedBy: RPC,
    status: null,
    retryable: false,
    meaning: "The workflow instance exists but is not executing (queued, paused or ended); nothing is signed for it.",
    action: "Request tokens from a step of a running instance.",
  },
  ERR_INVALID_REQUEST: {
    raisedBy: ["issuer RPC", "issuer HTTP"],
    status: 400,
    retryable: false,
    meaning: "Malformed RPC arguments or HTTP request (body too large or unreadable, a bad kid or form field).",
    action: "Fix the request as the detail says.",
  },
  ERR_ISSUER_CONFIG: {
    raisedBy: ["issuer RPC", "issuer HTTP"],
    status: 503,
    retryable: false,
    meaning: "The issuer's own configuration (its built-in runtime config, or a binding) is missing or invalid.",
    action: "Operators: redeploy the issuer with `pulumi up`; the detail names the binding or setting.",
  },
  ERR_KEY_ENCRYPTION_KEY: {
    raisedBy: ["issuer RPC", "issuer HTTP"],
    status: 503,
    retryable: false,
    meaning:
      "KEY_ENCRYPTION_KEY (or KEY_ENCRYPTION_KEY_PREVIOUS) is missing, malformed, or neither is the key a stored signing key was sealed with.",
    action:
      "Operators: restore the KEY_ENCRYPTION_KEY secret the keys were sealed with, or, rotating the KEK, set the old one as KEY_ENCRYPTION_KEY_PREVIOUS until `wid keys rewrap` says it can go (worker/keys/README.md).",
  },
  ERR_KEY_STORE_UNAVAILABLE: {
    raisedBy: ["issuer RPC", "issuer HTTP"],
    status: 503,
    retryable: true,
    meaning: "The Durable Object key store could not be reached, failed, or gave no signing key within 8 s.",
    action: "Retry after a short delay; the SDK does so for you.",
  },
  ERR_WORKFLOW_UNAVAILABLE: {
    raisedBy: ["issuer RPC", "issuer HTTP"],
    status: 503,
    retryable: true,
    meaning: "The issuer's Workflows binding is missing or failed: the instance's status is unknown.",
    action: "Retry after a short delay; if it persists, check the issuer's Workflows binding.",
  },
  ERR_TOO_MANY_KEYS: {
    raisedBy: ["issuer HTTP"],
    status: 409,
    retryable: false,
    meaning: "An emergency rotation would publish more keys than the JWKS holds.",
    action: "Revoke the compromised key instead: that withdraws it and activates a fresh key at once.",
  },
  ERR_UNKNOWN_KEY: {
    raisedBy: ["issuer HTTP"],
    status: 404,
    retryable: false,
    meaning: "No published key has that kid.",
    action: "List the keys (`GET /admin/keys`, `wid keys`) and use a published kid.",
  },
  ERR_TOO_MANY_REVOCATIONS: {
    raisedBy: ["issuer HTTP"],
    status: 409,
    retryable: false,
    meaning: "The revocation list is full.",
    action: "Revoke by workload or workflow (a kill switch covers many tokens at once), or wait for entries to expire.",
  },
  ERR_NOT_FOUND: {
    raisedBy: ["issuer HTTP"],
    status: 404,
    retryable: false,
    meaning: "No such route.",
    action: "Use a route the detail lists; tokens are issued over the service binding, not HTTP.",
  },
  ERR_METHOD_NOT_ALLOWED: {
    raisedBy: ["issuer HTTP"],
    status: 405,
    retryable: false,
    meaning: "The route does not answer this method.",
    action: "Use a method the Allow header lists.",
  },
  ERR_ADMIN_DISABLED: {
    raisedBy: ["issuer HTTP"],
    status: 403,
    retryable: false,
    meaning: "The admin API is off: no ADMIN_TOKEN secret (or one too short) is set.",
    action: "Operators: set the ADMIN_TOKEN secret to enable it.",
  },
  ERR_ADMIN_UNAUTHORIZED: {
    raisedBy: ["issuer HTTP"],
    status: 401,
    retryable: false,
    meaning: "The admin request did not carry the admin token.",
    action: "Send `Authorization: Bearer <ADMIN_TOKEN>`.",
  },
  ERR_INTROSPECTION_DISABLED: {
    raisedBy: ["issuer HTTP"],
    status: 403,
    retryable: false,
    meaning: "No relying party may introspect: `introspectionClients` is empty.",
    action: "List the client under `introspectionClients` in the stack config and redeploy.",
  },
  ERR_INTROSPECTION_UNAUTHORIZED: {
    raisedBy: ["issuer HTTP"],
    status: 401,
    retryable: false,
    meaning: "The introspection request's client id and secret were missing or wrong.",
    action: "Authenticate with HTTP Basic: the registered client id and its secret.",
  },
  ERR_JWKS_UNAVAILABLE: {
    raisedBy: ["issuer HTTP", "verifier", "edge middleware"],
    status: 503,
    retryable: true,
    meaning: "The issuer's signing keys cannot be obtained (KV and the key store failed, or the JWKS fetch failed).",
    action: "Retry after Retry-After; the token may well be valid.",
  },
  ERR_REVOCATION_UNAVAILABLE: {
    raisedBy: ["issuer HTTP", "verifier", "edge middleware"],
    status: 503,
    retryable: true,
    meaning:
      "The revocation list or introspection answer cannot be obtained, so whether the token is active is unknown.",
    action: "Retry after Retry-After; the verifier fails closed.",
  },
  ERR_EXCHANGE_DISABLED: {
    raisedBy: ["issuer HTTP"],
    status: 403,
    retryable: false,
    meaning: "POST /token exchanges nothing: no workload of the stack has `native` settings.",
    action: "Set `workloads.<name>.native` (the issuer and subject `wrangler deploy` printed) and redeploy.",
  },
  ERR_UNSUPPORTED_GRANT_TYPE: {
    raisedBy: ["issuer HTTP"],
    status: 400,
    retryable: false,
    meaning: "POST /token was asked for a grant other than RFC 8693 token exchange (OAuth `unsupported_grant_type`).",
    action: "Send `grant_type=urn:ietf:params:oauth:grant-type:token-exchange`.",
  },
  ERR_SUBJECT_TOKEN_INVALID: {
    raisedBy: ["issuer HTTP"],
    status: 400,
    retryable: false,
    meaning:
      "The exchange's subject token is malformed, not signed by its issuer's keys, of a refused algorithm, or not addressed to this issuer (OAuth `invalid_request`).",
    action: "Present a token from the native binding whose audience is this issuer's URL.",
  },
  ERR_SUBJECT_TOKEN_EXPIRED: {
    raisedBy: ["issuer HTTP"],
    status: 400,
    retryable: false,
    meaning:
      "The subject token is expired, not yet valid, issued in the future, or (without `jti`) older than the exchange's maximum age (OAuth `invalid_request`).",
    action: "Call getToken() again and exchange the fresh token at once; check the clocks.",
  },
  ERR_SUBJECT_TOKEN_REPLAYED: {
    raisedBy: ["issuer HTTP"],
    status: 400,
    retryable: false,
    meaning: "The subject token was already exchanged once (OAuth `invalid_request`).",
    action: "Call getToken() again: every exchange takes a new native token.",
  },
  ERR_UNKNOWN_NATIVE_ISSUER: {
    raisedBy: ["issuer HTTP"],
    status: 400,
    retryable: false,
    meaning: "The subject token's `iss` is no native issuer of a registered workload (OAuth `invalid_request`).",
    action: "Set the workload's `native.issuer` to the issuer `wrangler deploy` printed, and redeploy.",
  },
  ERR_UNKNOWN_NATIVE_SUBJECT: {
    raisedBy: ["issuer HTTP"],
    status: 400,
    retryable: false,
    meaning:
      "The subject token's `sub` is no registered workload's native subject (a re-created script has a new one) (OAuth `invalid_request`).",
    action: "Set the workload's `native.subject` to the subject `wrangler deploy` printed, and redeploy.",
  },
  ERR_INVALID_TARGET: {
    raisedBy: ["issuer HTTP"],
    status: 400,
    retryable: false,
    meaning:
      "The exchange asked for an audience the workload may not have, or for a `resource` (OAuth `invalid_target`).",
    action: "Ask for one of the workload's `audiences` with `audience=`, or add it to the stack config.",
  },
  ERR_NATIVE_JWKS_UNAVAILABLE: {
    raisedBy: ["issuer HTTP"],
    status: 503,
    retryable: true,
    meaning:
      "The native issuer's discovery document or JWKS cannot be fetched, so the subject token cannot be checked.",
    action: "Retry after Retry-After.",
  },
  ERR_ACCESS_UNAVAILABLE: {
    raisedBy: ["issuer HTTP"],
    status: 503,
    retryable: true,
    meaning:
      "The operator page is opened only through Cloudflare Access (no ADMIN_TOKEN is set), and the Access team's keys (`<teamDomain>/cdn-cgi/access/certs`) cannot be fetched, so no Access JWT can be checked.",
    action:
      "Retry shortly; check the stack's `access.teamDomain`. With ADMIN_TOKEN set, the page offers its sign-in form instead.",
  },
  ERR_REPLAY_STORE_UNAVAILABLE: {
    raisedBy: ["issuer HTTP"],
    status: 503,
    retryable: true,
    meaning:
      "The store that remembers exchanged subject tokens cannot be reached or gave no answer within 2 s, so the exchange fails closed.",
    action: "Retry after Retry-After with a new native token.",
  },
  ERR_INTERNAL: {
    raisedBy: ["issuer HTTP", "edge middleware", "mTLS origin"],
    status: 500,
    retryable: false,
    meaning: "A bug: no client input leads here.",
    action: "Report it with the log line of the request (its event and error).",
  },
} as const satisfies Record<IssuerErrorCode | IssuerHttpCode, CatalogEntry>;
