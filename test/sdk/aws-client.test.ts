// awsClient: requests signed (SigV4, by aws4fetch) with the assumed role's credentials, checked
// against a signature recomputed here from the SigV4 specification with node:crypto; credentials
// renewed without the caller noticing.

import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { identity, type WorkloadIdentity } from "@worker-identity/sdk";
import { assumeRoleXml, FakeIssuer, isoSeconds, ROLE_ARN, TestClock } from "./support/fixtures.js";
import { type CapturedRequest, LoopbackServer } from "./support/loopback.js";

const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY";

/** SigV4 recomputed from the request as it arrived (AWS General Reference, "Create a signed AWS API request"). */
function expectedSignature(
  request: CapturedRequest,
  secret: string,
): { actual: string; expected: string; scope: string[] } {
  const auth = /^AWS4-HMAC-SHA256 Credential=([^,]+), SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
    String(request.headers.authorization),
  );
  assert.ok(auth, `not a SigV4 Authorization header: ${request.headers.authorization}`);
  const [, credential, signedHeaders, actual] = auth as unknown as [string, string, string, string];
  const scope = credential.split("/");
  const [date, region, service] = [scope[1]!, scope[2]!, scope[3]!];
  const url = new URL(request.path, "http://placeholder");
  const query = [...url.searchParams]
    .map(([k, v]) => [encodeURIComponent(k), encodeURIComponent(v)])
    .sort(([a], [b]) => (a! < b! ? -1 : 1));
  const headers = signedHeaders
    .split(";")
    .map((name) => `${name}:${String(request.headers[name]).trim().replace(/\s+/g, " ")}\n`);
  const canonical = [
    request.method,
    url.pathname,
    query.map(([k, v]) => `${k}=${v}`).join("&"),
    headers.join(""),
    signedHeaders,
    sha256(request.body),
  ].join("\n");
  const amzDate = String(request.headers["x-amz-date"]);
  const toSign = ["AWS4-HMAC-SHA256", amzDate, `${date}/${region}/${service}/aws4_request`, sha256(canonical)].join(
    "\n",
  );
  let key: Buffer = hmac(`AWS4${secret}`, date);
  for (const part of [region, service, "aws4_request"]) key = hmac(key, part);
  return { actual, expected: hmac(key, toSign).toString("hex"), scope };
}

function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac("sha256", key).update(data, "utf8").digest();
}

describe("awsClient: signed requests with renewing credentials", () => {
  let server: LoopbackServer;
  let clock: TestClock;
  let id: WorkloadIdentity;
  let keyNumber = 0;

  before(async () => {
    server = await LoopbackServer.start((request) =>
      request.path === "/sts/"
        ? {
            body: assumeRoleXml({
              accessKeyId: `ASIAKEY${++keyNumber}`,
              sessionToken: `session-${keyNumber}`,
              expiration: isoSeconds(clock.ms + 3_600_000),
            }),
          }
        : { contentType: "application/json", body: '{"ok":true}' },
    );
  });
  beforeEach(() => {
    server.requests.splice(0);
    clock = new TestClock(Date.now());
    id = identity(new FakeIssuer(clock), { now: clock.now });
  });
  after(() => server?.close());

  const options = () => ({
    roleArn: ROLE_ARN,
    region: "us-east-1",
    endpoint: `${server.url}/sts/`,
    service: "execute-api",
    signingRegion: "eu-west-1",
  });

  it("signs with the assumed role's key and session token; the signature verifies", async () => {
    const client = id.awsClient(options());
    const response = await client.fetch(`${server.url}/items?b=2&a=1%20x`, {
      method: "POST",
      body: '{"id":7}',
      headers: { "content-type": "application/json" },
    });
    assert.deepEqual(await response.json(), { ok: true });
    const signed = server.requestsTo("/items")[0]!;
    assert.equal(signed.headers["x-amz-security-token"], `session-${keyNumber}`);
    const { actual, expected, scope } = expectedSignature(signed, SECRET);
    assert.deepEqual([scope[0], scope[2], scope[3]], [`ASIAKEY${keyNumber}`, "eu-west-1", "execute-api"]);
    assert.equal(actual, expected);
    assert.notEqual(
      expectedSignature(signed, `${SECRET}x`).expected,
      actual,
      "a different secret gives a different signature",
    );
  });

  it("renews the credentials behind the caller's back: the same client signs with the new key", async () => {
    const client = id.awsClient(options());
    await client.fetch(`${server.url}/items`);
    const firstKey = `ASIAKEY${keyNumber}`;
    clock.advance(3_300);
    await client.fetch(`${server.url}/items`);
    const [before, after] = server.requestsTo("/items");
    assert.match(String(before!.headers.authorization), new RegExp(`Credential=${firstKey}/`));
    assert.match(String(after!.headers.authorization), new RegExp(`Credential=ASIAKEY${keyNumber}/`));
    assert.notEqual(firstKey, `ASIAKEY${keyNumber}`);
    assert.equal(server.requestsTo("/sts/").length, 2);
    assert.equal((await client.credentials()).accessKeyId, `ASIAKEY${keyNumber}`);
  });

  it("reads service and region from an AWS host when not given, and sends through the injected fetch", async () => {
    const sent: Request[] = [];
    const sdk = identity(new FakeIssuer(clock), {
      now: clock.now,
      fetch: async (input) => {
        if (String(input instanceof Request ? input.url : input).startsWith(server.url)) return fetch(input);
        sent.push(input as Request);
        return new Response("{}");
      },
    });
    const client = sdk.awsClient({ roleArn: ROLE_ARN, region: "us-east-1", endpoint: `${server.url}/sts/` });
    const signed = await client.sign("https://dynamodb.eu-west-1.amazonaws.com/", { method: "POST", body: "{}" });
    assert.match(
      signed.headers.get("authorization") ?? "",
      /Credential=ASIAKEY\d+\/\d{8}\/eu-west-1\/dynamodb\/aws4_request/,
    );
    assert.equal(sent.length, 0, "sign does not send");
    await client.fetch("https://sqs.ap-southeast-2.amazonaws.com/?Action=ListQueues");
    assert.equal(sent.length, 1);
    assert.match(sent[0]!.headers.get("authorization") ?? "", /\/ap-southeast-2\/sqs\/aws4_request/);
  });

  it("checks its options when built: a TypeError at once, listing every problem", () => {
    assert.throws(
      () => id.awsClient({ roleArn: "wid-billing", region: "mars", service: "S3!" } as never),
      (e: unknown) =>
        e instanceof TypeError &&
        /roleArn must be an IAM role ARN[\s\S]*region must be[\s\S]*service must be/.test(e.message),
    );
  });
});
