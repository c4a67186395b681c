// What every refusal of a hostile token must look like (worker/middleware/README.md, "Refusals"):
// the status, problem+json with the stable code, the RFC 6750 WWW-Authenticate that goes with it,
// and nothing of the token in the body.

import assert from "node:assert/strict";

export interface Answer {
  readonly status: number;
  readonly contentType: string | null;
  readonly wwwAuthenticate: string | null;
  readonly body: string;
}

const REALM = 'Bearer realm="worker-identity"';
const INSUFFICIENT_SCOPE = new Set(["ERR_NO_RULE", "ERR_RULE_REFUSED", "ERR_TOKEN_SUBJECT"]);

/** The WWW-Authenticate a refusal with `code` carries. */
export function expectedChallenge(code: string): string {
  if (code === "ERR_NO_TOKEN") return REALM;
  if (code === "ERR_AUTHORIZATION_HEADER") return `${REALM}, error="invalid_request"`;
  return `${REALM}, error="${INSUFFICIENT_SCOPE.has(code) ? "insufficient_scope" : "invalid_token"}"`;
}

/**
 * The pieces of what was sent that an answer must never echo: every run of token characters of
 * 8 or more (the token, a header value's credentials, a query value) and each dot-separated
 * segment of such a run. Shorter pieces are left out: "e30" or "Bearer" may occur by chance.
 */
export function secretsOf(sent: { readonly authorization: readonly string[]; readonly query?: string }): string[] {
  const found = new Set<string>();
  for (const text of [...sent.authorization, sent.query ?? ""]) {
    for (const run of text.match(/[A-Za-z0-9._~+/=-]{8,}/g) ?? []) {
      found.add(run);
      for (const segment of run.split(".")) if (segment.length >= 8) found.add(segment);
    }
  }
  return [...found];
}

/** Asserts that `answer` refuses with `status` (or any of `status`) and `code` (when given). */
export function refusalOf(
  answer: Answer,
  status: number | readonly number[],
  code: string | undefined,
  secrets: readonly string[],
): void {
  const statuses = typeof status === "number" ? [status] : status;
  assert.ok(
    statuses.includes(answer.status),
    `status ${answer.status}, expected ${statuses.join(" or ")}: ${answer.body.slice(0, 300)}`,
  );
  assert.equal(answer.contentType, "application/problem+json");
  for (const secret of secrets) assert.ok(!answer.body.includes(secret), `the body echoes ${secret.slice(0, 24)}…`);
  const problem = JSON.parse(answer.body) as { status: unknown; code: unknown; type: unknown };
  assert.equal(problem.status, answer.status);
  if (code !== undefined) assert.equal(problem.code, code);
  assert.equal(problem.type, `urn:worker-identity:problem:${String(problem.code)}`);
  assert.equal(answer.wwwAuthenticate, expectedChallenge(String(problem.code)));
}
