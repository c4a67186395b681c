// awsCredentialsProvider as the official AWS SDK v3 uses it: an @aws-sdk/client-sts client whose
// `credentials` is the provider calls GetCallerIdentity against a loopback STS. The client must
// sign with the role's temporary credentials (the SDK's AssumeRoleWithWebIdentity, answered by the
// same loopback server), take its region from the client when none is given, and reuse them until
// they are due for renewal.

import assert from "node:assert/strict";
import { GetCallerIdentityCommand, STSClient, type STSClientConfig } from "@aws-sdk/client-sts";
import { awsCredentialsProvider, type IssuerBinding } from "@worker-identity/sdk";
import { OptionsError } from "../../worker/options/options-error.js";
import { assumeRoleXml, FakeIssuer, isoSeconds, ROLE_ARN, TestClock } from "./support/fixtures.js";
import { formFields, LoopbackServer } from "./support/loopback.js";

const SESSION_TOKEN = "FwoGZXIvYXdzEXAMPLE-session-token";
const CALLER_IDENTITY = `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>arn:aws:sts::123456789012:assumed-role/wid-billing/worker-identity</Arn>
    <UserId>AROACLKWSDQRAOEXAMPLE:worker-identity</UserId>
    <Account>123456789012</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata><RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId></ResponseMetadata>
</GetCallerIdentityResponse>`;

describe("awsCredentialsProvider with the official AWS SDK v3", () => {
  let server: LoopbackServer;
  let expiresMs: number;

  before(async () => {
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
    server = await LoopbackServer.start((request) =>
      formFields(request.body).Action === "GetCallerIdentity"
        ? { body: CALLER_IDENTITY }
        : { body: assumeRoleXml({ expiration: isoSeconds(expiresMs), sessionToken: SESSION_TOKEN }) },
    );
  });
  beforeEach(() => {
    server.requests.splice(0);
    expiresMs = Date.now() + 3_600_000;
  });
  after(() => server?.close());

  const actions = () => server.requests.map((r) => formFields(r.body).Action);

  /** A fetch that sends every request to the loopback server and records the URL it was meant for. */
  function redirectingFetch(urls: string[]): typeof fetch {
    return (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      urls.push(url.href);
      return fetch(`${server.url}${url.pathname}${url.search}`, init);
    };
  }

  it("is what an AWS SDK client takes as credentials, and the client signs with the assumed role's", async () => {
    const issuer = new FakeIssuer(new TestClock(Date.now()));
    const credentials: NonNullable<STSClientConfig["credentials"]> = awsCredentialsProvider(issuer, {
      roleArn: ROLE_ARN,
      region: "eu-west-1",
      endpoint: `${server.url}/`,
    });
    const client = new STSClient({ region: "eu-west-1", endpoint: `${server.url}/`, maxAttempts: 1, credentials });
    const answer = await client.send(new GetCallerIdentityCommand({}));
    client.destroy();
    assert.equal(answer.Account, "123456789012");
    assert.deepEqual(actions(), ["AssumeRoleWithWebIdentity", "GetCallerIdentity"]);
    assert.equal(formFields(server.requests[0]!.body).WebIdentityToken, issuer.issued[0]!.token);
    const signed = server.requests[1]!.headers;
    assert.match(
      String(signed.authorization),
      /^AWS4-HMAC-SHA256 Credential=ASIAIOSFODNN7EXAMPLE\/\d{8}\/eu-west-1\/sts\//,
    );
    assert.equal(signed["x-amz-security-token"], SESSION_TOKEN);
  });

  it("answers the expiration as a Date and the account of the assumed role", async () => {
    const provider = awsCredentialsProvider(new FakeIssuer(new TestClock(Date.now())), {
      roleArn: ROLE_ARN,
      region: "eu-west-1",
      endpoint: `${server.url}/`,
    });
    const identity = await provider();
    assert.ok(identity.expiration instanceof Date);
    assert.equal(identity.expiration.getTime(), Math.floor(expiresMs / 1_000) * 1_000);
    assert.equal(identity.accountId, "123456789012");
    assert.equal(identity.sessionToken, SESSION_TOKEN);
  });

  it("takes its region from the client when none is given (the regional STS endpoint of that region)", async () => {
    const urls: string[] = [];
    const issuer = new FakeIssuer(new TestClock(Date.now()));
    const credentials = awsCredentialsProvider(issuer, { roleArn: ROLE_ARN }, { fetch: redirectingFetch(urls) });
    const client = new STSClient({ region: "ap-southeast-2", endpoint: `${server.url}/`, maxAttempts: 1, credentials });
    await client.send(new GetCallerIdentityCommand({}));
    client.destroy();
    assert.deepEqual(urls, ["https://sts.ap-southeast-2.amazonaws.com/"]);
    assert.match(String(server.requests[1]!.headers.authorization), /\/ap-southeast-2\/sts\//);
  });

  it("reuses the credentials across clients and calls until they are due for renewal", async () => {
    const issuer = new FakeIssuer(new TestClock(Date.now()));
    const options = { roleArn: ROLE_ARN, region: "eu-west-1", endpoint: `${server.url}/` };
    for (let i = 0; i < 3; i++) {
      const client = new STSClient({
        region: "eu-west-1",
        endpoint: `${server.url}/`,
        maxAttempts: 1,
        credentials: awsCredentialsProvider(issuer, options),
      });
      await client.send(new GetCallerIdentityCommand({}));
      client.destroy();
    }
    assert.deepEqual(actions(), ["AssumeRoleWithWebIdentity", ...Array(3).fill("GetCallerIdentity")]);
    assert.equal(issuer.calls.length, 1);
  });

  it("refuses misused options at once, naming each, and a call without any region", async () => {
    const issuer: IssuerBinding = new FakeIssuer(new TestClock(Date.now()));
    assert.throws(
      () => awsCredentialsProvider(issuer, { roleArn: "wid-billing", durationSeconds: 10 }),
      (error) =>
        error instanceof OptionsError && error.issues.map((issue) => issue.path).join() === "roleArn,durationSeconds",
    );
    await assert.rejects(
      awsCredentialsProvider(issuer, { roleArn: ROLE_ARN })(),
      (error) => error instanceof OptionsError && error.issues[0]?.path === "region",
    );
    assert.equal(server.requests.length, 0, "nothing was sent");
  });
});
