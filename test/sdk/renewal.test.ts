// AWS credentials and GCP access tokens under a movable clock, against loopback services that
// count requests: cached until the renewal margin, renewed before expiry, concurrent callers that
// share values but never a request (cold callers each make their own; during a renewal the others
// use the current value), a failed renewal covered by the still-valid value.

import assert from "node:assert/strict";
import { AwsStsError, GcpStsError, identity, type WorkloadIdentity } from "@worker-identity/sdk";
import { within } from "../support/settling.js";
import {
  assumeRoleXml,
  awsErrorAnswer,
  FakeIssuer,
  gcpStsSuccess,
  generateAccessTokenSuccess,
  isoSeconds,
  json,
  PROVIDER,
  ROLE_ARN,
  SERVICE_ACCOUNT,
  TestClock,
} from "./support/fixtures.js";
import { LoopbackServer, type ScriptedAnswer } from "./support/loopback.js";

describe("renewal of cloud credentials", () => {
  let server: LoopbackServer;
  let clock: TestClock;
  let issuer: FakeIssuer;
  let id: WorkloadIdentity;
  let answers: { aws: () => ScriptedAnswer; sts: () => ScriptedAnswer; iam: () => ScriptedAnswer };
  /** While set, the server holds every answer until it settles. */
  let gate: Promise<void> | undefined;
  let counter = 0;

  before(async () => {
    server = await LoopbackServer.start(async (request) => {
      await gate;
      if (request.path === "/aws/") return answers.aws();
      return request.path === "/v1/token" ? answers.sts() : answers.iam();
    });
  });
  beforeEach(() => {
    server.requests.splice(0);
    clock = new TestClock();
    issuer = new FakeIssuer(clock);
    id = identity(issuer, { now: clock.now });
    gate = undefined;
    answers = {
      aws: () => ({
        body: assumeRoleXml({ accessKeyId: `ASIA${++counter}`, expiration: isoSeconds(clock.ms + 3_600_000) }),
      }),
      sts: () => gcpStsSuccess(`federated-${++counter}`),
      iam: () => generateAccessTokenSuccess(`sa-${++counter}`, isoSeconds(clock.ms + 3_600_000)),
    };
  });
  after(() => server?.close());

  const aws = () => id.awsCredentials({ roleArn: ROLE_ARN, region: "us-east-1", endpoint: `${server.url}/aws/` });
  const gcp = () =>
    id.gcpAccessToken({
      providerResourceName: PROVIDER,
      serviceAccountEmail: SERVICE_ACCOUNT,
      stsEndpoint: `${server.url}/v1/token`,
      iamCredentialsEndpoint: server.url,
    });

  /** Starts `n` callers while the server holds its answers, then lets it answer. */
  async function concurrently<T>(n: number, call: () => Promise<T>): Promise<T[]> {
    let release!: () => void;
    gate = new Promise((resolve) => (release = resolve));
    const calls = Array.from({ length: n }, call);
    release();
    const results = await Promise.all(calls);
    gate = undefined;
    return results;
  }

  /** Starts one caller (the renewal) while the server holds its answers; `n` more must not wait for it. */
  async function duringRenewal<T>(n: number, call: () => Promise<T>): Promise<{ renewed: T; others: T[] }> {
    let release!: () => void;
    gate = new Promise((resolve) => (release = resolve));
    const renewing = call();
    try {
      const others = await within(1_000, Promise.all(Array.from({ length: n }, call)));
      release();
      return { renewed: await renewing, others };
    } finally {
      release();
      gate = undefined;
    }
  }

  it("AWS: the same credentials until 5 minutes before they expire, then new ones with a new token", async () => {
    const first = await aws();
    clock.advance(3_600 - 300 - 1);
    assert.equal(await aws(), first);
    assert.equal(server.requests.length, 1);
    clock.advance(1);
    const renewed = await aws();
    assert.notEqual(renewed.accessKeyId, first.accessKeyId);
    assert.equal(server.requests.length, 2);
    const tokens = server.requests.map((r) => new URLSearchParams(r.body).get("WebIdentityToken"));
    assert.notEqual(tokens[0], tokens[1], "the renewal exchanges a fresh issuer token, not the long-expired one");
    assert.deepEqual(
      issuer.calls.map((c) => c.audience),
      ["sts.amazonaws.com", "sts.amazonaws.com"],
    );
  });

  it("AWS: renewBeforeSeconds moves the renewal", async () => {
    const options = { roleArn: ROLE_ARN, region: "us-east-1", endpoint: `${server.url}/aws/`, renewBeforeSeconds: 900 };
    const first = await id.awsCredentials(options);
    clock.advance(3_600 - 900 - 1);
    assert.equal(await id.awsCredentials(options), first);
    clock.advance(1);
    assert.notEqual(await id.awsCredentials(options), first);
  });

  it("AWS: concurrent cold callers each make their own exchange; during a renewal the others get the current credentials", async () => {
    const cold = await concurrently(4, aws);
    assert.equal(server.requests.length, 4, "no request is shared: each cold caller calls STS");
    assert.equal(issuer.calls.length, 4, "with its own issuer token");
    assert.equal(new Set(cold.map((c) => c.accessKeyId)).size, 4);
    const cached = await aws();
    assert.ok(cold.includes(cached));
    assert.equal(server.requests.length, 4);
    clock.advance(3_400);
    const { renewed, others } = await duringRenewal(9, aws);
    assert.ok(
      others.every((c) => c === cached),
      "the others got the current credentials without waiting",
    );
    assert.notEqual(renewed, cached);
    assert.equal(server.requests.length, 5);
    assert.equal(await aws(), renewed);
    assert.equal(server.requests.length, 5);
  });

  it("AWS: a throttled renewal keeps the valid credentials, retries after a pause, fails only near expiry", async () => {
    const first = await aws();
    clock.advance(3_400);
    answers.aws = () => awsErrorAnswer(400, "Sender", "Throttling", "Rate exceeded");
    assert.equal(await aws(), first);
    clock.advance(4);
    assert.equal(await aws(), first);
    assert.equal(server.requests.length, 2, "paused: no new request");
    clock.advance(1);
    assert.equal(await aws(), first);
    assert.equal(server.requests.length, 3);
    clock.advance(3_600 - 3_405 - 30);
    await assert.rejects(aws(), (e: unknown) => e instanceof AwsStsError && e.serviceCode === "Throttling");
  });

  it("GCP: the same service account token until 5 minutes before expireTime; one exchange per renewal", async () => {
    const first = await gcp();
    assert.equal(first.accessToken, `sa-${counter}`);
    clock.advance(3_299);
    assert.equal(await gcp(), first);
    assert.equal(server.requests.length, 2);
    clock.advance(1);
    const renewed = await gcp();
    assert.notEqual(renewed.accessToken, first.accessToken);
    assert.deepEqual(
      server.requests.map((r) => r.path.startsWith("/v1/token")),
      [true, false, true, false],
    );
  });

  it("GCP: concurrent cold callers each exchange and impersonate; during a renewal the others get the current token", async () => {
    const cold = await concurrently(3, gcp);
    assert.equal(server.requests.length, 6);
    assert.equal(issuer.calls.length, 3);
    assert.equal(new Set(cold.map((t) => t.accessToken)).size, 3);
    const cached = await gcp();
    assert.ok(cold.includes(cached));
    clock.advance(3_500);
    const { renewed, others } = await duringRenewal(9, gcp);
    assert.ok(
      others.every((t) => t === cached),
      "the others got the current token without waiting",
    );
    assert.notEqual(renewed.accessToken, cached.accessToken);
    assert.equal(server.requests.length, 8);
    assert.equal(await gcp(), renewed);
  });

  it("GCP: a failed renewal keeps the valid token; an expired one is never handed out", async () => {
    const first = await gcp();
    clock.advance(3_400);
    answers.sts = () =>
      json(503, { error: { code: 503, message: "The service is currently unavailable.", status: "UNAVAILABLE" } });
    assert.equal(await gcp(), first);
    clock.advance(3_600);
    await assert.rejects(gcp(), (e: unknown) => e instanceof GcpStsError && e.retryable);
  });

  it("AWS and GCP caches are keyed by every option that changes the result", async () => {
    await aws();
    await id.awsCredentials({
      roleArn: ROLE_ARN,
      region: "us-east-1",
      endpoint: `${server.url}/aws/`,
      sessionName: "other",
    });
    await id.awsCredentials({
      roleArn: ROLE_ARN,
      region: "us-east-1",
      endpoint: `${server.url}/aws/`,
      durationSeconds: 900,
    });
    await gcp();
    await id.gcpAccessToken({
      providerResourceName: PROVIDER,
      serviceAccountEmail: SERVICE_ACCOUNT,
      scopes: ["https://www.googleapis.com/auth/devstorage.read_only"],
      stsEndpoint: `${server.url}/v1/token`,
      iamCredentialsEndpoint: server.url,
    });
    await aws();
    await gcp();
    assert.equal(server.requests.length, 3 + 2 * 2);
  });
});
