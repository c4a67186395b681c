// The SDK's only way out to the clouds' token services: one POST with a timeout, the answer read
// as text with a size cap. A request that gets no answer becomes ServiceUnreachableError.

import { type IdentityService, MalformedResponseError, ServiceUnreachableError } from "./errors.js";

/**
 * How the SDK sends HTTP requests: the global fetch by default. It is called as a plain function,
 * so pass `(input, init) => myFetch(input, init)` rather than an unbound method.
 */
export type SdkFetch = (input: string | Request, init?: RequestInit) => Promise<Response>;

/** The token services answer a few KiB; anything far larger is not their answer. */
const MAX_ANSWER_BYTES = 256 * 1024;

export interface Answer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

export interface PostRequest {
  readonly service: IdentityService;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly fetch: SdkFetch;
  readonly timeoutMs: number;
}

export async function post(request: PostRequest): Promise<Answer> {
  let response: Response;
  try {
    response = await request.fetch(request.url, {
      method: "POST",
      headers: request.headers,
      body: request.body,
      redirect: "manual",
      signal: AbortSignal.timeout(request.timeoutMs),
    });
  } catch (error) {
    const timedOut = error instanceof Error && error.name === "TimeoutError";
    const why = timedOut ? `no answer within ${request.timeoutMs / 1_000} s` : describe(error);
    throw new ServiceUnreachableError(request.service, `${hostOf(request.url)} could not be reached: ${why}`, error);
  }
  const declared = Number(response.headers.get("content-length") ?? "0");
  if (declared > MAX_ANSWER_BYTES) {
    await response.body?.cancel();
    throw new MalformedResponseError(
      request.service,
      response.status,
      `${hostOf(request.url)} answered with ${declared} bytes, far more than a token answer`,
    );
  }
  const body = await response.text();
  if (body.length > MAX_ANSWER_BYTES) {
    throw new MalformedResponseError(
      request.service,
      response.status,
      `${hostOf(request.url)} answered with more than ${MAX_ANSWER_BYTES} bytes`,
    );
  }
  return { status: response.status, contentType: response.headers.get("content-type") ?? "", body };
}

export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return "the endpoint";
  }
}

function describe(error: unknown): string {
  if (error instanceof Error)
    return error.cause instanceof Error ? `${error.message} (${error.cause.message})` : error.message;
  return String(error);
}
