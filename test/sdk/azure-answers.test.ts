// azureAccessToken against a loopback Entra token endpoint replaying documented answers: success
// (expires_in as a number, and as text), the OAuth errors a federated workload meets
// (AADSTS700213, AADSTS70021, invalid_scope, a tenant not found), 429 and 5xx (retryable),
// malformed answers, a timeout and an unreachable host; no message ever carries the token. Then
// the options' checks, and renewal through the cache.

import assert from "node:assert/strict";
import {
  type AzureAccessTokenOptions,
  EntraError,
  identity,
  MalformedResponseError,
  ServiceUnreachableError,
} from "@worker-identity/sdk";
import { CLIENT_ID, entraError, entraSuccess, STORAGE_SCOPE, TENANT, TOKEN_PATH } from "./support/entra-fixtures.js";
import { FakeIssuer, json, TestClock } from "./support/fixtures.js";
import { formFields, LoopbackServer, type ScriptedAnswer } from "./support/loopback.js";

describe("azureAccessToken: Entra ID's answers", () => {
  let server: LoopbackServer;
  let clock: TestClock;
  let issuer: FakeIssuer;
  let answer: () => ScriptedAnswer | Promise<ScriptedAnswer>;

  before(async () => {
    server = await LoopbackServer.start(() => answer());
  });
  beforeEach(() => {
    server.requests.splice(0);
    clock = new TestClock();
    issuer = new FakeIssuer(clock);
    answer = () => entraSuccess("eyJ0eXAi.entra-access.token");
  });
  after(() => server?.close());

  const accessToken = (extra: Partial<AzureAccessTokenOptions> = {}, timeoutSeconds?: number) =>
    identity(issuer, { now: clock.now, ...(timeoutSeconds === undefined ? {} : { timeoutSeconds }) }).azureAccessToken({
      tenantId: TENANT,
      clientId: CLIENT_ID,
      scope: STORAGE_SCOPE,
      authorityHost: server.url,
      ...extra,
    });

  async function failure(promise: Promise<unknown>): Promise<Error> {
    const error = await promise.then(
      () => assert.fail("expected a failure"),
      (e: unknown) => e,
    );
    assert.ok(error instanceof Error);
    for (const issued of issuer.issued) assert.ok(!error.message.includes(issued.token), "no token in the message");
    assert.ok(!error.message.includes("eyJ"), "nothing JWT-shaped in the message");
    return error;
  }

  it("returns the access token, expiring expires_in seconds from now, for the tenant's endpoint", async () => {
    const token = await accessToken();
    assert.deepEqual(token, {
      accessToken: "eyJ0eXAi.entra-access.token",
      tokenType: "Bearer",
      expiresAt: Math.floor(clock.ms / 1000) + 3599,
    });
    assert.equal(server.requests[0]!.path, TOKEN_PATH);
    assert.equal(formFields(server.requests[0]!.body).client_assertion, issuer.issued[0]!.token);
  });

  it("reads expires_in sent as text (v1.0 endpoints and some proxies)", async () => {
    answer = () => entraSuccess("t", "3600");
    assert.equal((await accessToken()).expiresAt, Math.floor(clock.ms / 1000) + 3600);
  });

  const REFUSALS: readonly [string, () => ScriptedAnswer, string, string, RegExp][] = [
    [
      "no FIC matches the subject (AADSTS700213)",
      () =>
        entraError(
          400,
          "invalid_client",
          700213,
          "AADSTS700213: No matching federated identity record found for presented assertion subject 'worker/0123/x'.",
        ),
      "AADSTS700213",
      "invalid_client",
      /issuer exactly the stack's issuer URL, subject worker\/<account_id>\/<name>/,
    ],
    [
      "no FIC matches issuer, subject and audience (AADSTS70021)",
      () =>
        entraError(
          400,
          "invalid_request",
          70021,
          "AADSTS70021: No matching federated identity record found for presented assertion.",
        ),
      "AADSTS70021",
      "invalid_request",
      /audience is api:\/\/AzureADTokenExchange/,
    ],
    [
      "an invalid scope (invalid_scope, AADSTS1002012)",
      () =>
        entraError(
          400,
          "invalid_scope",
          1002012,
          "AADSTS1002012: The provided value for scope https://storage.azure.com/user_impersonation is not valid.",
        ),
      "AADSTS1002012",
      "invalid_scope",
      /use '<resource>\/\.default'/,
    ],
    [
      "a tenant that does not exist (AADSTS90002), its code only in the description",
      () => entraError(400, "invalid_request", undefined, "AADSTS90002: Tenant '8d2b6f3e-...' not found."),
      "AADSTS90002",
      "invalid_request",
      /check tenantId/,
    ],
  ];

  for (const [what, scripted, code, oauth, hint] of REFUSALS) {
    it(`an EntraError for ${what}: code, OAuth error, ids, not retryable`, async () => {
      answer = scripted;
      const error = await failure(accessToken());
      assert.ok(error instanceof EntraError);
      assert.equal(error.code, "ERR_ENTRA");
      assert.equal(error.service, "entra");
      assert.equal(error.status, 400);
      assert.equal(error.serviceCode, code);
      assert.equal(error.oauthError, oauth);
      assert.equal(error.traceId, "255d1aef-8c98-452f-ac51-23d051240864");
      assert.equal(error.correlationId, "fb3d2015-bc17-4bb9-bb85-30c5cf1aaaa7");
      assert.equal(error.retryable, false);
      assert.match(error.serviceMessage, new RegExp(`^${code}:`));
      assert.match(error.message, hint);
      assert.match(error.message, new RegExp(`${oauth} ${code}: ${code}:`));
      assert.match(error.message, /trace 255d1aef-8c98-452f-ac51-23d051240864/);
      assert.ok(!error.message.includes("Timestamp"), "only the description's first line");
    });
  }

  it("never repeats the assertion, even when Entra's description quotes it", async () => {
    answer = () =>
      entraError(
        400,
        "invalid_client",
        50027,
        `AADSTS50027: JWT token is invalid or malformed: ${issuer.issued[0]!.token}`,
      );
    const error = await failure(accessToken());
    assert.ok(error instanceof EntraError);
    assert.ok(!error.serviceMessage.includes(issuer.issued[0]!.token));
    assert.match(error.message, /\[token\]/);
  });

  for (const status of [429, 500, 503]) {
    it(`HTTP ${status} with an OAuth error is retryable`, async () => {
      answer = () =>
        entraError(status, status === 429 ? "temporarily_unavailable" : "server_error", 50196, "AADSTS50196: busy");
      const error = await failure(accessToken());
      assert.ok(error instanceof EntraError);
      assert.equal(error.retryable, true);
      assert.equal(error.status, status);
    });
  }

  it("an HTTP 503 without an OAuth error document is a MalformedResponseError", async () => {
    answer = () => ({ status: 503, contentType: "text/html", body: "<html>Service Unavailable</html>" });
    const error = await failure(accessToken());
    assert.ok(error instanceof MalformedResponseError);
    assert.equal(error.service, "entra");
  });

  const MALFORMED: readonly [string, () => ScriptedAnswer, RegExp][] = [
    [
      "a body that is not JSON",
      () => ({ status: 200, contentType: "text/html", body: "<html>sign in</html>" }),
      /not a JSON object/,
    ],
    ["JSON that is a list", () => json(200, [1]), /not a JSON object/],
    ["no access_token", () => json(200, { token_type: "Bearer", expires_in: 3599 }), /no access_token/],
    [
      "a token_type other than Bearer",
      () => json(200, { token_type: "pop", expires_in: 3599, access_token: "t" }),
      /other than Bearer/,
    ],
    ["no expires_in", () => json(200, { token_type: "Bearer", access_token: "t" }), /expires_in/],
    [
      "a negative expires_in",
      () => json(200, { token_type: "Bearer", expires_in: -5, access_token: "t" }),
      /expires_in/,
    ],
    ["an HTTP 400 without an error", () => json(400, { message: "bad" }), /without an OAuth error/],
  ];
  for (const [what, scripted, reason] of MALFORMED) {
    it(`a MalformedResponseError for ${what}`, async () => {
      answer = scripted;
      const error = await failure(accessToken());
      assert.ok(error instanceof MalformedResponseError, String(error));
      assert.match(error.message, reason);
    });
  }

  it("a ServiceUnreachableError on a timeout, and on a port nothing listens on", async () => {
    answer = () => new Promise<ScriptedAnswer>((resolve) => setTimeout(() => resolve(entraSuccess("late")), 2_500));
    const timedOut = await failure(accessToken({}, 1));
    assert.ok(timedOut instanceof ServiceUnreachableError);
    assert.equal(timedOut.service, "entra");
    assert.equal(timedOut.retryable, true);
    assert.match(timedOut.message, /no answer within 1 s/);
    const closed = await failure(accessToken({ authorityHost: "http://127.0.0.1:9" }));
    assert.ok(closed instanceof ServiceUnreachableError);
  });
});

