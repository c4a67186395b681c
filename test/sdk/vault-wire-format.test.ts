// vaultToken's request, field by field, against the request Vault documents: "JWT login" in
// Vault's JWT/OIDC auth method API docs (developer.hashicorp.com/vault/api-docs/auth/jwt):
// `POST /auth/:mount/login` under the /v1 prefix, a JSON body with `role` (optional: the mount's
// default_role otherwise; we always name it) and `jwt` (required), no X-Vault-Token (login paths
// are unauthenticated), and `X-Vault-Namespace` for a namespace (Vault Enterprise namespaces docs);
// `X-Vault-Request: true`, which Vault's Go client and CLI add to every request (hashicorp/vault#7627;
// the API docs' "The X-Vault-Request header") and Vault Agent can require.
// Vault's CLI, `vault write auth/<mount>/login role=… jwt=…`, sends the same JSON body to the same
// path with PUT (api.Logical().Write); Vault routes PUT and POST to the same update operation
// (the HTTP API overview: "PUT and POST are synonyms"), so POST, as documented, is what we send.
// No official JavaScript client is a dependency, so the check is against that text.

import assert from "node:assert/strict";
import { identity } from "@worker-identity/sdk";
import { FakeIssuer, TestClock } from "./support/fixtures.js";
import { LoopbackServer } from "./support/loopback.js";
import { vaultLogin } from "./support/vault-fixtures.js";

describe("vaultToken: the documented JWT login request", () => {
  let server: LoopbackServer;
  let clock: TestClock;
  let issuer: FakeIssuer;

  before(async () => {
    server = await LoopbackServer.start(() => vaultLogin("hvs.CAESIJ-vault-token"));
  });
  beforeEach(() => {
    server.requests.splice(0);
    clock = new TestClock();
    issuer = new FakeIssuer(clock);
  });
  after(() => server?.close());

  it("POST /v1/auth/<mount>/login, JSON {role, jwt} and nothing else, for a token of the address's audience", async () => {
    await identity(issuer, { now: clock.now }).vaultToken({ address: server.url, role: "wid-secrets-sync" });
    assert.equal(server.requests.length, 1);
    const [request] = server.requests;
    assert.equal(request!.method, "POST");
    assert.equal(request!.path, "/v1/auth/worker-identity/login", "the default mount, the stack's");
    assert.match(String(request!.headers["content-type"]), /^application\/json/);
    assert.equal(request!.headers["x-vault-request"], "true");
    assert.equal(request!.headers["x-vault-token"], undefined, "login is unauthenticated");
    assert.equal(request!.headers["x-vault-namespace"], undefined);
    assert.equal(request!.headers.authorization, undefined);
    const body = JSON.parse(request!.body) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body).sort(), ["jwt", "role"]);
    assert.equal(body.role, "wid-secrets-sync");
    assert.equal(body.jwt, issuer.issued[0]!.token, "the token the issuer minted, as is");
    assert.deepEqual(
      issuer.calls.map((c) => c.audience),
      [server.url],
      "without an audience option, the address (the stack's default vault.audience)",
    );
  });

  it("a mount, an audience and a namespace: the path, the token's audience and X-Vault-Namespace", async () => {
    await identity(issuer, { now: clock.now }).vaultToken({
      address: `${server.url}/`,
      mount: "ci/workers",
      role: "billing-writer",
      audience: "https://vault.example.dev",
      namespace: "admin/payments",
    });
    const [request] = server.requests;
    assert.equal(request!.path, "/v1/auth/ci/workers/login");
    assert.equal(request!.headers["x-vault-namespace"], "admin/payments");
    assert.equal((JSON.parse(request!.body) as { role: string }).role, "billing-writer");
    assert.deepEqual(
      issuer.calls.map((c) => c.audience),
      ["https://vault.example.dev"],
    );
  });
});
