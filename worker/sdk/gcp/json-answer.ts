// Reading the JSON answers of Google's token services: a JSON object, and the two error shapes
// Google uses, RFC 6749 `{error, error_description}` (sts.googleapis.com) and the Google API
// `{error: {code, message, status}}` (iamcredentials, and sts for errors outside OAuth).

import { type IdentityService, isRetryableStatus, MalformedResponseError, type RefusalExplanation } from "../errors.js";
import { type Answer, type PostRequest, post } from "../http.js";
import { toldOf } from "../presented-token.js";

export interface GoogleErrorFields {
  /** `invalid_grant`, `PERMISSION_DENIED`, ... */
  readonly code: string;
  readonly message: string;
}

export type JsonObject = Readonly<Record<string, unknown>>;

/** The answer's JSON object, or a MalformedResponseError naming what it was instead. */
export function jsonObject(answer: Answer, service: IdentityService, what: string): JsonObject {
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.body);
  } catch {
    throw new MalformedResponseError(
      service,
      answer.status,
      `${what} answered (HTTP ${answer.status}) with a body that is not JSON`,
    );
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new MalformedResponseError(
      service,
      answer.status,
      `${what} answered (HTTP ${answer.status}) with JSON that is not an object`,
    );
  }
  return parsed as JsonObject;
}

/** The error an answer carries in either of Google's shapes, or undefined. */
export function googleError(body: JsonObject): GoogleErrorFields | undefined {
  const error = body.error;
  if (typeof error === "string" && error !== "") {
    return { code: error, message: typeof body.error_description === "string" ? body.error_description : "" };
  }
  if (typeof error === "object" && error !== null && !Array.isArray(error)) {
    const fields = error as Record<string, unknown>;
    const status = typeof fields.status === "string" && fields.status !== "" ? fields.status : undefined;
    const numeric = typeof fields.code === "number" ? `HTTP_${fields.code}` : undefined;
    const code = status ?? numeric;
    if (code === undefined) return undefined;
    return { code, message: typeof fields.message === "string" ? fields.message : "" };
  }
  return undefined;
}

/** Google's codes for transient failures (besides 429 and 5xx statuses). */
export const RETRYABLE_GOOGLE_CODES: ReadonlySet<string> = new Set([
  "RESOURCE_EXHAUSTED",
  "UNAVAILABLE",
  "DEADLINE_EXCEEDED",
  "INTERNAL",
  "temporarily_unavailable",
]);

export interface GoogleRefusal extends GoogleErrorFields {
  readonly retryable: boolean;
  /** `: <message>` and ` (<hint>)` when there are any, for the error's own sentence. */
  readonly suffix: string;
}

/**
 * The refusal an answer carries, or undefined for a success. A non-2xx answer without an error
 * document is a MalformedResponseError; `hints` are the service's advice by error code.
 */
export function googleRefusal(
  answer: Answer,
  body: JsonObject,
  service: IdentityService,
  what: string,
  hints: Readonly<Record<string, string>>,
): GoogleRefusal | undefined {
  const error = googleError(body);
  const ok = answer.status >= 200 && answer.status <= 299;
  if (!error && ok) return undefined;
  if (!error)
    throw new MalformedResponseError(
      service,
      answer.status,
      `${what} answered HTTP ${answer.status} without an error document`,
    );
  const hint = hints[error.code];
  return {
    ...error,
    retryable: RETRYABLE_GOOGLE_CODES.has(error.code) || isRetryableStatus(answer.status),
    suffix: `${error.message ? `: ${error.message}` : ""}${hint ? ` (${hint})` : ""}`,
  };
}

/** The error class a service's refusals become: GcpStsError or GcpIamCredentialsError. */
export type RefusalError = new (
  status: number,
  serviceCode: string,
  serviceMessage: string,
  retryable: boolean,
  detail: string,
  explanation?: RefusalExplanation,
) => Error;

export interface GoogleCall extends PostRequest {
  /** The service as sentences name it: `GCP STS`, `IAM Credentials`. */
  readonly what: string;
  /** The call as sentences name it: `the token exchange`, `generateAccessToken`. */
  readonly operation: string;
  /** What the call was for (an audience, a service account), named in a refusal. */
  readonly subject: string;
  readonly hints: Readonly<Record<string, string>>;
  readonly refused: RefusalError;
  /** The refusal explained from the token's claims (refusal-hints.ts); its hint replaces `hints`' advice. */
  readonly explain?: (refusal: GoogleErrorFields) => RefusalExplanation;
}

export interface GoogleSuccess {
  readonly body: JsonObject;
  /** A MalformedResponseError saying the success answer came `with <why>`. */
  readonly malformed: (why: string) => MalformedResponseError;
}

/** POSTs the call and reads a success's JSON object; a refusal throws `call.refused`. */
export async function callGoogle(call: GoogleCall): Promise<GoogleSuccess> {
  const answer = await post(call);
  const body = jsonObject(answer, call.service, call.what);
  const refusal = googleRefusal(answer, body, call.service, call.what, call.hints);
  if (refusal) {
    const explanation = call.explain?.(refusal);
    const said = `${call.what} refused ${call.operation} for ${call.subject}: ${refusal.code}`;
    // One line tells the story: what the service said, what the token presented, and the likely mismatch.
    const detail =
      explanation === undefined
        ? `${said}${refusal.suffix}`
        : `${said}${refusal.message ? `: ${refusal.message}` : ""}${toldOf(explanation)}`;
    throw new call.refused(answer.status, refusal.code, refusal.message, refusal.retryable, detail, explanation);
  }
  return {
    body,
    malformed: (why) =>
      new MalformedResponseError(call.service, answer.status, `${call.what} answered ${call.operation} with ${why}`),
  };
}
