// POST /introspect in the real runtime: who may call it, what a malformed request gets, and the
// answers for workload tokens (active, expired, foreign, garbage).

import assert from "node:assert/strict";
import { generateKeyPair, SignJWT } from "jose";
import { IssuerHarness } from "../support/issuer-harness.js";
import { AWS_AUDIENCE } from "../support/stack-fixture.js";
import {
  basicAuthorization,
  INTROSPECTION_CLIENT,
  INTROSPECTION_SECRETS,
  introspect,
  workflowStackConfig,
} from "../support/workflow-fixture.js";

const FORM = "application/x-www-form-urlencoded";

describe("POST /introspect in workerd", function () {
  this.timeout(120_000);
  let issuer: IssuerHarness;

  before(async () => {
    issuer = await IssuerHarness.start({ config: workflowStackConfig(), introspectionSecrets: INTROSPECTION_SECRETS });
  });
  after(async () => {
    await issuer?.dispose();
  });

  const post = (init: { authorization?: string; contentType?: string; body?: string; method?: string }) =>
    issuer.fetch("/introspect", {
      method: init.method ?? "POST",
      headers: {
        ...(init.authorization === undefined ? {} : { authorization: init.authorization }),
        ...(init.contentType === undefined ? {} : { "content-type": init.contentType }),
      },
      ...(init.body === undefined ? {} : { body: init.body }),
    });
  const client = basicAuthorization(INTROSPECTION_CLIENT, INTROSPECTION_SECRETS[INTROSPECTION_CLIENT]!);

  it("answers a registered client about a valid workload token: active, with its claims", async () => {
    const { token } = await issuer.token("billing", AWS_AUDIENCE);
    for (const id of Object.keys(INTROSPECTION_SECRETS)) {
      const { response, body } = await introspect(issuer, token, id);
      assert.equal(response.status, 200);
      assert.equal(response.headers.get("content-type"), "application/json");
      assert.equal(response.headers.get("cache-control"), "private, max-age=10");
      assert.equal(body.active, true);
      assert.equal(body.token_type, "Bearer");
      assert.equal(body.worker, "billing");
      assert.equal(body.aud, AWS_AUDIENCE);
    }
  });

  it("refuses unauthenticated callers with 401, WWW-Authenticate Basic and problem+json", async () => {
    const { token } = await issuer.token("billing", AWS_AUDIENCE);
    const body = new URLSearchParams({ token }).toString();
    const attempts = [
      undefined,
      `Bearer ${token}`,
      "Basic !!!",
      basicAuthorization(INTROSPECTION_CLIENT, INTROSPECTION_SECRETS["ledger-api"]!),
      basicAuthorization("stranger", INTROSPECTION_SECRETS[INTROSPECTION_CLIENT]!),
      basicAuthorization(INTROSPECTION_CLIENT, `${INTROSPECTION_SECRETS[INTROSPECTION_CLIENT]!}x`),
    ];
    for (const authorization of attempts) {
      const response = await post({
        ...(authorization === undefined ? {} : { authorization }),
        contentType: FORM,
        body,
      });
      assert.equal(response.status, 401, String(authorization));
      assert.match(response.headers.get("www-authenticate") ?? "", /^Basic realm="worker-identity-introspection"/);
      assert.equal(response.headers.get("content-type"), "application/problem+json");
      const problem = (await response.json()) as { code: string; detail: string };
      assert.equal(problem.code, "ERR_INTROSPECTION_UNAUTHORIZED");
      assert.doesNotMatch(problem.detail, new RegExp(token.slice(-20)));
    }
  });

  it("answers malformed requests with 400 problem+json saying what to send", async () => {
    const { token } = await issuer.token("billing", AWS_AUDIENCE);
    const cases: [string | undefined, string, RegExp][] = [
      ["application/json", JSON.stringify({ token }), /application\/x-www-form-urlencoded/],
      [undefined, `token=${token}`, /application\/x-www-form-urlencoded/],
      [FORM, "", /has no token/],
      [FORM, `token=${token}&token=${token}`, /repeats token/],
      [FORM, `token=${token}&client_secret=x`, /HTTP Basic/],
    ];
    for (const [contentType, body, detail] of cases) {
      const response = await post({
        authorization: client,
        ...(contentType === undefined ? {} : { contentType }),
        body,
      });
      assert.equal(response.status, 400, `${contentType} ${body.slice(0, 20)}`);
      assert.equal(response.headers.get("content-type"), "application/problem+json");
      const problem = (await response.json()) as { code: string; detail: string; title: string };
      assert.equal(problem.code, "ERR_INVALID_REQUEST");
      assert.match(problem.detail, detail);
      assert.ok(!problem.detail.includes(token), "a refusal never quotes the token");
    }
    const get = await post({ authorization: client, method: "GET" });
    assert.equal(get.status, 405);
    assert.equal(get.headers.get("allow"), "POST");
  });

  it("answers inactive for a token of another issuer, garbage, and a token that expired", async () => {
    const { privateKey } = await generateKeyPair("RS256");
    const { token: genuine } = await issuer.token("ledger-sync", AWS_AUDIENCE, { lifetimeSeconds: 60 });
    const claims = JSON.parse(Buffer.from(genuine.split(".")[1]!, "base64url").toString()) as Record<string, unknown>;
    const forged = await new SignJWT(claims)
      .setProtectedHeader({ alg: "RS256", kid: "forged", typ: "JWT" })
      .sign(privateKey);
    for (const token of [forged, "not-a-token", `${genuine.split(".").slice(0, 2).join(".")}.`]) {
      const { response, body } = await introspect(issuer, token);
      assert.equal(response.status, 200);
      assert.deepEqual(body, { active: false });
    }
    assert.equal((await introspect(issuer, genuine)).body.active, true);
    await issuer.restart({ clockOffsetSeconds: 61 });
    assert.deepEqual((await introspect(issuer, genuine)).body, { active: false });
    await issuer.restart({ clockOffsetSeconds: 0 });
  });

  it("answers inactive for a token whose workload is no longer registered", async () => {
    const { token } = await issuer.token(
      "reports-exporter",
      "//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/wid/providers/wid",
    );
    const config = workflowStackConfig();
    const workloads = { ...(config["worker-identity:workloads"] as Record<string, unknown>) };
    delete workloads["reports-exporter"];
    await issuer.restart({ config: { ...config, "worker-identity:workloads": workloads } });
    assert.deepEqual((await introspect(issuer, token)).body, { active: false });
  });

  it("is closed (403) when the stack registers no client, and names the fix", async () => {
    await issuer.restart({ config: { ...workflowStackConfig(), "worker-identity:introspectionClients": [] } });
    const response = await post({ authorization: client, contentType: FORM, body: "token=x" });
    assert.equal(response.status, 403);
    const problem = (await response.json()) as { code: string; detail: string };
    assert.equal(problem.code, "ERR_INTROSPECTION_DISABLED");
    assert.match(problem.detail, /introspectionClients/);
  });
});
