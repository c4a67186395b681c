// The SDK inside workerd over real issuer bindings (the issuer of the local stack, bound through
// its per-workload entrypoints): token caching and refresh counted in RPC calls, a typed refusal,
// and the AWS and GCP exchanges with real issuer tokens, the clouds played by the Worker's
// outbound service (which verifies each token against the issuer's JWKS with jose).

import assert from "node:assert/strict";
import { resolve } from "node:path";
import type { Readable } from "node:stream";
import { createRemoteJWKSet, jwtVerify } from "jose";
import {
  Miniflare,
  type Request as MiniflareRequest,
  Response as MiniflareResponse,
  type WorkerOptions,
} from "miniflare";
import { COMPATIBILITY_DATE } from "../../worker/build/bundle.js";
import { type LocalStackInput, localStack } from "../../worker/local/stack.js";
import { freePort } from "../support/free-port.js";
import {
  ACCOUNT_ID,
  API_AUDIENCE,
  AWS_AUDIENCE,
  PROJECT,
  randomKek,
  rawStackConfig,
  STACK,
} from "../support/stack-fixture.js";
import { bundledModules } from "../support/workerd-modules.js";
import { assumeRoleXml, GCP_AUDIENCE, isoSeconds, PROVIDER, ROLE_ARN, SERVICE_ACCOUNT } from "./support/fixtures.js";