describe("azureAccessToken: options", () => {
  const issuer = new FakeIssuer(new TestClock());
  const good = { tenantId: TENANT, clientId: CLIENT_ID, scope: STORAGE_SCOPE };

  it("refuses each misuse with a TypeError naming the option and the fix", async () => {
    const rejected = async (options: unknown, message: RegExp) => {
      const error = await Promise.resolve()
        .then(() => identity(issuer).azureAccessToken(options as AzureAccessTokenOptions))
        .then(
          () => assert.fail("expected a TypeError"),
          (e: unknown) => e,
        );
      assert.ok(error instanceof TypeError, String(error));
      assert.match(error.message, message);
    };
    await rejected(
      { ...good, tenantId: "contoso.onmicrosoft.com" },
      /tenantId.*a domain such as contoso\.onmicrosoft\.com is not accepted/,
    );
    await rejected({ ...good, clientId: "my-app" }, /clientId.*client id, a GUID/);
    await rejected(
      { ...good, scope: "https://storage.azure.com" },
      /scope.*write 'https:\/\/storage\.azure\.com\/\.default'/,
    );
    await rejected(
      { ...good, scope: "https://storage.azure.com/user_impersonation" },
      /write 'https:\/\/storage\.azure\.com\/\.default'/,
    );
    await rejected({ ...good, scope: `${STORAGE_SCOPE} https://vault.azure.net/.default` }, /once per resource/);
    await rejected({ ...good, authorityHost: "http://login.microsoftonline.com" }, /authorityHost.*https URL/);
    await rejected(
      { ...good, authorityHost: `https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/token` },
      /host only/,
    );
    await rejected({ ...good, renewBeforeSeconds: 7200 }, /renewBeforeSeconds/);
    await rejected({ ...good, audience: "api://AzureADTokenExchange" }, /audience.*is not an option/);
    await rejected({ clientId: CLIENT_ID, scope: STORAGE_SCOPE }, /tenantId/);
    await rejected("tenant", /options.*must be an object/);
  });
});

