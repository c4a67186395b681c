// anthropicAccessToken against a loopback Claude API token endpoint: the documented request
// (wif-reference, "Token exchange request"), the documented answer, OAuth refusals with their
// code and request id, malformed answers, the cache, option misuse; no message carries a token.

import assert from "node:assert/strict";
import {
  type AnthropicAccessTokenOptions,
  AnthropicError,
  identity,
  MalformedResponseError,
  type SdkFetch,
  ServiceUnreachableError,
} from "@worker-identity/sdk";
import {
  ANTHROPIC_AUDIENCE,
  anthropicSuccess,
  ORGANIZATION,
  oauthError,
  RULE,
  SVAC,
  withAnswerHeaders,
} from "./support/ai-fixtures.js";
import { FakeIssuer, json, TestClock } from "./support/fixtures.js";
import { LoopbackServer, type ScriptedAnswer } from "./support/loopback.js";

describe("anthropicAccessToken: the Claude API's token endpoint", () => {
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
    answer = () => anthropicSuccess("sk-ant-oat01-first");
  });
  after(() => server?.close());

  const options = (extra: Partial<AnthropicAccessTokenOptions> = {}): AnthropicAccessTokenOptions => ({
    organizationId: ORGANIZATION,
    serviceAccountId: SVAC,
    federationRuleId: RULE,
    audience: ANTHROPIC_AUDIENCE,
    baseUrl: server.url,
    ...extra,
  });
  const client = (fetch?: SdkFetch) => identity(issuer, { now: clock.now, ...(fetch === undefined ? {} : { fetch }) });
  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => assert.fail("expected a failure"),
      (e: unknown) => e,
    );

  it("POSTs the jwt-bearer grant as JSON to /v1/oauth/token with the federation betas", async () => {
    const token = await client().anthropicAccessToken(options({ workspaceId: "wrkspc_01ABC" }));
    assert.equal(server.requests.length, 1);
    const [request] = server.requests;
    assert.equal(request?.method, "POST");
    assert.equal(request?.path, "/v1/oauth/token");
    assert.match(String(request?.headers["content-type"]), /^application\/json/);
    assert.equal(request?.headers["anthropic-beta"], "oauth-2025-04-20,oidc-federation-2026-04-01");
    assert.deepEqual(JSON.parse(request?.body ?? ""), {
      grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer",
      assertion: issuer.issued[0]?.token,
      federation_rule_id: RULE,
      organization_id: ORGANIZATION,
      service_account_id: SVAC,
      workspace_id: "wrkspc_01ABC",
    });
    assert.deepEqual(
      issuer.calls.map((c) => c.audience),
      [ANTHROPIC_AUDIENCE],
    );
    assert.deepEqual(token, {
      accessToken: "sk-ant-oat01-first",
      expiresAt: Math.floor(clock.ms / 1000) + 3600,
      tokenType: "Bearer",
      scope: "workspace:inference",
    });
  });

  it("sends no workspace_id when none is given (the server picks the rule's sole workspace)", async () => {
    await client().anthropicAccessToken(options());
    assert.equal(Object.hasOwn(JSON.parse(server.requests[0]?.body ?? "{}"), "workspace_id"), false);
  });

  it("is cached until renewBeforeSeconds before expiry, then exchanged again with a fresh token", async () => {
    const sdk = client();
    await sdk.anthropicAccessToken(options());
    await sdk.anthropicAccessToken(options());
    assert.equal(server.requests.length, 1);
    answer = () => anthropicSuccess("sk-ant-oat01-second");
    clock.advance(3600 - 299);
    const renewed = await sdk.anthropicAccessToken(options());
    assert.equal(renewed.accessToken, "sk-ant-oat01-second");
    assert.equal(server.requests.length, 2);
    const assertions = server.requests.map((r) => (JSON.parse(r.body) as { assertion: string }).assertion);
    assert.notEqual(assertions[0], assertions[1]);
  });

  it("presents a token signed for each exchange (fresh: its own jti, for check_jti), never the one cached for the audience", async () => {
    const sdk = client();
    const cached = await sdk.token(ANTHROPIC_AUDIENCE);
    await sdk.anthropicAccessToken(options());
    await sdk.anthropicAccessToken(options({ workspaceId: "wrkspc_01ABC" }));
    const assertions = server.requests.map((r) => (JSON.parse(r.body) as { assertion: string }).assertion);
    assert.equal(new Set([cached.token, ...assertions]).size, 3);
    assert.deepEqual(
      issuer.calls.map((c) => c.options?.fresh === true),
      [false, true, true],
    );
    assert.equal((await sdk.token(ANTHROPIC_AUDIENCE)).token, cached.token, "the cached token stays cached");
  });

  it("invalid_grant: AnthropicError with the OAuth code, message, request id; not retryable; no token in it", async () => {
    answer = () => oauthError(401, "invalid_grant", "assertion did not match federation rule");
    issuer.fixedToken = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ3b3JrZXIvYS9iIn0.c2lnbmF0dXJlLXNpZ24";
    const error = await failure(
      client(withAnswerHeaders({ "request-id": "req_011CUx" })).anthropicAccessToken(options()),
    );
    assert.ok(error instanceof AnthropicError);
    assert.equal(error.code, "ERR_ANTHROPIC");
    assert.equal(error.status, 401);
    assert.equal(error.serviceCode, "invalid_grant");
    assert.equal(error.serviceMessage, "assertion did not match federation rule");
    assert.equal(error.requestId, "req_011CUx");
    assert.equal(error.retryable, false);
    assert.match(error.message, /federation rule fdrl_01HZX3M2B4C6D8F0G2H4J6K8L0.*invalid_grant.*req_011CUx/);
    assert.equal(error.message.includes(issuer.fixedToken), false);
  });

  it("a token echoed in the service's message is redacted", async () => {
    issuer.fixedToken = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ3b3JrZXIvYS9iIn0.c2lnbmF0dXJlLXNpZ24";
    answer = () => oauthError(400, "invalid_request", `bad assertion ${issuer.fixedToken} for sk-ant-oat01-abcdefghij`);
    const error = await failure(client().anthropicAccessToken(options()));
    assert.ok(error instanceof AnthropicError);
    assert.equal(error.message.includes(issuer.fixedToken), false);
    assert.equal(error.serviceMessage.includes("sk-ant-oat01-abcdefghij"), false);
    assert.match(error.serviceMessage, /\[token\]/);
  });

  it("the API's own error shape ({type: error, error: {type, message}}), 529 overloaded: retryable", async () => {
    answer = () => json(529, { type: "error", error: { type: "overloaded_error", message: "Overloaded" } });
    const error = await failure(client().anthropicAccessToken(options()));
    assert.ok(error instanceof AnthropicError);
    assert.equal(error.serviceCode, "overloaded_error");
    assert.equal(error.retryable, true);
  });

  const malformed: readonly [string, ScriptedAnswer, RegExp][] = [
    ["a body that is not JSON", { status: 200, contentType: "text/html", body: "<html>" }, /not a JSON object/],
    ["no access_token", json(200, { token_type: "Bearer", expires_in: 3600 }), /no usable access_token/],
    [
      "a token_type other than Bearer",
      json(200, { access_token: "t", token_type: "mac", expires_in: 60 }),
      /not Bearer/,
    ],
    ["no expires_in", json(200, { access_token: "t", token_type: "Bearer" }), /without expires_in/],
    ["a negative expires_in", anthropicSuccess("t", -5), /positive number/],
    [
      "a 502 without an error document",
      { status: 502, contentType: "text/plain", body: "bad gateway" },
      /HTTP 502 without an error document/,
    ],
  ];
  for (const [title, scripted, why] of malformed) {
    it(`${title}: MalformedResponseError`, async () => {
      answer = () => scripted;
      const error = await failure(client().anthropicAccessToken(options()));
      assert.ok(error instanceof MalformedResponseError, String(error));
      assert.equal(error.service, "anthropic");
      assert.match(error.message, why);
    });
  }

  it("nothing listening: ServiceUnreachableError, retryable", async () => {
    const error = await failure(client().anthropicAccessToken(options({ baseUrl: "http://127.0.0.1:1" })));
    assert.ok(error instanceof ServiceUnreachableError);
    assert.equal(error.service, "anthropic");
    assert.equal(error.retryable, true);
  });

  it("option misuse: one TypeError naming every bad option and its fix", async () => {
    const error = await failure(
      client().anthropicAccessToken({
        organizationId: "acme",
        serviceAccountId: "sa_1",
        federationRuleId: "rule",
        workspaceId: "prod",
        audience: "",
        baseUrl: "http://api.anthropic.com",
        extra: 1,
      } as unknown as AnthropicAccessTokenOptions),
    );
    assert.ok(error instanceof TypeError);
    for (const name of [
      "organizationId",
      "serviceAccountId",
      "federationRuleId",
      "workspaceId",
      "audience",
      "baseUrl",
      "extra",
    ]) {
      assert.match(error.message, new RegExp(name));
    }
    assert.equal(server.requests.length, 0);
  });
});
