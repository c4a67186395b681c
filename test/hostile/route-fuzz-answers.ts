// The route fuzz's two ends: a request sent exactly as written (node:http over a fresh socket, so
// the request-target, the method's case and obs-text header values reach workerd untouched), and
// what every answer must look like: no 5xx, problem+json with a code for every 4xx, and nothing
// of a stack trace in any body.

import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import { sendRawHttp } from "../support/raw-http.js";
import type { WireRequest } from "./route-fuzz-inputs.js";

export interface WireAnswer {
  readonly status: number;
  readonly contentType: string | undefined;
  readonly body: string;
}

/** Longer than any answer of a healthy local stack takes; a hang is a failure, not a wait. */
const ANSWER_TIMEOUT_MS = 15_000;

export function sendRaw(port: number, host: string, request: WireRequest): Promise<WireAnswer> {
  const headers = [["host", host], ...request.headers].flat();
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: "127.0.0.1", port, method: request.method, path: request.target, headers, setHost: false, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", reject);
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: res.headers["content-type"],
            body: Buffer.concat(chunks).toString("utf8"),
          }),
        );
      },
    );
    req.setTimeout(ANSWER_TIMEOUT_MS, () => req.destroy(new Error(`no answer within ${ANSWER_TIMEOUT_MS} ms`)));
    req.on("error", reject);
    req.end(request.body === undefined ? undefined : Buffer.from(request.body));
  });
}

/**
 * A request written byte for byte on a socket (`head` without its blank line), for what no client
 * library writes: a chunked body whose framing breaks off, or one the server stops reading. The
 * connection closes after the answer; a server that stops reading may reset it once it has
 * answered, so an answer complete by its Content-Length counts even if a reset follows.
 */
export async function sendFramed(port: number, head: string, rest: string): Promise<WireAnswer> {
  const answer = await sendRawHttp(port, `${head}\r\nConnection: close\r\n\r\n${rest}`, {
    timeoutMs: ANSWER_TIMEOUT_MS,
  });
  return { status: answer.status, contentType: answer.header("content-type"), body: answer.body };
}

/** What a stack trace, a source location or a runtime error message looks like in a body. */
const TRACE_SIGNS: readonly [RegExp, string][] = [
  [/\n\s*at \S/, "a stack frame line"],
  [/\bat (?:async )?\S+ \(/, "a stack frame"],
  [/\.(?:[cm]?[jt]s|c\+\+):\d+/, "a source file and line"],
  [/file:\/\/|\/work\/|node_modules|workerd\//, "a file path"],
  [/\b[A-Z][A-Za-z]*Error: |\bError: /, "an error's name and message"],
  [/Uncaught|Internal Server Error/, "a runtime error page"],
];

/**
 * Asserts the rules for every answer. `forwarded`: the answer came from the origin behind the
 * middleware (which echoes the request, so its body is not ours to judge).
 */
export function assertAnswered(answer: WireAnswer, method: string, forwarded: boolean): void {
  assert.ok(answer.status < 500, `status ${answer.status}: ${answer.body.slice(0, 400)}`);
  if (!forwarded) {
    for (const [sign, what] of TRACE_SIGNS)
      assert.doesNotMatch(answer.body, sign, `the body shows ${what}: ${answer.body.slice(0, 400)}`);
  }
  if (answer.status < 400) return;
  assert.equal(
    answer.contentType,
    "application/problem+json",
    `a ${answer.status} that is not problem+json: ${answer.body.slice(0, 200)}`,
  );
  if (method.toUpperCase() === "HEAD") return; // no body to read
  const problem = JSON.parse(answer.body) as Record<string, unknown>;
  assert.equal(problem.status, answer.status);
  assert.match(String(problem.code), /^ERR_[A-Z_]+$/, "the problem has a stable code");
  assert.equal(problem.type, `urn:worker-identity:problem:${String(problem.code)}`);
  assert.ok(typeof problem.detail === "string" && problem.detail.length > 0, "the problem says what is wrong");
}
