// Wire format against the official client: openai-node performs the token exchange itself
// (`workloadIdentity: { identityProviderId, serviceAccountId, provider }`), its fetch sent to
// the same loopback server as openaiAccessToken (its token URL, https://auth.openai.com/oauth/token,
// is fixed in the client); method, path, content type and body are compared field by field. Then
// `new OpenAI({ apiKey: result.accessToken })` sends our token as the bearer of an embeddings call.

import assert from "node:assert/strict";
import { identity } from "@worker-identity/sdk";
import OpenAI from "openai";
import { OPENAI_AUDIENCE, OPENAI_SERVICE_ACCOUNT, openaiSuccess, PROVIDER_ID } from "./support/ai-fixtures.js";
import { FakeIssuer, json, TestClock } from "./support/fixtures.js";
import { LoopbackServer } from "./support/loopback.js";

const SUBJECT = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJ3b3JrZXIvYS9zZWFyY2gtaW5kZXhlciJ9.c2lnbmF0dXJl";
const EMBEDDINGS = {
  object: "list",
  data: [{ object: "embedding", index: 0, embedding: [0.25, 0.5] }],
  model: "text-embedding-3-small",
  usage: { prompt_tokens: 1, total_tokens: 1 },
};

describe("openaiAccessToken: wire format against openai (openai-node)", () => {
  let server: LoopbackServer;
  /** Sends the client's requests for auth.openai.com to the loopback server (the path kept). */
  let redirecting: typeof fetch;

  before(async () => {
    server = await LoopbackServer.start((request) =>
      request.path === "/oauth/token" ? openaiSuccess("oai-exchanged") : json(200, EMBEDDINGS),
    );
    redirecting = (async (input: string | URL | Request, init?: RequestInit) => {
      const url = new URL(typeof input === "string" || input instanceof URL ? input : input.url);
      const target = url.origin === "https://auth.openai.com" ? `${server.url}${url.pathname}` : url.href;
      return fetch(target, init);
    }) as typeof fetch;
  });
  beforeEach(() => server.requests.splice(0));
  after(() => server?.close());

  async function ours() {
    const clock = new TestClock();
    const issuer = new FakeIssuer(clock);
    issuer.fixedToken = SUBJECT;
    return identity(issuer, { now: clock.now }).openaiAccessToken({
      identityProviderId: PROVIDER_ID,
      serviceAccountId: OPENAI_SERVICE_ACCOUNT,
      audience: OPENAI_AUDIENCE,
      tokenUrl: `${server.url}/oauth/token`,
    });
  }

  it("the same token exchange request, field by field", async () => {
    const client = new OpenAI({
      workloadIdentity: {
        identityProviderId: PROVIDER_ID,
        serviceAccountId: OPENAI_SERVICE_ACCOUNT,
        provider: { tokenType: "jwt", getToken: async () => SUBJECT },
      },
      baseURL: `${server.url}/v1`,
      fetch: redirecting,
      maxRetries: 0,
    });
    await client.embeddings.create({ model: "text-embedding-3-small", input: "hi", encoding_format: "float" });
    const official = server.requests.find((r) => r.path === "/oauth/token");
    const officialCall = server.requests.find((r) => r.path === "/v1/embeddings");
    assert.ok(official && officialCall, server.requests.map((r) => r.path).join(", "));
    assert.equal(officialCall.headers.authorization, "Bearer oai-exchanged");
    server.requests.splice(0);
    await ours();
    const mine = server.requests.find((r) => r.path === "/oauth/token");
    assert.ok(mine);
    assert.equal(mine.method, official.method);
    assert.equal(
      String(mine.headers["content-type"]).split(";")[0],
      String(official.headers["content-type"]).split(";")[0],
    );
    const officialBody = JSON.parse(official.body) as Record<string, unknown>;
    const mineBody = JSON.parse(mine.body) as Record<string, unknown>;
    assert.deepEqual(Object.keys(mineBody).sort(), Object.keys(officialBody).sort());
    for (const field of Object.keys(officialBody)) assert.equal(mineBody[field], officialBody[field], field);
    assert.equal(officialBody.subject_token, SUBJECT);
  });

  it("our access token is the bearer the official client sends as its apiKey", async () => {
    const token = await ours();
    server.requests.splice(0);
    const client = new OpenAI({
      apiKey: token.accessToken,
      baseURL: `${server.url}/v1`,
      fetch: redirecting,
      maxRetries: 0,
    });
    await client.embeddings.create({ model: "text-embedding-3-small", input: "hi", encoding_format: "float" });
    const call = server.requests.find((r) => r.path === "/v1/embeddings");
    assert.equal(call?.headers.authorization, `Bearer ${token.accessToken}`);
    assert.equal(token.accessToken, "oai-exchanged");
  });
});
