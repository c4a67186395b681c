// Shared by the hostile request tests against the edge middleware in workerd (request shapes and
// overrides): one middleware per suite, started before it and stopped after, and the two ways they
// send it a request: through fetch, or as bytes written to its socket.

import {
  type ForwardedRequest,
  MiddlewareHarness,
  type MiddlewareHarnessOptions,
} from "../support/middleware-harness.js";
import { sendRawHttp } from "../support/raw-http.js";

/**
 * The rules both suites start with (rules[0] to rules[3]): a public health check, a protected GET
 * and, on one path, an earlier, stricter DELETE rule (billing) beside a POST,DELETE one (edge-api).
 */
export const EDGE_API_RULES = [
  { methods: ["GET", "HEAD"], path: "/health", public: true },
  { methods: ["GET"], path: "/reports/*", allow: { workloads: ["edge-api"] } },
  { methods: ["DELETE"], path: "/items/:id", allow: { workloads: ["billing"] } },
  { methods: ["POST", "DELETE"], path: "/items/*", allow: { workloads: ["edge-api"] } },
] as const;

/** What came back: the status, the refusal code of a problem+json body, and the body. */
export interface Answer {
  readonly status: number;
  readonly contentType: string | undefined;
  readonly code: string | undefined;
  readonly wwwAuthenticate?: string | undefined;
  readonly body: string;
}

const problemCode = (contentType: string | undefined, body: string) =>
  /^application\/problem\+json/i.test(contentType ?? "") ? (JSON.parse(body) as { code?: string }).code : undefined;

/**
 * Bytes written to the middleware's socket as they are, `body` after the head; the answer parsed
 * back. `end: false` leaves the socket open after the bytes: with no body after the head, a large
 * Content-Length is a promise the middleware must not wait for (workerd resets a connection whose
 * body it has not read, so a client that really sent 70 KB could lose the answer).
 */
export async function rawRequest(port: number, head: string, options: { body?: string; end?: boolean } = {}) {
  const answer = await sendRawHttp(port, `${head}Connection: close\r\n\r\n${options.body ?? ""}`, {
    ...(options.end === false ? { end: false } : {}),
    encoding: "latin1",
  });
  const contentType = answer.header("content-type");
  return {
    status: answer.status,
    contentType,
    code: problemCode(contentType, answer.body),
    wwwAuthenticate: answer.header("www-authenticate"),
    body: answer.body,
  } satisfies Answer;
}

/**
 * Starts the middleware with `rules` before the enclosing suite and stops it after, with an
 * admitted edge-api token (for `audience`, API_AUDIENCE unless told); `send` answers what came back through
 * fetch and what the origin received.
 */
export function middlewareSuite(
  rules: MiddlewareHarnessOptions["rules"],
  audience?: string,
  tokenOptions?: { lifetimeSeconds?: number },
) {
  let h: MiddlewareHarness;
  let token: string;

  before(async () => {
    h = await MiddlewareHarness.start({ rules });
    token = await h.token("edge-api", audience, tokenOptions);
  });
  after(async () => h?.dispose());

  async function send(
    method: string,
    path: string,
    init: { headers?: [string, string][]; body?: string | Uint8Array | FormData } = {},
  ): Promise<{ answer: Answer; forwarded: ForwardedRequest[] }> {
    const before = h.forwarded.length;
    const response = await h.request(path, {
      method,
      headers: init.headers ?? [],
      ...(init.body !== undefined ? { body: init.body } : {}),
    });
    const body = await response.text();
    const contentType = response.headers.get("content-type") ?? undefined;
    return {
      answer: { status: response.status, contentType, code: problemCode(contentType, body), body },
      forwarded: h.forwarded.slice(before),
    };
  }

  return {
    get harness() {
      return h;
    },
    get token() {
      return token;
    },
    send,
    bearer: (): [string, string] => ["authorization", `Bearer ${token}`],
    /** The middleware.refused log lines that `requests` caused (the logs settled before and after). */
    async refusalsDuring(requests: () => Promise<void>) {
      await h.settleLogs();
      const before = h.events("middleware.refused").length;
      await requests();
      await h.settleLogs();
      return h.events("middleware.refused").slice(before);
    },
  };
}
