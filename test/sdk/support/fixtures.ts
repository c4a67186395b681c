// Answers in the documented formats of AWS STS (query protocol XML: AssumeRoleWithWebIdentity
// response, <ErrorResponse>), GCP STS (RFC 8693 success, RFC 6749 error) and IAM Credentials
// (GenerateAccessTokenResponse, Google API error), plus a fake issuer binding with a movable clock.

import type { IssuedToken, IssuerBinding, TokenOptions } from "@worker-identity/sdk";
import type { ScriptedAnswer } from "./loopback.js";

export const ROLE_ARN = "arn:aws:iam::123456789012:role/wid-billing";
export const PROVIDER =
  "projects/123456789012/locations/global/workloadIdentityPools/worker-identity/providers/worker-identity";
export const GCP_AUDIENCE = `//iam.googleapis.com/${PROVIDER}`;
export const SERVICE_ACCOUNT = "wid-billing@my-project.iam.gserviceaccount.com";
export const CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform";

export { type AwsSuccess, assumeRoleXml } from "./aws-sts-xml.js";

export function awsErrorAnswer(status: number, type: string, code: string, message: string): ScriptedAnswer {
  return {
    status,
    body: `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error>
    <Type>${type}</Type>
    <Code>${code}</Code>
    <Message>${message}</Message>
  </Error>
  <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>
</ErrorResponse>`,
  };
}

export function json(status: number, body: unknown): ScriptedAnswer {
  return { status, contentType: "application/json; charset=utf-8", body: JSON.stringify(body) };
}

export function gcpStsSuccess(accessToken: string, expiresIn = 3600): ScriptedAnswer {
  return json(200, {
    access_token: accessToken,
    issued_token_type: "urn:ietf:params:oauth:token-type:access_token",
    token_type: "Bearer",
    expires_in: expiresIn,
  });
}

export function generateAccessTokenSuccess(accessToken: string, expireTime: string): ScriptedAnswer {
  return json(200, { accessToken, expireTime });
}

export function googleApiError(code: number, status: string, message: string): ScriptedAnswer {
  return json(code, { error: { code, message, status } });
}

export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** A movable clock for `identity(..., { now })`. */
export class TestClock {
  constructor(public ms = Date.UTC(2026, 4, 1, 12, 0, 0)) {}
  readonly now = (): number => this.ms;
  advance(seconds: number): void {
    this.ms += seconds * 1_000;
  }
}

/**
 * An issuer binding that signs nothing: it hands out distinct compact-JWS-shaped strings that
 * expire `lifetimeSeconds` after the clock's now, counts calls, and refuses like the issuer when
 * told to (an Error whose message carries the code, as it arrives over RPC).
 */
export class FakeIssuer implements IssuerBinding {
  calls: { audience: string; options: TokenOptions | undefined }[] = [];
  issued: IssuedToken[] = [];
  refusal: string | undefined;
  /** Hand out this text instead of a numbered token. */
  fixedToken: string | undefined;
  lifetimeSeconds = 300;
  /** Resolves each call's answer only when released (for concurrency tests); undefined: at once. */
  gate: Promise<void> | undefined;

  constructor(private readonly clock: TestClock) {}

  async token(audience: string, options?: TokenOptions): Promise<IssuedToken> {
    this.calls.push({ audience, options });
    const n = this.calls.length;
    await this.gate;
    if (this.refusal !== undefined) throw new Error(this.refusal);
    const expiresAt = Math.floor(this.clock.ms / 1_000) + (options?.lifetimeSeconds ?? this.lifetimeSeconds);
    const issued = { token: this.fixedToken ?? `eyJhbGciOiJSUzI1NiJ9.eyJuIjo${n}fQ.sig${n}`, expiresAt };
    this.issued.push(issued);
    return issued;
  }
}
