// Wire format against the official client: @anthropic-ai/sdk performs the federation exchange
// itself (an `oidc_federation` config: the ANTHROPIC_FEDERATION_RULE_ID / ORGANIZATION_ID /
// SERVICE_ACCOUNT_ID / WORKSPACE_ID settings, the identity token from a file) against the same
// loopback server as anthropicAccessToken; method, path, the headers that matter and the body
// are compared field by field. Then the access token our result gives is what the official
// client sends on a Messages call (Authorization: Bearer, with the OAuth beta).

import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import { identity } from "@worker-identity/sdk";
import { ANTHROPIC_AUDIENCE, anthropicSuccess, ORGANIZATION, RULE, SVAC } from "./support/ai-fixtures.js";
import { FakeIssuer, json, TestClock } from "./support/fixtures.js";
import { type CapturedRequest, LoopbackServer } from "./support/loopback.js";

const ASSERTION = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJ3b3JrZXIvYS9zdXBwb3J0LWFnZW50In0.c2lnbmF0dXJl";
const MESSAGE = {
  id: "msg_01",
  type: "message",
  role: "assistant",
  model: "claude-sonnet-4-5",
  content: [{ type: "text", text: "ok" }],
  stop_reason: "end_turn",
  stop_sequence: null,
  usage: { input_tokens: 1, output_tokens: 1 },
};

describe("anthropicAccessToken: wire format against @anthropic-ai/sdk", () => {
  let server: LoopbackServer;
  let dir: string;

  before(async () => {
    server = await LoopbackServer.start((request) =>
      request.path === "/v1/oauth/token" ? anthropicSuccess("sk-ant-oat01-exchanged") : json(200, MESSAGE),
    );
    dir = mkdtempSync(join(tmpdir(), "wid-anthropic-"));
  });
  beforeEach(() => server.requests.splice(0));
  after(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function officialExchange(workspaceId?: string): Promise<{ exchange: CapturedRequest; call: CapturedRequest }> {
    const tokenFile = join(dir, "token");
    writeFileSync(tokenFile, ASSERTION);
    chmodSync(tokenFile, 0o600);
    const client = new Anthropic({
      config: {
        authentication: {
          type: "oidc_federation",
          federation_rule_id: RULE,
          service_account_id: SVAC,
          identity_token: { source: "file", path: tokenFile },
        },
        organization_id: ORGANIZATION,
        ...(workspaceId === undefined ? {} : { workspace_id: workspaceId }),
        base_url: server.url,
      },
      baseURL: server.url,
      maxRetries: 0,
    });
    await client.messages.create({
      model: "claude-sonnet-4-5",
      max_tokens: 8,
      messages: [{ role: "user", content: "hi" }],
    });
    const exchange = server.requests.find((r) => r.path === "/v1/oauth/token");
    const call = server.requests.find((r) => r.path === "/v1/messages");
    assert.ok(exchange && call, `requests: ${server.requests.map((r) => r.path).join(", ")}`);
    return { exchange, call };
  }

  async function ours(workspaceId?: string): Promise<{ exchange: CapturedRequest; accessToken: string }> {
    const clock = new TestClock();
    const issuer = new FakeIssuer(clock);
    issuer.fixedToken = ASSERTION;
    const token = await identity(issuer, { now: clock.now }).anthropicAccessToken({
      organizationId: ORGANIZATION,
      serviceAccountId: SVAC,
      federationRuleId: RULE,
      audience: ANTHROPIC_AUDIENCE,
      baseUrl: server.url,
      ...(workspaceId === undefined ? {} : { workspaceId }),
    });
    const exchange = server.requests.find((r) => r.path === "/v1/oauth/token");
    assert.ok(exchange);
    return { exchange, accessToken: token.accessToken };
  }

  for (const workspaceId of [undefined, "wrkspc_01ABC", "default"]) {
    it(`the same exchange request, field by field (workspace ${workspaceId ?? "omitted"})`, async () => {
      const official = (await officialExchange(workspaceId)).exchange;
      server.requests.splice(0);
      const mine = (await ours(workspaceId)).exchange;
      assert.equal(mine.method, official.method);
      assert.equal(mine.path, official.path);
      assert.equal(mine.headers["anthropic-beta"], official.headers["anthropic-beta"]);
      assert.equal(
        String(mine.headers["content-type"]).split(";")[0],
        String(official.headers["content-type"]).split(";")[0],
      );
      const officialBody = JSON.parse(official.body) as Record<string, unknown>;
      const mineBody = JSON.parse(mine.body) as Record<string, unknown>;
      assert.deepEqual(Object.keys(mineBody).sort(), Object.keys(officialBody).sort());
      for (const field of Object.keys(officialBody)) {
        assert.equal(mineBody[field], officialBody[field], field);
      }
      assert.equal(officialBody.assertion, ASSERTION);
    });
  }

  it("our access token is what the official client sends on a Messages call", async () => {
    const official = await officialExchange();
    server.requests.splice(0);
    const { accessToken } = await ours();
    server.requests.splice(0);
    const client = new Anthropic({
      credentials: async () => ({ token: accessToken, expiresAt: null }),
      baseURL: server.url,
      maxRetries: 0,
    });
    await client.messages.create({
      model: "claude-sonnet-4-5",
      max_tokens: 8,
      messages: [{ role: "user", content: "hi" }],
    });
    const call = server.requests.find((r) => r.path === "/v1/messages");
    assert.equal(call?.headers.authorization, `Bearer ${accessToken}`);
    assert.equal(official.call.headers.authorization, "Bearer sk-ant-oat01-exchanged");
    assert.equal(call?.headers["anthropic-beta"], official.call.headers["anthropic-beta"]);
    assert.match(String(call?.headers["anthropic-beta"]), /oauth-2025-04-20/);
    assert.equal(call?.headers["x-api-key"], undefined);
  });

  it("as authToken too: Authorization: Bearer <accessToken>, no x-api-key", async () => {
    const { accessToken } = await ours();
    server.requests.splice(0);
    const client = new Anthropic({ authToken: accessToken, apiKey: null, baseURL: server.url, maxRetries: 0 });
    await client.messages.create({
      model: "claude-sonnet-4-5",
      max_tokens: 8,
      messages: [{ role: "user", content: "hi" }],
    });
    const call = server.requests.find((r) => r.path === "/v1/messages");
    assert.equal(call?.headers.authorization, `Bearer ${accessToken}`);
    assert.equal(call?.headers["x-api-key"], undefined);
  });
});
