// AssumeRoleWithWebIdentity: the unsigned form POST to STS (the same body @aws-sdk/client-sts
// sends) and the strict reading of its XML answer, success or <ErrorResponse>.

import { AwsStsError, isRetryableStatus, MalformedResponseError } from "../errors.js";
import { type Answer, post, type SdkFetch } from "../http.js";
import { type PresentedClaims, presentedClaims, toldOf } from "../presented-token.js";
import { parseUtcTimestamp } from "../timestamps.js";
import { assumeRoleRefusalHint } from "./refusal-hint.js";
import { childElement, leafText, parseXml, type XmlElement, XmlError } from "./xml.js";

export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  /** When the credentials expire, in seconds since the epoch (as the issuer's `expiresAt`). */
  readonly expiresAt: number;
  /** arn:aws:sts::<account>:assumed-role/<role>/<session name> */
  readonly assumedRoleArn: string | undefined;
  readonly assumedRoleId: string | undefined;
  /** The token's `sub` as STS read it: this Worker's subject. */
  readonly subjectFromWebIdentityToken: string | undefined;
}

export interface AssumeRoleRequest {
  readonly endpoint: string;
  readonly roleArn: string;
  readonly sessionName: string;
  readonly durationSeconds: number;
  readonly webIdentityToken: string;
  readonly fetch: SdkFetch;
  readonly timeoutMs: number;
}

/** Codes STS documents as transient: the same call may succeed a little later. */
const RETRYABLE_CODES = new Set([
  "Throttling",
  "ThrottlingException",
  "IDPCommunicationError",
  "ServiceUnavailable",
  "InternalFailure",
]);
export async function assumeRoleWithWebIdentity(request: AssumeRoleRequest, nowMs: number): Promise<AwsCredentials> {
  const form = new URLSearchParams({
    Action: "AssumeRoleWithWebIdentity",
    Version: "2011-06-15",
    RoleArn: request.roleArn,
    RoleSessionName: request.sessionName,
    WebIdentityToken: request.webIdentityToken,
    DurationSeconds: String(request.durationSeconds),
  });
  const answer = await post({
    service: "aws-sts",
    url: request.endpoint,
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: form.toString(),
    fetch: request.fetch,
    timeoutMs: request.timeoutMs,
  });
  return readAssumeRoleAnswer(answer, request.roleArn, nowMs, presentedClaims(request.webIdentityToken));
}

/**
 * The credentials in a 2xx answer, or the typed error an error answer stands for; a refusal names
 * the `presented` claims of the token (never the token) and the likely mismatch.
 */
export function readAssumeRoleAnswer(
  answer: Answer,
  roleArn: string,
  nowMs: number,
  presented?: PresentedClaims,
): AwsCredentials {
  const malformed = (why: string) =>
    new MalformedResponseError(
      "aws-sts",
      answer.status,
      `AWS STS answered AssumeRoleWithWebIdentity (HTTP ${answer.status}) with ${why}`,
    );
  let root: XmlElement;
  try {
    root = parseXml(answer.body);
  } catch (error) {
    throw malformed(
      error instanceof XmlError ? `a document that is not XML: ${error.message}` : "an unreadable document",
    );
  }
  try {
    if (root.name === "ErrorResponse") throw stsError(answer.status, root, roleArn, presented);
    if (answer.status < 200 || answer.status > 299)
      throw malformed(`<${root.name}> where <ErrorResponse> was expected`);
    if (root.name !== "AssumeRoleWithWebIdentityResponse")
      throw malformed(`<${root.name}>, not <AssumeRoleWithWebIdentityResponse>`);
    const result = childElement(root, "AssumeRoleWithWebIdentityResult");
    const credentials = result && childElement(result, "Credentials");
    if (!result || !credentials) throw malformed("no <AssumeRoleWithWebIdentityResult><Credentials>");
    const required = (name: string): string => {
      const element = childElement(credentials, name);
      const value = element && leafText(element).trim();
      if (!value) throw malformed(`no <Credentials><${name}>`);
      return value;
    };
    const expiration = required("Expiration");
    const expiresAtMs = parseUtcTimestamp(expiration);
    if (expiresAtMs === undefined) throw malformed(`an <Expiration> that is not an ISO 8601 UTC time`);
    if (expiresAtMs <= nowMs) throw malformed("credentials that have already expired (is the clock right?)");
    const user = childElement(result, "AssumedRoleUser");
    const optional = (parent: XmlElement | undefined, name: string): string | undefined => {
      const element = parent && childElement(parent, name);
      return element ? leafText(element).trim() || undefined : undefined;
    };
    return Object.freeze({
      accessKeyId: required("AccessKeyId"),
      secretAccessKey: required("SecretAccessKey"),
      sessionToken: required("SessionToken"),
      expiresAt: Math.floor(expiresAtMs / 1_000),
      assumedRoleArn: optional(user, "Arn"),
      assumedRoleId: optional(user, "AssumedRoleId"),
      subjectFromWebIdentityToken: optional(result, "SubjectFromWebIdentityToken"),
    });
  } catch (error) {
    if (error instanceof XmlError) throw malformed(`an unexpected shape: ${error.message}`);
    throw error;
  }
}

function stsError(
  status: number,
  root: XmlElement,
  roleArn: string,
  presented: PresentedClaims | undefined,
): AwsStsError | MalformedResponseError {
  const error = childElement(root, "Error");
  const text = (parent: XmlElement | undefined, name: string) => {
    const element = parent && childElement(parent, name);
    return element ? leafText(element).trim() : "";
  };
  const code = text(error, "Code");
  if (!code)
    return new MalformedResponseError(
      "aws-sts",
      status,
      `AWS STS answered (HTTP ${status}) with an <ErrorResponse> without <Error><Code>`,
    );
  const message = text(error, "Message");
  const type = text(error, "Type") || undefined;
  const requestId = text(root, "RequestId") || text(childElement(root, "ResponseMetadata"), "RequestId") || undefined;
  const explanation = assumeRoleRefusalHint(code, message, presented, roleArn);
  // One line tells the story: what STS said, what the token presented, and the likely mismatch.
  const told = toldOf(explanation);
  const detail =
    `AWS STS refused AssumeRoleWithWebIdentity for ${roleArn}: ${code}${message ? `: ${message}` : ""}` +
    `${told}${requestId ? ` [request id ${requestId}]` : ""}`;
  return new AwsStsError(
    status,
    code,
    message,
    type,
    requestId,
    RETRYABLE_CODES.has(code) || isRetryableStatus(status),
    detail,
    explanation,
  );
}
