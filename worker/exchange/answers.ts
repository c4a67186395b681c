// The answers of POST /token: RFC 8693 §2.2.1 JSON when a token is issued, and otherwise the
// issuer's problem+json (its status and title from worker/http/issuer-problems.ts) with the OAuth
// `error` member (RFC 6749 §5.2, RFC 8693 §2.2.2) and `error_description`, so an OAuth client and
// a problem+json reader both find what they look for. Neither ever carries the subject token.

import { ISSUER_PROBLEMS, type IssuerAnswerCode, issuerProblem } from "../http/issuer-problems.js";
import { JWT_TOKEN_TYPE } from "./request.js";

/** RFC 6749 §5.2 and RFC 8693 §2.2.2 error codes this endpoint answers with. */
export type OAuthError =
  | "invalid_request"
  | "invalid_target"
  | "invalid_scope"
  | "unsupported_grant_type"
  | "temporarily_unavailable"
  | "server_error";

/** The problem+json answer for `code`, with `error` (and `error_description`) for OAuth clients. */
export async function exchangeProblem(code: IssuerAnswerCode, detail: string, error?: OAuthError): Promise<Response> {
  const answer = issuerProblem(code, detail);
  const status = ISSUER_PROBLEMS[code]?.status ?? 500;
  const oauth =
    error ?? (status === 503 ? "temporarily_unavailable" : status >= 500 ? "server_error" : "invalid_request");
  const body = { ...((await answer.json()) as Record<string, unknown>), error: oauth, error_description: detail };
  return new Response(JSON.stringify(body), { status: answer.status, headers: answer.headers });
}

/** RFC 8693 §2.2.1: the issued token, never cached by anyone (RFC 6749 §5.1). */
export function exchangeAnswer(token: string, expiresAt: number, nowSeconds: number): Response {
  return Response.json(
    {
      access_token: token,
      issued_token_type: JWT_TOKEN_TYPE,
      // RFC 8693 §2.2.1: not an OAuth access token usable as a bearer token of some scheme here.
      token_type: "N_A",
      expires_in: Math.max(0, expiresAt - nowSeconds),
    },
    { headers: { "cache-control": "no-store", pragma: "no-cache" } },
  );
}
