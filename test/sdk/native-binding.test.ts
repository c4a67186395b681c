// Cloudflare's native `oidc_tokens` binding as the SDK's token source: any object with getToken()
// (one audience per binding, a newly signed JWT each call). Tokens here are native-shaped: signed
// with jose, carrying only iss, sub, aud and exp. Against the loopback STS and GCP fakes: the AWS
// and GCP exchanges, the AWS SDK and google-auth-library drop-ins, mixing with the issuer binding,
// caching by exp and renewal, and the typed errors.

import assert from "node:assert/strict";
import {
  awsCredentialsProvider,
  gcpSubjectTokenSupplier,
  identity,
  NativeTokenInvalidError,
  NativeTokenUnavailableError,
} from "@worker-identity/sdk";
import { generateKeyPair, SignJWT } from "jose";
import { OptionsError } from "../../worker/options/options-error.js";
import {
  assumeRoleXml,
  FakeIssuer,
  GCP_AUDIENCE,
  gcpStsSuccess,
  generateAccessTokenSuccess,
  isoSeconds,
  PROVIDER,
  ROLE_ARN,
  SERVICE_ACCOUNT,
  TestClock,
} from "./support/fixtures.js";
import { formFields, LoopbackServer } from "./support/loopback.js";

const NATIVE_ISSUER = "https://native-oidc.example.com/accounts/0123456789abcdef0123456789abcdef";
const NATIVE_SUBJECT = "billing-3f1c2a4e-immutable-id";
const AWS_AUDIENCE = "sts.amazonaws.com";

let privateKey: Awaited<ReturnType<typeof generateKeyPair>>["privateKey"];

/** Cloudflare's binding as the SDK sees it: a new token per call, signed now, for one audience. */
class StandInBinding {
  calls = 0;
  tokens: string[] = [];
  lifetimeSeconds = 600;
  /** What getToken answers instead of a signed token, or throws when an Error. */
  answer: unknown;

  constructor(
    private readonly clock: TestClock,
    private readonly audience: string,
  ) {}

  async getToken(): Promise<string> {
    this.calls++;
    if (this.answer instanceof Error) throw this.answer;
    if (this.answer !== undefined) return this.answer as string;
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: "ES256", kid: "native-1" })
      .setIssuer(NATIVE_ISSUER)
      .setSubject(NATIVE_SUBJECT)
      .setAudience(this.audience)
      .setExpirationTime(Math.floor(this.clock.ms / 1_000) + this.lifetimeSeconds)
      .sign(privateKey);
    this.tokens.push(token);
    return token;
  }
}

