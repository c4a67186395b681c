// IAM Credentials generateAccessToken: the federated token impersonates a service account, as
// google-auth-library does with `service_account_impersonation_url`.

import { GcpIamCredentialsError } from "../errors.js";
import type { SdkFetch } from "../http.js";
import { presentedClaims } from "../presented-token.js";
import { parseUtcTimestamp } from "../timestamps.js";
import { callGoogle } from "./json-answer.js";
import { iamCredentialsRefusalHint } from "./refusal-hints.js";

export interface ImpersonationRequest {
  /** https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/<email>:generateAccessToken */
  readonly url: string;
  readonly serviceAccountEmail: string;
  readonly federatedToken: string;
  /** The workload's token the federated token was exchanged for: a refusal names its sub, aud and iss (never the token). */
  readonly subjectToken?: string;
  readonly scopes: readonly string[];
  readonly lifetimeSeconds: number;
  readonly fetch: SdkFetch;
  readonly timeoutMs: number;
}

export interface ServiceAccountToken {
  readonly accessToken: string;
  readonly expiresAtMs: number;
}

export async function generateAccessToken(request: ImpersonationRequest, nowMs: number): Promise<ServiceAccountToken> {
  const { body, malformed } = await callGoogle({
    service: "gcp-iamcredentials",
    url: request.url,
    headers: {
      "content-type": "application/json",
      accept: "application/json",
      authorization: `Bearer ${request.federatedToken}`,
    },
    body: JSON.stringify({ scope: request.scopes, lifetime: `${request.lifetimeSeconds}s` }),
    fetch: request.fetch,
    timeoutMs: request.timeoutMs,
    what: "IAM Credentials",
    operation: "generateAccessToken",
    subject: request.serviceAccountEmail,
    hints: {},
    refused: GcpIamCredentialsError,
    explain: ({ code }) =>
      iamCredentialsRefusalHint(
        code,
        request.subjectToken === undefined ? undefined : presentedClaims(request.subjectToken),
        request.serviceAccountEmail,
      ),
  });
  if (typeof body.accessToken !== "string" || body.accessToken === "") throw malformed("no accessToken");
  const expiresAtMs = typeof body.expireTime === "string" ? parseUtcTimestamp(body.expireTime) : undefined;
  if (expiresAtMs === undefined) throw malformed("no expireTime in RFC 3339 UTC form");
  if (expiresAtMs <= nowMs) throw malformed("a token that has already expired (is the clock right?)");
  return { accessToken: body.accessToken, expiresAtMs };
}
