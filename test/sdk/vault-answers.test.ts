// vaultToken against a loopback Vault replaying its answers: the documented login response and a
// current one, `{errors: [...]}` refusals (permission denied 403, unknown role 400, a token for
// another audience 400), retryable 429/5xx, malformed answers, a standby's redirect, a timeout,
// an unreachable server; never a token in a message; option misuse as a TypeError; renewal
// through the cache (the same Vault token until 5 minutes before its lease ends).

import assert from "node:assert/strict";
import {
  identity,
  MalformedResponseError,
  ServiceUnreachableError,
  VaultError,
  type VaultTokenOptions,
} from "@worker-identity/sdk";
import { FakeIssuer, TestClock } from "./support/fixtures.js";
import { LoopbackServer, type ScriptedAnswer } from "./support/loopback.js";
import { DOCUMENTED_LOGIN_RESPONSE, json, vaultErrors, vaultLogin } from "./support/vault-fixtures.js";

describe("vaultToken: Vault's answers", () => {
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
    answer = () => vaultLogin("hvs.CAESIJ-first");
  });
  after(() => server?.close());

  const client = (timeoutSeconds?: number) =>
    identity(issuer, { now: clock.now, ...(timeoutSeconds === undefined ? {} : { timeoutSeconds }) });
  const vaultToken = (extra: Partial<VaultTokenOptions> = {}) =>
    client().vaultToken({ address: server.url, role: "wid-secrets-sync", ...extra });

  async function failure(promise: Promise<unknown>): Promise<Error> {
    return promise.then(
      () => assert.fail("expected a failure"),
      (e: unknown) => e as Error,
    );
  }

  function assertNoToken(error: Error): void {
    for (const issued of issuer.issued)
      assert.ok(!error.message.includes(issued.token), "no workload token in the message");
    assert.ok(!error.message.includes("hvs."), "no Vault token in the message");
  }

  it("the documented sample response: token, accessor, policies, lease and expiry from lease_duration", async () => {
    answer = () => json(200, DOCUMENTED_LOGIN_RESPONSE);
    const token = await vaultToken();
    assert.deepEqual(token, {
      clientToken: "f33f8c72-924e-11f8-cb43-ac59d697597c",
      accessor: "0e9e354a-520f-df04-6867-ee81cae3d42d",
      policies: ["default", "dev", "prod"],
      leaseDurationSeconds: 2764800,
      renewable: true,
      tokenType: undefined,
      entityId: undefined,
      metadata: {},
      expiresAt: Math.floor(clock.ms / 1_000) + 2764800,
    });
  });

  it("a current Vault's answer: token type, entity and the role's claim mappings as metadata", async () => {
    const token = await vaultToken();
    assert.equal(token.clientToken, "hvs.CAESIJ-first");
    assert.equal(token.tokenType, "service");
    assert.equal(token.entityId, "6f4b1c2e-8d3a-4e5f-9a0b-1c2d3e4f5a6b");
    assert.equal(token.metadata.workload, "secrets-sync");
    assert.equal(token.expiresAt, Math.floor(clock.ms / 1_000) + 900);
  });

  it("a batch token: no accessor", async () => {
    answer = () =>
      json(200, {
        auth: {
          client_token: "hvb.AAAA",
          accessor: "",
          policies: ["default"],
          lease_duration: 600,
          renewable: false,
          token_type: "batch",
        },
      });
    const token = await vaultToken();
    assert.equal(token.accessor, undefined);
    assert.equal(token.renewable, false);
  });

  const refusals: readonly [string, () => ScriptedAnswer, number, string, boolean, RegExp][] = [
    [
      "permission denied (403)",
      () => vaultErrors(403, "permission denied"),
      403,
      "permission denied",
      false,
      /boundCidrs/,
    ],
    [
      "an unknown role (400)",
      () => vaultErrors(400, 'role "wid-nope" could not be found'),
      400,
      'role "wid-nope" could not be found',
      false,
      /no such role in this mount/,
    ],
    [
      "a token for another audience (400)",
      () =>
        vaultErrors(
          400,
          "error validating token: invalid audience (aud) claim: audience claim does not match any expected audience",
        ),
      400,
      "error validating token: invalid audience (aud) claim: audience claim does not match any expected audience",
      false,
      /pass the stack's vault\.audience as audience/,
    ],
    [
      "rate limited (429)",
      () => vaultErrors(429, 'request path "auth/worker-identity/login": rate limit quota exceeded'),
      429,
      'request path "auth/worker-identity/login": rate limit quota exceeded',
      true,
      /HTTP 429/,
    ],
    ["sealed (503)", () => vaultErrors(503, "Vault is sealed"), 503, "Vault is sealed", true, /Vault is sealed/],
    [
      "an internal error (500)",
      () => vaultErrors(500, "internal error"),
      500,
      "internal error",
      true,
      /internal error/,
    ],
  ];
  for (const [title, scripted, status, code, retryable, detail] of refusals) {
    it(`${title}: VaultError with Vault's first error as its code`, async () => {
      answer = scripted;
      const error = await failure(vaultToken());
      assert.ok(error instanceof VaultError, String(error));
      assert.equal(error.code, "ERR_VAULT");
      assert.equal(error.status, status);
      assert.equal(error.serviceCode, code);
      assert.deepEqual(error.errors, [code]);
      assert.equal(error.retryable, retryable);
      assert.match(error.message, detail);
      assert.match(error.message, /auth\/worker-identity, role wid-secrets-sync/);
      assertNoToken(error);
    });
  }

  it("several errors: every one listed, the first as the code", async () => {
    answer = () => vaultErrors(400, "missing role", "missing token");
    const error = await failure(vaultToken());
    assert.ok(error instanceof VaultError);
    assert.deepEqual(error.errors, ["missing role", "missing token"]);
    assert.equal(error.serviceCode, "missing role");
  });

  const malformed: readonly [string, () => ScriptedAnswer, RegExp, boolean][] = [
    ["not JSON", () => ({ status: 200, contentType: "text/html", body: "<html>proxy</html>" }), /not JSON/, false],
    [
      "an error status without errors",
      () => json(502, { message: "bad gateway" }),
      /HTTP 502 without an errors list/,
      true,
    ],
    ["no auth block", () => json(200, { data: {} }), /without an auth block/, false],
    ["no client_token", () => json(200, { auth: { lease_duration: 60 } }), /without auth\.client_token/, false],
    [
      "lease_duration 0",
      () => json(200, { auth: { client_token: "hvs.x", lease_duration: 0 } }),
      /lease_duration that is not a positive/,
      false,
    ],
    [
      "a standby's redirect",
      () => ({ status: 307, contentType: "text/html", body: '<a href="https://active">Temporary Redirect</a>' }),
      /standby node.*active node/,
      false,
    ],
  ];
  for (const [title, scripted, detail, retryable] of malformed) {
    it(`malformed: ${title}`, async () => {
      answer = scripted;
      const error = await failure(vaultToken());
      assert.ok(error instanceof MalformedResponseError, String(error));
      assert.match(error.message, detail);
      assert.equal(error.retryable, retryable);
      assertNoToken(error);
    });
  }

  it("no answer within the timeout: ServiceUnreachableError naming Vault", async () => {
    answer = () => new Promise((resolve) => setTimeout(() => resolve(vaultLogin("hvs.late")), 1_500));
    const error = await failure(client(1).vaultToken({ address: server.url, role: "wid-secrets-sync" }));
    assert.ok(error instanceof ServiceUnreachableError, String(error));
    assert.equal(error.service, "vault");
    assert.match(error.message, /no answer within 1 s/);
    assertNoToken(error);
  });

  it("nobody listening: ServiceUnreachableError", async () => {
    const closed = await LoopbackServer.start(() => vaultLogin("x"));
    const url = closed.url;
    await closed.close();
    const error = await failure(client().vaultToken({ address: url, role: "wid-secrets-sync" }));
    assert.ok(error instanceof ServiceUnreachableError, String(error));
  });

  it("renewal: the same Vault token until 5 minutes before its lease ends, then a new login with a new token", async () => {
    let n = 0;
    answer = () => vaultLogin(`hvs.login-${++n}`, 900);
    const sdk = client();
    const options = { address: server.url, role: "wid-secrets-sync" };
    assert.equal((await sdk.vaultToken(options)).clientToken, "hvs.login-1");
    clock.advance(599);
    assert.equal((await sdk.vaultToken(options)).clientToken, "hvs.login-1", "cached");
    assert.equal(server.requests.length, 1);
    clock.advance(2);
    assert.equal((await sdk.vaultToken(options)).clientToken, "hvs.login-2", "renewed 300 s before the end");
    assert.equal(server.requests.length, 2);
    assert.notEqual(
      (JSON.parse(server.requests[1]!.body) as { jwt: string }).jwt,
      (JSON.parse(server.requests[0]!.body) as { jwt: string }).jwt,
      "a fresh workload token for the new login",
    );
  });

  it("a failed renewal (Vault sealed) keeps the valid token; an expired one is never handed out", async () => {
    const sdk = client();
    const options = { address: server.url, role: "wid-secrets-sync" };
    const first = await sdk.vaultToken(options);
    clock.advance(700);
    answer = () => vaultErrors(503, "Vault is sealed");
    assert.equal(await sdk.vaultToken(options), first, "200 s left: the current token");
    clock.advance(300);
    await assert.rejects(sdk.vaultToken(options), (e: unknown) => e instanceof VaultError && e.retryable);
  });

  it("renewBeforeSeconds moves the renewal; another role is another cache entry", async () => {
    let n = 0;
    answer = () => vaultLogin(`hvs.login-${++n}`, 900);
    const sdk = client();
    await sdk.vaultToken({ address: server.url, role: "wid-secrets-sync", renewBeforeSeconds: 60 });
    clock.advance(800);
    await sdk.vaultToken({ address: server.url, role: "wid-secrets-sync", renewBeforeSeconds: 60 });
    assert.equal(server.requests.length, 1, "still 100 s left, more than 60");
    await sdk.vaultToken({ address: server.url, role: "wid-other" });
    assert.equal(server.requests.length, 2);
  });

  it("option misuse: one TypeError naming every bad option, before any request", async () => {
    const error = await failure(
      client().vaultToken({
        address: "http://vault.example.dev:8200/v1",
        mount: "/auth/jwt/",
        role: "wid billing",
        namespace: "/admin",
        extra: 1,
      } as unknown as VaultTokenOptions),
    );
    assert.ok(error instanceof TypeError, String(error));
    for (const option of ["address", "mount", "role", "namespace", "extra"])
      assert.match(error.message, new RegExp(option));
    assert.equal(server.requests.length, 0);
    assert.equal(issuer.calls.length, 0);
  });

  it("an address with a path is refused with the origin to write", async () => {
    const error = await failure(client().vaultToken({ address: `${server.url}/v1`, role: "r" }));
    assert.ok(error instanceof TypeError);
    assert.match(error.message, /without a path .*http:\/\/127\.0\.0\.1:\d+/);
  });
});
