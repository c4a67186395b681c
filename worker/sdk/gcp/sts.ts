// The RFC 8693 token exchange at GCP STS: the same form google-auth-library sends for an external
// account with a programmatic subject token supplier, and the strict reading of its answer.

import { GcpStsError } from "../errors.js";
import type { SdkFetch } from "../http.js";
import { presentedClaims } from "../presented-token.js";
import { callGoogle } from "./json-answer.js";
import { stsRefusalHint } from "./refusal-hints.js";

export interface FederatedToken {
  readonly accessToken: string;
  /** Seconds the token lives from the answer; undefined when STS did not say. */
  readonly expiresInSeconds: number | undefined;
}

export interface ExchangeRequest {
  readonly endpoint: string;
  /** `//iam.googleapis.com/projects/<n>/locations/global/workloadIdentityPools/<p>/providers/<q>` */
  readonly audience: string;
  readonly scopes: readonly string[];
  readonly subjectToken: string;
  readonly fetch: SdkFetch;
  readonly timeoutMs: number;
}

export async function exchangeToken(request: ExchangeRequest): Promise<FederatedToken> {
  const form = new URLSearchParams({
    grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
    audience: request.audience,
    scope: request.scopes.join(" "),
    requested_token_type: "urn:ietf:params:oauth:token-type:access_token",
    subject_token: request.subjectToken,
    subject_token_type: "urn:ietf:params:oauth:token-type:jwt",
  });
  const { body, malformed } = await callGoogle({
    service: "gcp-sts",
    url: request.endpoint,
    headers: { "content-type": "application/x-www-form-urlencoded;charset=UTF-8", accept: "application/json" },
    body: form.toString(),
    fetch: request.fetch,
    timeoutMs: request.timeoutMs,
    what: "GCP STS",
    operation: "the token exchange",
    subject: request.audience,
    hints: {},
    refused: GcpStsError,
    explain: ({ code, message }) =>
      stsRefusalHint(code, message, presentedClaims(request.subjectToken), request.audience),
  });
  if (typeof body.access_token !== "string" || body.access_token === "") throw malformed("no access_token");
  if (
    body.token_type !== undefined &&
    (typeof body.token_type !== "string" || body.token_type.toLowerCase() !== "bearer")
  ) {
    throw malformed("a token_type other than Bearer");
  }
  const expiresIn = body.expires_in;
  if (expiresIn !== undefined && (typeof expiresIn !== "number" || !Number.isFinite(expiresIn) || expiresIn <= 0)) {
    throw malformed("an expires_in that is not a positive number of seconds");
  }
  return { accessToken: body.access_token, expiresInSeconds: expiresIn };
}