interface Outbound {
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

interface CallResult {
  readonly result?: Record<string, unknown>;
  readonly error?: {
    name: string;
    code: string;
    message: string;
    issuerCode: string | null;
    serviceCode: string | null;
  };
  readonly rpcCalls: number;
  readonly bindingSeenBefore: boolean;
}

describe("the SDK in workerd over the issuer binding", function () {
  this.timeout(120_000);
  let mf: Miniflare;
  let issuerUrl: string;
  const outbound: Outbound[] = [];

  async function cloud(request: Request): Promise<Response> {
    const body = await request.text();
    outbound.push({ url: request.url, headers: Object.fromEntries(request.headers), body });
    const host = new URL(request.url).host;
    const expires = isoSeconds(Date.now() + 3_600_000);
    const answer = (text: string, type: string) =>
      new MiniflareResponse(text, { headers: { "content-type": type } }) as unknown as Response;
    if (host === "sts.us-east-1.amazonaws.com")
      return answer(assumeRoleXml({ accessKeyId: "ASIAWORKERD", expiration: expires }), "text/xml");
    if (host === "sts.googleapis.com")
      return answer(
        JSON.stringify({ access_token: "federated", token_type: "Bearer", expires_in: 3600 }),
        "application/json",
      );
    if (host === "iamcredentials.googleapis.com")
      return answer(JSON.stringify({ accessToken: "sa-token", expireTime: expires }), "application/json");
    return answer("{}", "application/json");
  }

  before(async () => {
    const port = await freePort();
    issuerUrl = `http://127.0.0.1:${port}`;
    const config = rawStackConfig({
      "worker-identity:workloads": {
        billing: { audiences: [AWS_AUDIENCE, GCP_AUDIENCE] },
        "reports-exporter": { audiences: [API_AUDIENCE] },
      },
    });
    const input: LocalStackInput = {
      project: PROJECT,
      stack: STACK,
      config,
      issuerUrl,
      keyEncryptionKey: randomKek(),
      exampleWorkloads: false,
    };
    const { config: stackConfig } = await localStack(input);
    const entrypoint = (name: string) => stackConfig.workloads.find((w) => w.name === name)!.entrypoint;
    const issuer = stackConfig.issuer.scriptName;
    const caller: WorkerOptions = {
      name: "sdk-caller",
      modules: await bundledModules(resolve(import.meta.dirname, "workers/sdk-caller.ts"), "caller.js"),
      compatibilityDate: COMPATIBILITY_DATE,
      serviceBindings: {
        ISSUER: { name: issuer, entrypoint: entrypoint("billing") },
        OTHER: { name: issuer, entrypoint: entrypoint("reports-exporter") },
      },
      routes: ["*/__sdk/*"],
      outboundService: (request: MiniflareRequest) =>
        cloud(request as unknown as Request) as unknown as Promise<MiniflareResponse>,
    };
    const stack = await localStack({ ...input, extraWorkers: [caller] });
    mf = new Miniflare({
      ...stack.options,
      handleRuntimeStdio: (stdout: Readable, stderr: Readable) => (stdout.resume(), stderr.resume()),
    });
    await mf.ready;
  });
  after(() => mf?.dispose());

  async function call(
    op: string,
    binding: string,
    args: Record<string, unknown>,
    shiftSeconds = 0,
  ): Promise<CallResult> {
    const response = await mf.dispatchFetch(`${issuerUrl}/__sdk/call`, {
      method: "POST",
      body: JSON.stringify({ op, binding, args, shiftSeconds }),
    });
    assert.equal(response.status, 200, await response.clone().text());
    return (await response.json()) as CallResult;
  }

  async function verified(token: string, audience: string) {
    const jwks = createRemoteJWKSet(new URL(`${issuerUrl}/.well-known/jwks.json`));
    return (await jwtVerify(token, jwks, { issuer: issuerUrl, audience })).payload;
  }

  it("caches the token, and refreshes it once less than a third of its life remains (one RPC each)", async () => {
    const first = await call("token", "COUNTED", { audience: AWS_AUDIENCE });
    assert.equal(first.rpcCalls, 1);
    const payload = await verified(first.result!.token as string, AWS_AUDIENCE);
    assert.equal(payload.sub, `worker/${ACCOUNT_ID}/billing`);
    assert.equal(first.result!.expiresAt, payload.exp);
    const again = await call("token", "COUNTED", { audience: AWS_AUDIENCE }, 150);
    assert.deepEqual([again.result, again.rpcCalls], [first.result, 1]);
    const refreshed = await call("token", "COUNTED", { audience: AWS_AUDIENCE }, 210);
    assert.equal(refreshed.rpcCalls, 2, "300 s token, 90 s left: renewed");
    const cached = await call("token", "COUNTED", { audience: AWS_AUDIENCE }, 210);
    assert.equal(cached.rpcCalls, 2);
    const otherAudience = await call("token", "COUNTED", { audience: GCP_AUDIENCE });
    assert.equal(otherAudience.rpcCalls, 3);
  });

  it("keys its cache by the real binding object, which stays the same across the isolate's requests", async () => {
    const first = await call("token", "ISSUER", { audience: AWS_AUDIENCE, options: { lifetimeSeconds: 600 } });
    const second = await call("token", "ISSUER", { audience: AWS_AUDIENCE, options: { lifetimeSeconds: 600 } });
    assert.ok(first.result && second.result);
    assert.deepEqual([first.bindingSeenBefore, second.bindingSeenBefore], [false, true]);
    assert.equal(second.result.token, first.result.token);
    assert.equal((await verified(first.result.token as string, AWS_AUDIENCE)).exp, first.result.expiresAt);
  });

  it("turns the issuer's refusal into IssuerRefusalError carrying the issuer's code", async () => {
    const refused = await call("token", "OTHER", { audience: AWS_AUDIENCE });
    assert.deepEqual(
      [refused.error?.name, refused.error?.code, refused.error?.issuerCode],
      ["IssuerRefusalError", "ERR_ISSUER_REFUSED", "ERR_AUDIENCE_NOT_ALLOWED"],
    );
    assert.match(refused.error!.message, /workloads\.reports-exporter\.audiences/);
    const tooLong = await call("token", "OTHER", { audience: API_AUDIENCE, options: { lifetimeSeconds: 86_400 } });
    assert.equal(tooLong.error?.issuerCode, "ERR_LIFETIME_TOO_LONG");
  });

  it("AWS from a Worker: the billing token goes to STS, the credentials sign a DynamoDB request", async () => {
    outbound.splice(0);
    const aws = await call("aws", "ISSUER", { roleArn: ROLE_ARN, region: "us-east-1" });
    assert.equal(aws.result?.accessKeyId, "ASIAWORKERD", JSON.stringify(aws.error));
    const [sts, dynamo] = outbound;
    assert.equal(sts?.url, "https://sts.us-east-1.amazonaws.com/");
    const form = new URLSearchParams(sts.body);
    assert.equal(form.get("Action"), "AssumeRoleWithWebIdentity");
    assert.equal((await verified(form.get("WebIdentityToken")!, AWS_AUDIENCE)).sub, `worker/${ACCOUNT_ID}/billing`);
    assert.equal(dynamo?.url, "https://dynamodb.us-east-1.amazonaws.com/");
    assert.match(
      dynamo.headers.authorization ?? "",
      /^AWS4-HMAC-SHA256 Credential=ASIAWORKERD\/\d{8}\/us-east-1\/dynamodb\/aws4_request/,
    );
    assert.equal(outbound.length, 2);
  });

  it("GCP from a Worker: the exchange with a token for the provider, then the service account's token", async () => {
    outbound.splice(0);
    const gcp = await call("gcp", "ISSUER", { providerResourceName: PROVIDER, serviceAccountEmail: SERVICE_ACCOUNT });
    assert.equal(gcp.result?.accessToken, "sa-token", JSON.stringify(gcp.error));
    const [exchange, impersonation] = outbound;
    assert.equal(exchange?.url, "https://sts.googleapis.com/v1/token");
    assert.equal(
      (await verified(new URLSearchParams(exchange.body).get("subject_token")!, GCP_AUDIENCE)).sub,
      `worker/${ACCOUNT_ID}/billing`,
    );
    assert.equal(
      impersonation?.url,
      `https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/${SERVICE_ACCOUNT}:generateAccessToken`,
    );
    assert.equal(impersonation.headers.authorization, "Bearer federated");
    const again = await call("gcp", "ISSUER", { providerResourceName: PROVIDER, serviceAccountEmail: SERVICE_ACCOUNT });
    assert.equal(again.result?.accessToken, "sa-token");
    assert.equal(outbound.length, 2, "cached in the isolate");
  });
});