describe("azureAccessToken: renewal through the cache", () => {
  let server: LoopbackServer;
  let counter = 0;

  before(async () => {
    server = await LoopbackServer.start(() => entraSuccess(`entra-token-${++counter}`, 3600));
  });
  after(() => server?.close());

  it("caches per options until the renewal margin, then renews with a fresh assertion", async () => {
    const clock = new TestClock();
    const issuer = new FakeIssuer(clock);
    const id = identity(issuer, { now: clock.now });
    const options = { tenantId: TENANT, clientId: CLIENT_ID, scope: STORAGE_SCOPE, authorityHost: server.url };
    const first = await id.azureAccessToken(options);
    assert.equal((await id.azureAccessToken(options)).accessToken, first.accessToken, "cached");
    assert.equal(server.requests.length, 1);
    const other = await id.azureAccessToken({ ...options, scope: "https://vault.azure.net/.default" });
    assert.notEqual(other.accessToken, first.accessToken, "another scope, another token");
    assert.equal(server.requests.length, 2);
    clock.advance(3600 - 301);
    assert.equal((await id.azureAccessToken(options)).accessToken, first.accessToken, "before the 300 s margin");
    clock.advance(2);
    const renewed = await id.azureAccessToken(options);
    assert.notEqual(renewed.accessToken, first.accessToken, "renewed inside the margin");
    const last = server.requests.at(-1)!;
    assert.equal(formFields(last.body).client_assertion, issuer.issued.at(-1)!.token);
    assert.notEqual(issuer.issued.at(-1)!.token, issuer.issued[0]!.token, "a fresh assertion");
  });

  it("inside the renewal margin, concurrent callers make one renewal and the others keep the current token", async () => {
    const clock = new TestClock();
    const id = identity(new FakeIssuer(clock), { now: clock.now });
    const options = { tenantId: TENANT, clientId: CLIENT_ID, scope: STORAGE_SCOPE, authorityHost: server.url };
    const first = await id.azureAccessToken(options);
    clock.advance(3600 - 100);
    const before = server.requests.length;
    const all = await Promise.all([
      id.azureAccessToken(options),
      id.azureAccessToken(options),
      id.azureAccessToken(options),
    ]);
    assert.equal(server.requests.length - before, 1, "one renewal request");
    assert.ok(
      all.some((t) => t.accessToken !== first.accessToken),
      "someone got the renewed token",
    );
    assert.notEqual((await id.azureAccessToken(options)).accessToken, first.accessToken);
  });
});