/** A compact JWT-shaped string with this payload (the SDK does not verify native tokens). */
function unsignedWith(payload: unknown): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part({ alg: "ES256" })}.${part(payload)}.c2ln`;
}

describe("the SDK with a native oidc_tokens binding as token source", () => {
  let server: LoopbackServer;
  let clock: TestClock;
  let counter = 0;

  before(async () => {
    ({ privateKey } = await generateKeyPair("ES256"));
    server = await LoopbackServer.start((request) => {
      if (request.path === "/aws/")
        return {
          body: assumeRoleXml({ accessKeyId: `ASIA${++counter}`, expiration: isoSeconds(clock.ms + 3_600_000) }),
        };
      if (request.path === "/v1/token") return gcpStsSuccess(`federated-${++counter}`);
      return generateAccessTokenSuccess(`sa-${++counter}`, isoSeconds(clock.ms + 3_600_000));
    });
  });
  beforeEach(() => {
    server.requests.splice(0);
    clock = new TestClock();
  });
  after(() => server?.close());

  const awsOptions = () => ({ roleArn: ROLE_ARN, region: "us-east-1", endpoint: `${server.url}/aws/` });
  const gcpOptions = () => ({
    providerResourceName: PROVIDER,
    serviceAccountEmail: SERVICE_ACCOUNT,
    stsEndpoint: `${server.url}/v1/token`,
    iamCredentialsEndpoint: server.url,
  });

  it("exchanges the binding's token at AWS STS, and caches the credentials", async () => {
    const aws = new StandInBinding(clock, AWS_AUDIENCE);
    const id = identity({ native: { [AWS_AUDIENCE]: aws } }, { now: clock.now });
    const first = await id.awsCredentials(awsOptions());
    const again = await identity({ native: { [AWS_AUDIENCE]: aws } }, { now: clock.now }).awsCredentials(awsOptions());
    assert.equal(again.accessKeyId, first.accessKeyId, "a client built per request reads the same cache");
    assert.equal(aws.calls, 1);
    assert.equal(server.requests.length, 1);
    const fields = formFields(server.requests[0]!.body);
    assert.equal(fields.Action, "AssumeRoleWithWebIdentity");
    assert.equal(fields.WebIdentityToken, aws.tokens[0]);
  });

  it("exchanges the binding's token at GCP STS and impersonates the service account", async () => {
    const gcp = new StandInBinding(clock, GCP_AUDIENCE);
    const token = await identity({ native: { [GCP_AUDIENCE]: gcp } }, { now: clock.now }).gcpAccessToken(gcpOptions());
    assert.match(token.accessToken, /^sa-\d+$/);
    const [exchange, impersonation] = server.requests;
    assert.equal(formFields(exchange!.body).subject_token, gcp.tokens[0]);
    assert.equal(formFields(exchange!.body).audience, GCP_AUDIENCE);
    assert.equal(impersonation!.path, `/v1/projects/-/serviceAccounts/${SERVICE_ACCOUNT}:generateAccessToken`);
  });

  it("mixes sources: the native binding for AWS, the issuer binding for every other audience", async () => {
    const aws = new StandInBinding(clock, AWS_AUDIENCE);
    const issuer = new FakeIssuer(clock);
    const id = identity({ issuer, native: { [AWS_AUDIENCE]: aws } }, { now: clock.now });
    await id.awsCredentials(awsOptions());
    const api = await id.token("https://api.example.com", { lifetimeSeconds: 900 });
    assert.equal(formFields(server.requests[0]!.body).WebIdentityToken, aws.tokens[0]);
    assert.deepEqual(issuer.calls, [{ audience: "https://api.example.com", options: { lifetimeSeconds: 900 } }]);
    assert.equal(api.token, issuer.issued[0]!.token);
    assert.equal(aws.calls, 1);
  });

  it("keeps credentials per binding: another binding for the same audience makes its own exchange", async () => {
    const one = new StandInBinding(clock, AWS_AUDIENCE);
    const other = new StandInBinding(clock, AWS_AUDIENCE);
    const a = await identity({ native: { [AWS_AUDIENCE]: one } }, { now: clock.now }).awsCredentials(awsOptions());
    const b = await identity({ native: { [AWS_AUDIENCE]: other } }, { now: clock.now }).awsCredentials(awsOptions());
    assert.notEqual(a.accessKeyId, b.accessKeyId);
    assert.deepEqual([one.calls, other.calls], [1, 1]);
  });

  it("caches a native token by its exp and asks the binding again once renewal is due", async () => {
    const aws = new StandInBinding(clock, AWS_AUDIENCE);
    aws.lifetimeSeconds = 600;
    const id = identity({ native: { [AWS_AUDIENCE]: aws } }, { now: clock.now });
    const first = await id.token(AWS_AUDIENCE);
    assert.equal(first.expiresAt, Math.floor(clock.ms / 1_000) + 600);
    clock.advance(390); // 210 s left: more than max(60 s, a third of 600 s)
    assert.equal((await id.token(AWS_AUDIENCE)).token, first.token);
    assert.equal(aws.calls, 1);
    clock.advance(30); // 180 s left: renewal due
    const renewed = await id.token(AWS_AUDIENCE);
    assert.equal(aws.calls, 2);
    assert.notEqual(renewed.token, first.token);
    assert.equal(renewed.expiresAt, Math.floor(clock.ms / 1_000) + 600);
  });

  it("renews AWS credentials with a fresh native token once the credentials are due", async () => {
    const aws = new StandInBinding(clock, AWS_AUDIENCE);
    const id = identity({ native: { [AWS_AUDIENCE]: aws } }, { now: clock.now });
    const first = await id.awsCredentials(awsOptions());
    clock.advance(3_600 - 200); // inside the 300 s renewBeforeSeconds, and the first token has expired
    const renewed = await id.awsCredentials(awsOptions());
    assert.notEqual(renewed.accessKeyId, first.accessKeyId);
    assert.equal(aws.calls, 2);
    assert.equal(formFields(server.requests[1]!.body).WebIdentityToken, aws.tokens[1]);
  });

  it("drives awsCredentialsProvider and gcpSubjectTokenSupplier unchanged", async () => {
    const aws = new StandInBinding(clock, AWS_AUDIENCE);
    const gcp = new StandInBinding(clock, GCP_AUDIENCE);
    const sources = { native: { [AWS_AUDIENCE]: aws, [GCP_AUDIENCE]: gcp } };
    const provided = await awsCredentialsProvider(sources, awsOptions(), { now: clock.now })();
    assert.match(provided.accessKeyId, /^ASIA\d+$/);
    assert.equal(provided.accountId, "123456789012");
    assert.equal(formFields(server.requests[0]!.body).WebIdentityToken, aws.tokens[0]);
    const supplier = gcpSubjectTokenSupplier(sources, { now: clock.now });
    const subject = await supplier.getSubjectToken({
      audience: GCP_AUDIENCE,
      subjectTokenType: "urn:ietf:params:oauth:token-type:jwt",
    });
    assert.equal(subject, gcp.tokens[0]);
    assert.deepEqual([aws.calls, gcp.calls], [1, 1]);
  });

  describe("typed errors", () => {
    async function refusal(answer: unknown): Promise<unknown> {
      const aws = new StandInBinding(clock, AWS_AUDIENCE);
      aws.answer = answer;
      const id = identity({ native: { [AWS_AUDIENCE]: aws } }, { now: clock.now });
      const error = await id.awsCredentials(awsOptions()).then(
        () => assert.fail("resolved"),
        (e: unknown) => e,
      );
      assert.equal(server.requests.length, 0, "nothing reached STS");
      return error;
    }

    it("getToken() failing is ERR_NATIVE_TOKEN_UNAVAILABLE, retryable, from the native binding", async () => {
      const error = await refusal(new Error("oidc_tokens is not enabled for this account"));
      assert.ok(error instanceof NativeTokenUnavailableError);
      assert.equal(error.code, "ERR_NATIVE_TOKEN_UNAVAILABLE");
      assert.equal(error.service, "native-binding");
      assert.equal(error.retryable, true);
      assert.match(error.message, /"sts\.amazonaws\.com".*not enabled/);
    });

    const invalid: [string, unknown, RegExp][] = [
      ["not a string", 42, /a number, not a compact JWT/],
      ["not a JWT", "opaque-token", /not a compact JWT/],
      [
        "a payload that is not JSON",
        `eyJhbGciOiJFUzI1NiJ9.${Buffer.from("{exp").toString("base64url")}.c2ln`,
        /not UTF-8 JSON/,
      ],
      [
        "no exp",
        unsignedWith({ iss: NATIVE_ISSUER, sub: NATIVE_SUBJECT, aud: AWS_AUDIENCE }),
        /without a numeric "exp"/,
      ],
      ["a string exp", unsignedWith({ exp: "1777636800" }), /without a numeric "exp"/],
      [
        "an exp already past",
        unsignedWith({ exp: Math.floor(Date.UTC(2026, 4, 1, 11, 0, 0) / 1_000) }),
        /expired 3600 s ago/,
      ],
    ];
    for (const [what, answer, message] of invalid) {
      it(`a token with ${what} is ERR_NATIVE_TOKEN_INVALID, not retryable`, async () => {
        const error = await refusal(answer);
        assert.ok(error instanceof NativeTokenInvalidError, String(error));
        assert.equal(error.code, "ERR_NATIVE_TOKEN_INVALID");
        assert.equal(error.retryable, false);
        assert.match(error.message, message);
      });
    }

    it("refuses, as options, an audience no source serves and a lifetime for a native audience", async () => {
      const aws = new StandInBinding(clock, AWS_AUDIENCE);
      const id = identity({ native: { [AWS_AUDIENCE]: aws } }, { now: clock.now });
      await assert.rejects(id.gcpAccessToken(gcpOptions()), (error: unknown) => {
        assert.ok(error instanceof OptionsError);
        assert.match(error.message, /audience .*has no token source.*"sts\.amazonaws\.com"/);
        return true;
      });
      await assert.rejects(id.token(AWS_AUDIENCE, { lifetimeSeconds: 900 }), /lifetimeSeconds cannot be chosen/);
      assert.equal(aws.calls, 0);
    });

    it("refuses a malformed source at once, naming each problem", () => {
      assert.throws(
        () =>
          identity({
            native: { [AWS_AUDIENCE]: {} as never, "has space": new StandInBinding(clock, "x") },
            issuer: {} as never,
          }),
        (error: unknown) => {
          assert.ok(error instanceof OptionsError);
          const paths = error.issues.map((issue) => issue.path).sort();
          assert.deepEqual(paths, ['native["has space"]', 'native["sts.amazonaws.com"]', "issuer"].sort());
          return true;
        },
      );
      assert.throws(() => identity({} as never), TypeError);
      assert.throws(() => identity({ native: {} }), /native must be an object of audience to oidc_tokens binding/);
    });
  });
});
