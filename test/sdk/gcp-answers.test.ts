// gcpAccessToken against loopback GCP STS and IAM Credentials replaying the documented answers:
// RFC 8693 success, RFC 6749 errors (`{error, error_description}`), Google API errors
// (`{error: {code, message, status}}`), GenerateAccessTokenResponse, and malformed answers.

import assert from "node:assert/strict";
import {
  type GcpAccessTokenOptions,
  GcpIamCredentialsError,
  GcpStsError,
  identity,
  MalformedResponseError,
} from "@worker-identity/sdk";
import {
  FakeIssuer,
  gcpStsSuccess,
  generateAccessTokenSuccess,
  googleApiError,
  isoSeconds,
  json,
  PROVIDER,
  SERVICE_ACCOUNT,
  TestClock,
} from "./support/fixtures.js";
import { LoopbackServer, type ScriptedAnswer } from "./support/loopback.js";

describe("gcpAccessToken: GCP answers", () => {
  let server: LoopbackServer;
  let clock: TestClock;
  let issuer: FakeIssuer;
  let sts: () => ScriptedAnswer;
  let iam: () => ScriptedAnswer;

  before(async () => {
    server = await LoopbackServer.start((request) => (request.path === "/v1/token" ? sts() : iam()));
  });
  beforeEach(() => {
    server.requests.splice(0);
    clock = new TestClock();
    issuer = new FakeIssuer(clock);
    sts = () => gcpStsSuccess("federated-token");
    iam = () => generateAccessTokenSuccess("sa-token", isoSeconds(clock.ms + 3_600_000));
  });
  after(() => server?.close());

  function accessToken(extra: Partial<GcpAccessTokenOptions> = {}) {
    return identity(issuer, { now: clock.now }).gcpAccessToken({
      providerResourceName: PROVIDER,
      serviceAccountEmail: SERVICE_ACCOUNT,
      stsEndpoint: `${server.url}/v1/token`,
      iamCredentialsEndpoint: server.url,
      ...extra,
    });
  }

  async function failure(promise: Promise<unknown>): Promise<unknown> {
    return promise.then(
      () => assert.fail("expected a failure"),
      (e: unknown) => e,
    );
  }

  it("impersonates the service account: its token and expireTime (fractional seconds allowed)", async () => {
    iam = () =>
      generateAccessTokenSuccess("sa-token", new Date(clock.ms + 1_800_000).toISOString().replace("Z", "456789Z"));
    const token = await accessToken({ lifetimeSeconds: 1800 });
    assert.deepEqual(token, {
      accessToken: "sa-token",
      expiresAt: Math.floor(clock.ms / 1_000) + 1_800,
      serviceAccountEmail: SERVICE_ACCOUNT,
    });
    assert.equal(JSON.parse(server.requests[1]!.body).lifetime, "1800s");
  });

  it("without a service account: the federated token, expiring expires_in from now", async () => {
    sts = () => gcpStsSuccess("federated-token", 3599);
    const token = await identity(issuer, { now: clock.now }).gcpAccessToken({
      providerResourceName: PROVIDER,
      stsEndpoint: `${server.url}/v1/token`,
    });
    assert.deepEqual(token, {
      accessToken: "federated-token",
      expiresAt: Math.floor(clock.ms / 1_000) + 3_599,
      serviceAccountEmail: undefined,
    });
    assert.equal(server.requests.length, 1);
  });

  const stsRefusals: { name: string; answer: ScriptedAnswer; code: string; message: string; retryable: boolean }[] = [
    {
      name: "an expired token (invalid_grant)",
      answer: json(400, { error: "invalid_grant", error_description: "The access token has expired." }),
      code: "invalid_grant",
      message: "The access token has expired.",
      retryable: false,
    },
    {
      name: "an unknown provider (invalid_target)",
      answer: json(400, {
        error: "invalid_target",
        error_description: 'The target service indicated by the "audience" parameters is invalid.',
      }),
      code: "invalid_target",
      message: 'The target service indicated by the "audience" parameters is invalid.',
      retryable: false,
    },
    {
      name: "a refused attribute condition (unauthorized_client)",
      answer: json(400, {
        error: "unauthorized_client",
        error_description: "The given credential is rejected by the attribute condition.",
      }),
      code: "unauthorized_client",
      message: "The given credential is rejected by the attribute condition.",
      retryable: false,
    },
    {
      name: "throttling (a Google API error)",
      answer: googleApiError(429, "RESOURCE_EXHAUSTED", "Quota exceeded"),
      code: "RESOURCE_EXHAUSTED",
      message: "Quota exceeded",
      retryable: true,
    },
    {
      name: "an outage",
      answer: googleApiError(503, "UNAVAILABLE", "The service is currently unavailable."),
      code: "UNAVAILABLE",
      message: "The service is currently unavailable.",
      retryable: true,
    },
  ];
  for (const refusal of stsRefusals) {
    it(`STS: ${refusal.name} becomes a GcpStsError with GCP's code and message`, async () => {
      sts = () => refusal.answer;
      const error = await failure(accessToken());
      assert.ok(error instanceof GcpStsError, String(error));
      assert.deepEqual(
        [error.code, error.service, error.status, error.serviceCode, error.serviceMessage, error.retryable],
        ["ERR_GCP_STS", "gcp-sts", refusal.answer.status, refusal.code, refusal.message, refusal.retryable],
      );
      assert.match(error.message, new RegExp(`for //iam.googleapis.com/${PROVIDER}: ${refusal.code}`));
      assert.ok(!error.message.includes(issuer.issued[0]!.token));
      assert.equal(server.requestsTo("/v1/projects").length, 0, "no impersonation after a failed exchange");
    });
  }

  const iamRefusals: { name: string; answer: ScriptedAnswer; code: string; retryable: boolean; hint: RegExp }[] = [
    {
      name: "access denied",
      answer: googleApiError(
        403,
        "PERMISSION_DENIED",
        "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).",
      ),
      code: "PERMISSION_DENIED",
      retryable: false,
      hint: /roles\/iam.workloadIdentityUser/,
    },
    {
      name: "an expired federated token",
      answer: googleApiError(401, "UNAUTHENTICATED", "Request had invalid authentication credentials."),
      code: "UNAUTHENTICATED",
      retryable: false,
      hint: /generateAccessToken for/,
    },
    {
      name: "a lifetime beyond policy",
      answer: googleApiError(400, "INVALID_ARGUMENT", "Request contains an invalid argument."),
      code: "INVALID_ARGUMENT",
      retryable: false,
      hint: /allowServiceAccountCredentialLifetimeExtension/,
    },
    {
      name: "throttling",
      answer: googleApiError(429, "RESOURCE_EXHAUSTED", "Quota exceeded"),
      code: "RESOURCE_EXHAUSTED",
      retryable: true,
      hint: /Quota exceeded/,
    },
  ];
  for (const refusal of iamRefusals) {
    it(`IAM Credentials: ${refusal.name} becomes a GcpIamCredentialsError`, async () => {
      iam = () => refusal.answer;
      const error = await failure(accessToken());
      assert.ok(error instanceof GcpIamCredentialsError, String(error));
      assert.deepEqual(
        [error.code, error.service, error.status, error.serviceCode, error.retryable],
        ["ERR_GCP_IAM_CREDENTIALS", "gcp-iamcredentials", refusal.answer.status, refusal.code, refusal.retryable],
      );
      assert.match(error.message, new RegExp(`${SERVICE_ACCOUNT}: ${refusal.code}`));
      assert.match(error.message, refusal.hint);
      assert.ok(!error.message.includes("federated-token"), "the message never carries the federated token");
    });
  }

  const malformed: { name: string; where: "sts" | "iam"; answer: () => ScriptedAnswer; reason: RegExp }[] = [
    { name: "STS: not JSON", where: "sts", answer: () => ({ status: 200, body: "<html/>" }), reason: /not JSON/ },
    { name: "STS: a JSON array", where: "sts", answer: () => json(200, []), reason: /not an object/ },
    {
      name: "STS: no access_token",
      where: "sts",
      answer: () => json(200, { token_type: "Bearer", expires_in: 3600 }),
      reason: /no access_token/,
    },
    {
      name: "STS: a non-Bearer token",
      where: "sts",
      answer: () => json(200, { access_token: "x", token_type: "MAC", expires_in: 3600 }),
      reason: /Bearer/,
    },
    {
      name: "STS: a negative expires_in",
      where: "sts",
      answer: () => json(200, { access_token: "x", expires_in: -5 }),
      reason: /expires_in/,
    },
    {
      name: "STS: an error status without an error",
      where: "sts",
      answer: () => json(500, { message: "oops" }),
      reason: /HTTP 500 without an error document/,
    },
    {
      name: "IAM: no accessToken",
      where: "iam",
      answer: () => json(200, { expireTime: isoSeconds(clock.ms + 3_600_000) }),
      reason: /no accessToken/,
    },
    {
      name: "IAM: expireTime with an offset",
      where: "iam",
      answer: () => generateAccessTokenSuccess("t", "2026-05-01T13:00:00+01:00"),
      reason: /expireTime/,
    },
    {
      name: "IAM: an expireTime in the past",
      where: "iam",
      answer: () => generateAccessTokenSuccess("t", isoSeconds(clock.ms - 1_000)),
      reason: /already expired/,
    },
  ];
  for (const entry of malformed) {
    it(`${entry.name} becomes a MalformedResponseError`, async () => {
      if (entry.where === "sts") sts = entry.answer;
      else iam = entry.answer;
      const error = await failure(accessToken());
      assert.ok(error instanceof MalformedResponseError, String(error));
      assert.equal(error.service, entry.where === "sts" ? "gcp-sts" : "gcp-iamcredentials");
      assert.match(error.message, entry.reason);
    });
  }

  it("a federated token without expires_in cannot be cached, so it is refused", async () => {
    sts = () => json(200, { access_token: "x", token_type: "Bearer" });
    const error = await failure(
      identity(issuer, { now: clock.now }).gcpAccessToken({
        providerResourceName: PROVIDER,
        stsEndpoint: `${server.url}/v1/token`,
      }),
    );
    assert.ok(error instanceof MalformedResponseError && /without expires_in/.test(error.message), String(error));
  });
});
