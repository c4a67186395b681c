// openaiAccessToken against a loopback OpenAI token endpoint: the documented RFC 8693 request
// (https://developers.openai.com/api/reference/workload-identity-federation), the answer,
// OAuth refusals with their code and x-request-id, malformed answers, the cache, option misuse.

import assert from "node:assert/strict";
import {
  identity,
  MalformedResponseError,
  type OpenAiAccessTokenOptions,
  OpenAiError,
  ServiceUnreachableError,
} from "@worker-identity/sdk";
import {
  OPENAI_AUDIENCE,
  OPENAI_SERVICE_ACCOUNT,
  oauthError,
  openaiSuccess,
  PROVIDER_ID,
  withAnswerHeaders,
} from "./support/ai-fixtures.js";
import { FakeIssuer, json, TestClock } from "./support/fixtures.js";
import { LoopbackServer, type ScriptedAnswer } from "./support/loopback.js";

/** A compact JWS whose payload says exp (the FakeIssuer's tokens carry none). */
function jwtExpiring(expSeconds: number): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part({ alg: "ES256", kid: "k1" })}.${part({ sub: "worker/a/b", exp: expSeconds })}.c2ln`;
}

describe("openaiAccessToken: the OpenAI API's token endpoint", () => {
  let server: LoopbackServer;
  let clock: TestClock;
  let issuer: FakeIssuer;
  let answer: () => ScriptedAnswer;

  before(async () => {
    server = await LoopbackServer.start(() => answer());
  });
  beforeEach(() => {
    server.requests.splice(0);
    clock = new TestClock();
    issuer = new FakeIssuer(clock);
    answer = () => openaiSuccess("oai-access-1");
  });
  after(() => server?.close());

  const options = (extra: Partial<OpenAiAccessTokenOptions> = {}): OpenAiAccessTokenOptions => ({
    identityProviderId: PROVIDER_ID,
    serviceAccountId: OPENAI_SERVICE_ACCOUNT,
    audience: OPENAI_AUDIENCE,
    tokenUrl: `${server.url}/oauth/token`,
    ...extra,
  });
  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => assert.fail("expected a failure"),
      (e: unknown) => e,
    );

  it("POSTs the RFC 8693 token exchange as JSON, the Worker's token as a jwt subject token", async () => {
    const token = await identity(issuer, { now: clock.now }).openaiAccessToken(options());
    const [request] = server.requests;
    assert.equal(request?.method, "POST");
    assert.equal(request?.path, "/oauth/token");
    assert.match(String(request?.headers["content-type"]), /^application\/json/);
    assert.deepEqual(JSON.parse(request?.body ?? ""), {
      grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
      subject_token: issuer.issued[0]?.token,
      subject_token_type: "urn:ietf:params:oauth:token-type:jwt",
      identity_provider_id: PROVIDER_ID,
      service_account_id: OPENAI_SERVICE_ACCOUNT,
    });
    assert.deepEqual(
      issuer.calls.map((c) => c.audience),
      [OPENAI_AUDIENCE],
    );
    assert.deepEqual(token, {
      accessToken: "oai-access-1",
      expiresAt: Math.floor(clock.ms / 1000) + 3600,
      tokenType: "Bearer",
      issuedTokenType: "urn:ietf:params:oauth:token-type:access_token",
    });
  });

  it("without expires_in: never past the subject token's exp (OpenAI's tokens never outlive it)", async () => {
    answer = () => json(200, { access_token: "oai-access-2", token_type: "Bearer" });
    issuer.fixedToken = jwtExpiring(Math.floor(clock.ms / 1000) + 300);
    const token = await identity(issuer, { now: clock.now }).openaiAccessToken(options());
    assert.equal(token.expiresAt, Math.floor(clock.ms / 1000) + 300);
  });

  it("is cached, and renewed renewBeforeSeconds before expiry", async () => {
    const sdk = identity(issuer, { now: clock.now });
    await sdk.openaiAccessToken(options({ renewBeforeSeconds: 600 }));
    clock.advance(3600 - 601);
    await sdk.openaiAccessToken(options({ renewBeforeSeconds: 600 }));
    assert.equal(server.requests.length, 1);
    clock.advance(2);
    answer = () => openaiSuccess("oai-access-3");
    assert.equal((await sdk.openaiAccessToken(options({ renewBeforeSeconds: 600 }))).accessToken, "oai-access-3");
    assert.equal(server.requests.length, 2);
  });

  it("invalid_grant: OpenAiError with the OAuth code, message and x-request-id; no token in it", async () => {
    answer = () => oauthError(401, "invalid_grant", "no service account mapping matched the subject token");
    issuer.fixedToken = jwtExpiring(Math.floor(clock.ms / 1000) + 300);
    const error = await failure(
      identity(issuer, {
        now: clock.now,
        fetch: withAnswerHeaders({ "x-request-id": "req_abc123" }),
      }).openaiAccessToken(options()),
    );
    assert.ok(error instanceof OpenAiError);
    assert.equal(error.code, "ERR_OPENAI");
    assert.equal(error.serviceCode, "invalid_grant");
    assert.equal(error.status, 401);
    assert.equal(error.requestId, "req_abc123");
    assert.equal(error.retryable, false);
    assert.match(error.message, new RegExp(`identity provider ${PROVIDER_ID}.*invalid_grant.*req_abc123`));
    assert.equal(error.message.includes(issuer.fixedToken), false);
  });

  it("the API's error shape ({error: {message, type, code}}), 503: retryable", async () => {
    answer = () => json(503, { error: { message: "try later", type: "server_error", code: null } });
    const error = await failure(identity(issuer, { now: clock.now }).openaiAccessToken(options()));
    assert.ok(error instanceof OpenAiError);
    assert.equal(error.serviceCode, "server_error");
    assert.equal(error.retryable, true);
  });

  const malformed: readonly [string, ScriptedAnswer, RegExp][] = [
    ["JSON that is not an object", json(200, ["oai"]), /not a JSON object/],
    [
      "an empty access_token",
      json(200, { access_token: " ", token_type: "Bearer", expires_in: 60 }),
      /no usable access_token/,
    ],
    ["a zero expires_in", openaiSuccess("t", 0), /positive number/],
    ["a 400 without an error document", json(400, { message: "no" }), /HTTP 400 without an error document/],
  ];
  for (const [title, scripted, why] of malformed) {
    it(`${title}: MalformedResponseError`, async () => {
      answer = () => scripted;
      const error = await failure(identity(issuer, { now: clock.now }).openaiAccessToken(options()));
      assert.ok(error instanceof MalformedResponseError, String(error));
      assert.equal(error.service, "openai");
      assert.match(error.message, why);
    });
  }

  it("nothing listening: ServiceUnreachableError", async () => {
    const error = await failure(
      identity(issuer, { now: clock.now }).openaiAccessToken(options({ tokenUrl: "http://127.0.0.1:1/oauth/token" })),
    );
    assert.ok(error instanceof ServiceUnreachableError);
    assert.equal(error.service, "openai");
  });

  it("option misuse: one TypeError naming every bad option", async () => {
    const error = await failure(
      identity(issuer, { now: clock.now }).openaiAccessToken({
        identityProviderId: "a/b",
        serviceAccountId: "",
        audience: 3,
        tokenUrl: "ftp://auth.openai.com",
      } as unknown as OpenAiAccessTokenOptions),
    );
    assert.ok(error instanceof TypeError);
    for (const name of ["identityProviderId", "serviceAccountId", "audience", "tokenUrl"]) {
      assert.match(error.message, new RegExp(name));
    }
  });
});
