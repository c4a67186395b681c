// awsCredentials against a loopback STS replaying the documented answers: the
// AssumeRoleWithWebIdentityResponse, <ErrorResponse> for each documented refusal, and answers that
// are not the documented format at all.

import assert from "node:assert/strict";
import {
  type AwsCredentialsOptions,
  AwsStsError,
  identity,
  MalformedResponseError,
  ServiceUnreachableError,
  WorkloadIdentityError,
} from "@worker-identity/sdk";
import { assumeRoleXml, awsErrorAnswer, FakeIssuer, isoSeconds, ROLE_ARN, TestClock } from "./support/fixtures.js";
import { LoopbackServer, type ScriptedAnswer } from "./support/loopback.js";

describe("awsCredentials: STS answers", () => {
  let server: LoopbackServer;
  let clock: TestClock;
  let issuer: FakeIssuer;
  let options: AwsCredentialsOptions;
  const inAnHour = () => isoSeconds(clock.ms + 3_600_000);

  before(async () => {
    server = await LoopbackServer.start(() => ({ body: "" }));
  });
  beforeEach(() => {
    server.requests.splice(0);
    clock = new TestClock();
    issuer = new FakeIssuer(clock);
    options = { roleArn: ROLE_ARN, region: "us-east-1", endpoint: `${server.url}/` };
  });
  after(() => server?.close());

  function credentials(extra: Partial<AwsCredentialsOptions> = {}) {
    return identity(issuer, { now: clock.now }).awsCredentials({ ...options, ...extra });
  }

  it("reads the credentials, the assumed role and the subject, decoding XML entities", async () => {
    server.answer(() => ({
      body: assumeRoleXml({
        expiration: inAnHour(),
        secretAccessKey: "wJal&#x2F;K7&amp;MD&#43;ENG&lt;&gt;&quot;&apos;",
        sessionToken: "<![CDATA[FwoG&ZX+/==]]>",
      }),
    }));
    const got = await credentials();
    assert.deepEqual(got, {
      accessKeyId: "ASIAIOSFODNN7EXAMPLE",
      secretAccessKey: "wJal/K7&MD+ENG<>\"'",
      sessionToken: "FwoG&ZX+/==",
      expiresAt: Math.floor(clock.ms / 1_000) + 3_600,
      assumedRoleArn: "arn:aws:sts::123456789012:assumed-role/wid-billing/worker-identity",
      assumedRoleId: "AROACLKWSDQRAOEXAMPLE:worker-identity",
      subjectFromWebIdentityToken: "worker/0123456789abcdef0123456789abcdef/billing",
    });
    assert.ok(Object.isFrozen(got));
    assert.equal(server.requests.length, 1);
  });

  const refusals: { code: string; status: number; type: string; message: string; retryable: boolean; hint: RegExp }[] =
    [
      {
        code: "ExpiredTokenException",
        status: 400,
        type: "Sender",
        message: "Token is expired",
        retryable: false,
        hint: /clocks agree/,
      },
      {
        code: "AccessDenied",
        status: 403,
        type: "Sender",
        message: "Not authorized to perform sts:AssumeRoleWithWebIdentity",
        retryable: false,
        hint: /trust policy/,
      },
      {
        code: "InvalidIdentityToken",
        status: 400,
        type: "Sender",
        message: "No OpenIDConnect provider found in your account for https://id.example.dev",
        retryable: false,
        hint: /IAM OIDC provider/,
      },
      {
        code: "IDPCommunicationError",
        status: 400,
        type: "Sender",
        message: "Couldn't retrieve verification key from your identity provider",
        retryable: true,
        hint: /retry later/,
      },
      { code: "Throttling", status: 400, type: "Sender", message: "Rate exceeded", retryable: true, hint: /backoff/ },
      {
        code: "InternalFailure",
        status: 500,
        type: "Receiver",
        message: "An internal error occurred",
        retryable: true,
        hint: /AWS STS refused/,
      },
    ];
  for (const refusal of refusals) {
    it(`${refusal.code} (HTTP ${refusal.status}) becomes an AwsStsError with STS's code and message`, async () => {
      server.answer(() => awsErrorAnswer(refusal.status, refusal.type, refusal.code, refusal.message));
      const error = await credentials().then(
        () => assert.fail("expected a refusal"),
        (e: unknown) => e,
      );
      assert.ok(error instanceof AwsStsError, String(error));
      assert.ok(error instanceof WorkloadIdentityError);
      assert.equal(error.code, "ERR_AWS_STS");
      assert.equal(error.service, "aws-sts");
      assert.deepEqual(
        [error.status, error.serviceCode, error.serviceMessage, error.errorType, error.requestId, error.retryable],
        [
          refusal.status,
          refusal.code,
          refusal.message,
          refusal.type,
          "c6104cbe-af31-11e0-8154-cbc7ccf896c7",
          refusal.retryable,
        ],
      );
      assert.match(error.message, new RegExp(`${ROLE_ARN}: ${refusal.code}: `));
      assert.match(error.message, refusal.hint);
      assert.ok(!error.message.includes(issuer.issued[0]!.token), "the message never carries the token");
    });
  }

  it("does not cache a refusal: the next call asks STS again", async () => {
    server.answer(() => awsErrorAnswer(400, "Sender", "Throttling", "Rate exceeded"));
    await assert.rejects(credentials(), AwsStsError);
    server.answer(() => ({ body: assumeRoleXml({ expiration: inAnHour() }) }));
    assert.equal((await credentials()).accessKeyId, "ASIAIOSFODNN7EXAMPLE");
    assert.equal(server.requests.length, 2);
  });

  const malformed: {
    name: string;
    answer: () => ScriptedAnswer;
    status: number;
    retryable: boolean;
    reason: RegExp;
  }[] = [
    {
      name: "an HTML error page",
      answer: () => ({ status: 503, contentType: "text/html", body: "<html><body>Service Unavailable</body>" }),
      status: 503,
      retryable: true,
      reason: /not XML/,
    },
    {
      name: "JSON",
      answer: () => ({ status: 200, body: '{"Credentials":{}}' }),
      status: 200,
      retryable: false,
      reason: /not XML/,
    },
    {
      name: "an empty body",
      answer: () => ({ status: 200, body: "" }),
      status: 200,
      retryable: false,
      reason: /not XML/,
    },
    {
      name: "unclosed elements",
      answer: () => ({
        body: assumeRoleXml({ expiration: inAnHour() }).replace("</AssumeRoleWithWebIdentityResponse>", ""),
      }),
      status: 200,
      retryable: false,
      reason: /not closed/,
    },
    {
      name: "a DOCTYPE with entities",
      answer: () => ({ body: `<!DOCTYPE x [<!ENTITY a "b">]>${assumeRoleXml({ expiration: inAnHour() })}` }),
      status: 200,
      retryable: false,
      reason: /DOCTYPE/,
    },
    {
      name: "an undefined entity",
      answer: () => ({ body: assumeRoleXml({ expiration: inAnHour(), sessionToken: "a&ent;b" }) }),
      status: 200,
      retryable: false,
      reason: /undefined entity/,
    },
    {
      name: "no Credentials",
      answer: () => ({
        body: assumeRoleXml({ expiration: inAnHour() }).replace(/<Credentials>[\s\S]*<\/Credentials>/, ""),
      }),
      status: 200,
      retryable: false,
      reason: /<Credentials>/,
    },
    {
      name: "an empty AccessKeyId",
      answer: () => ({ body: assumeRoleXml({ expiration: inAnHour(), accessKeyId: " " }) }),
      status: 200,
      retryable: false,
      reason: /AccessKeyId/,
    },
    {
      name: "two AccessKeyIds",
      answer: () => ({ body: assumeRoleXml({ expiration: inAnHour(), accessKeyId: "A</AccessKeyId><AccessKeyId>B" }) }),
      status: 200,
      retryable: false,
      reason: /appears 2 times/,
    },
    {
      name: "an Expiration that is not a time",
      answer: () => ({ body: assumeRoleXml({ expiration: "tomorrow" }) }),
      status: 200,
      retryable: false,
      reason: /Expiration/,
    },
    {
      name: "credentials that already expired",
      answer: () => ({ body: assumeRoleXml({ expiration: isoSeconds(clock.ms - 1_000) }) }),
      status: 200,
      retryable: false,
      reason: /already expired/,
    },
    {
      name: "another action's answer",
      answer: () => ({
        body: assumeRoleXml({ expiration: inAnHour() }).replace(
          /AssumeRoleWithWebIdentityResponse/g,
          "AssumeRoleResponse",
        ),
      }),
      status: 200,
      retryable: false,
      reason: /<AssumeRoleResponse>/,
    },
    {
      name: "an ErrorResponse without a Code",
      answer: () => ({ status: 400, body: "<ErrorResponse><Error><Message>no</Message></Error></ErrorResponse>" }),
      status: 400,
      retryable: false,
      reason: /without <Error><Code>/,
    },
  ];
  for (const entry of malformed) {
    it(`${entry.name} becomes a MalformedResponseError`, async () => {
      server.answer(entry.answer);
      const error = await credentials().then(
        () => assert.fail("expected a failure"),
        (e: unknown) => e,
      );
      assert.ok(error instanceof MalformedResponseError, String(error));
      assert.deepEqual(
        [error.code, error.service, error.status, error.retryable],
        ["ERR_MALFORMED_RESPONSE", "aws-sts", entry.status, entry.retryable],
      );
      assert.match(error.message, entry.reason);
    });
  }

  it("no answer at all becomes ServiceUnreachableError (a refused connection, a timeout)", async () => {
    const closed = await LoopbackServer.start(() => ({ body: "" }));
    await closed.close();
    const refused = credentials({ endpoint: `${closed.url}/` });
    await assert.rejects(
      refused,
      (e: unknown) => e instanceof ServiceUnreachableError && e.retryable && /could not be reached/.test(e.message),
    );
    const timingOut = identity(issuer, {
      now: clock.now,
      fetch: async () => {
        throw new DOMException("The operation was aborted due to timeout", "TimeoutError");
      },
    }).awsCredentials(options);
    await assert.rejects(
      timingOut,
      (e: unknown) => e instanceof ServiceUnreachableError && /no answer within 10 s/.test(e.message),
    );
  });

  it("calls the regional endpoint by default, and China's under amazonaws.com.cn", async () => {
    const urls: string[] = [];
    const recording = async (input: string | Request) => {
      urls.push(String(input));
      return new Response(assumeRoleXml({ expiration: inAnHour() }), { headers: { "content-type": "text/xml" } });
    };
    const sdk = identity(issuer, { now: clock.now, fetch: recording });
    await sdk.awsCredentials({ roleArn: ROLE_ARN, region: "eu-central-1" });
    await sdk.awsCredentials({ roleArn: "arn:aws-cn:iam::123456789012:role/wid-billing", region: "cn-north-1" });
    assert.deepEqual(urls, ["https://sts.eu-central-1.amazonaws.com/", "https://sts.cn-north-1.amazonaws.com.cn/"]);
  });
});
