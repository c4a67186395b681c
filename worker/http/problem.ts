// RFC 9457 problem details: every error answer of the issuer and the edge middleware.
// The body names the problem and the fix; it never echoes a token or a secret.

import type { ErrorCode } from "../error-codes/index.js";

export interface Problem {
  readonly status: number;
  /** A short, stable summary of the problem type. */
  readonly title: string;
  /** What went wrong in this request, and how to fix it. */
  readonly detail: string;
  /** A stable machine-readable code, such as ERR_UNKNOWN_KEY (ERRORS.md lists them all). */
  readonly code?: ErrorCode;
}

const PROBLEM_CONTENT_TYPE = "application/problem+json";

export function problemResponse(problem: Problem, headers: ConstructorParameters<typeof Headers>[0] = {}): Response {
  const body = {
    type: problem.code ? `urn:worker-identity:problem:${problem.code}` : "about:blank",
    title: problem.title,
    status: problem.status,
    detail: problem.detail,
    ...(problem.code ? { code: problem.code } : {}),
  };
  const merged = new Headers(headers);
  merged.set("content-type", PROBLEM_CONTENT_TYPE);
  merged.set("cache-control", "no-store");
  return new Response(JSON.stringify(body), { status: problem.status, headers: merged });
}
