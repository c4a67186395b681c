// The SDK's requests against the official clients' for the same call: @aws-sdk/client-sts for
// AssumeRoleWithWebIdentity, google-auth-library (an external account with a programmatic subject
// token supplier) for the GCP STS exchange and IAM Credentials generateAccessToken. Both sides talk
// to one loopback server that captures what arrives; bodies are compared parsed (order-insensitive).

import assert from "node:assert/strict";
import { AssumeRoleWithWebIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { identity } from "@worker-identity/sdk";
import { IdentityPoolClient } from "google-auth-library";
import {
  assumeRoleXml,
  CLOUD_PLATFORM,
  FakeIssuer,
  GCP_AUDIENCE,
  gcpStsSuccess,
  generateAccessTokenSuccess,
  isoSeconds,
  PROVIDER,
  ROLE_ARN,
  SERVICE_ACCOUNT,
  TestClock,
} from "./support/fixtures.js";
import { type CapturedRequest, formFields, LoopbackServer } from "./support/loopback.js";

const IMPERSONATION_PATH = `/v1/projects/-/serviceAccounts/${SERVICE_ACCOUNT}:generateAccessToken`;
const EXPIRES = Date.now() + 3_600_000;

function contentType(request: CapturedRequest): string {
  return String(request.headers["content-type"]).replace(/\s+/g, "").toLowerCase();
}

describe("SDK requests match the official clients", () => {
  let server: LoopbackServer;

  before(async () => {
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
    server = await LoopbackServer.start((request) => {
      if (request.path.startsWith("/v1/token")) return gcpStsSuccess("federated-access-token");
      if (request.path.startsWith("/v1/projects/"))
        return generateAccessTokenSuccess("sa-access-token", isoSeconds(EXPIRES));
      return { body: assumeRoleXml({ expiration: isoSeconds(EXPIRES) }) };
    });
  });
  beforeEach(() => server.requests.splice(0));
  after(() => server?.close());

  it("AssumeRoleWithWebIdentity: the same form, method, path and content type as @aws-sdk/client-sts", async () => {
    const issuer = new FakeIssuer(new TestClock(Date.now()));
    const sdk = identity(issuer);
    const credentials = await sdk.awsCredentials({
      roleArn: ROLE_ARN,
      region: "eu-west-1",
      sessionName: "billing@edge",
      durationSeconds: 1800,
      endpoint: `${server.url}/`,
    });
    assert.equal(credentials.accessKeyId, "ASIAIOSFODNN7EXAMPLE");
    const ours = server.requests[0]!;
    const oursFields = formFields(ours.body);
    assert.deepEqual(issuer.calls, [{ audience: "sts.amazonaws.com", options: undefined }]);
    assert.equal(oursFields.WebIdentityToken, issuer.issued[0]!.token);

    const official = new STSClient({ region: "eu-west-1", endpoint: `${server.url}/`, maxAttempts: 1 });
    await official.send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: ROLE_ARN,
        RoleSessionName: "billing@edge",
        WebIdentityToken: oursFields.WebIdentityToken,
        DurationSeconds: 1800,
      }),
    );
    official.destroy();
    const theirs = server.requests[1]!;
    assert.deepEqual(oursFields, formFields(theirs.body));
    assert.deepEqual(Object.keys(oursFields).sort(), [
      "Action",
      "DurationSeconds",
      "RoleArn",
      "RoleSessionName",
      "Version",
      "WebIdentityToken",
    ]);
    assert.equal(oursFields.Action, "AssumeRoleWithWebIdentity");
    assert.equal(oursFields.Version, "2011-06-15");
    assert.deepEqual([ours.method, ours.path, contentType(ours)], [theirs.method, theirs.path, contentType(theirs)]);
    assert.equal(ours.headers.authorization, undefined, "AssumeRoleWithWebIdentity is unsigned");
    assert.equal(theirs.headers.authorization, undefined);
  });

  async function googleClient(serviceAccount: boolean, scopes?: string[]) {
    const subjectToken = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ3In0.c2ln";
    const client = new IdentityPoolClient({
      type: "external_account",
      audience: GCP_AUDIENCE,
      subject_token_type: "urn:ietf:params:oauth:token-type:jwt",
      token_url: `${server.url}/v1/token`,
      ...(serviceAccount ? { service_account_impersonation_url: `${server.url}${IMPERSONATION_PATH}` } : {}),
      subject_token_supplier: { getSubjectToken: async () => subjectToken },
      ...(scopes ? { scopes } : {}),
    });
    await client.getAccessToken();
    return subjectToken;
  }

  function assertSameRequest(ours: CapturedRequest, theirs: CapturedRequest, headers: readonly string[]): void {
    assert.deepEqual([ours.method, ours.path], [theirs.method, theirs.path]);
    for (const name of headers) {
      const normalise = (r: CapturedRequest) => String(r.headers[name]).replace(/\s+/g, "").toLowerCase();
      assert.equal(normalise(ours), normalise(theirs), `header ${name}`);
    }
  }

  it("GCP with a service account: the STS exchange and generateAccessToken google-auth-library sends", async () => {
    const subjectToken = await googleClient(true);
    const [theirExchange, theirImpersonation] = server.requests.splice(0);
    const issuer = new FakeIssuer(new TestClock(Date.now()));
    issuer.fixedToken = subjectToken;
    const token = await identity(issuer).gcpAccessToken({
      providerResourceName: PROVIDER,
      serviceAccountEmail: SERVICE_ACCOUNT,
      stsEndpoint: `${server.url}/v1/token`,
      iamCredentialsEndpoint: server.url,
    });
    assert.deepEqual(token, {
      accessToken: "sa-access-token",
      expiresAt: Math.floor(EXPIRES / 1_000),
      serviceAccountEmail: SERVICE_ACCOUNT,
    });
    assert.deepEqual(issuer.calls, [{ audience: GCP_AUDIENCE, options: undefined }]);
    const [ourExchange, ourImpersonation] = server.requests;
    assert.ok(ourExchange && ourImpersonation && theirExchange && theirImpersonation);
    assert.deepEqual(formFields(ourExchange.body), formFields(theirExchange.body));
    assert.deepEqual(formFields(ourExchange.body), {
      grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
      audience: GCP_AUDIENCE,
      scope: CLOUD_PLATFORM,
      requested_token_type: "urn:ietf:params:oauth:token-type:access_token",
      subject_token: subjectToken,
      subject_token_type: "urn:ietf:params:oauth:token-type:jwt",
    });
    assertSameRequest(ourExchange, theirExchange, ["content-type", "accept"]);
    assert.deepEqual(JSON.parse(ourImpersonation.body), JSON.parse(theirImpersonation.body));
    assert.deepEqual(JSON.parse(ourImpersonation.body), { scope: [CLOUD_PLATFORM], lifetime: "3600s" });
    assertSameRequest(ourImpersonation, theirImpersonation, ["content-type", "accept", "authorization"]);
    assert.equal(ourImpersonation.headers.authorization, "Bearer federated-access-token");
  });

  it("GCP with a service account and scopes: STS still asks for cloud-platform, the service account gets the scopes", async () => {
    const scopes = ["https://www.googleapis.com/auth/devstorage.read_only", "https://www.googleapis.com/auth/bigquery"];
    const subjectToken = await googleClient(true, scopes);
    const [theirExchange, theirImpersonation] = server.requests.splice(0);
    const issuer = new FakeIssuer(new TestClock(Date.now()));
    issuer.fixedToken = subjectToken;
    await identity(issuer).gcpAccessToken({
      providerResourceName: PROVIDER,
      serviceAccountEmail: SERVICE_ACCOUNT,
      scopes,
      stsEndpoint: `${server.url}/v1/token`,
      iamCredentialsEndpoint: `${server.url}/`,
    });
    const [ourExchange, ourImpersonation] = server.requests;
    assert.deepEqual(formFields(ourExchange!.body), formFields(theirExchange!.body));
    assert.deepEqual(JSON.parse(ourImpersonation!.body), JSON.parse(theirImpersonation!.body));
    assert.deepEqual(JSON.parse(ourImpersonation!.body).scope, scopes);
  });

  it("GCP without a service account: the federated exchange with the requested scopes, nothing else", async () => {
    const scopes = ["https://www.googleapis.com/auth/devstorage.read_only", CLOUD_PLATFORM];
    const subjectToken = await googleClient(false, scopes);
    const theirs = server.requests.splice(0);
    assert.equal(theirs.length, 1);
    const issuer = new FakeIssuer(new TestClock(Date.now()));
    issuer.fixedToken = subjectToken;
    const token = await identity(issuer).gcpAccessToken({
      providerResourceName: PROVIDER,
      scopes,
      stsEndpoint: `${server.url}/v1/token`,
    });
    assert.equal(token.accessToken, "federated-access-token");
    assert.equal(token.serviceAccountEmail, undefined);
    assert.equal(server.requests.length, 1);
    assert.deepEqual(formFields(server.requests[0]!.body), formFields(theirs[0]!.body));
    assert.equal(formFields(server.requests[0]!.body).scope, scopes.join(" "));
    assertSameRequest(server.requests[0]!, theirs[0]!, ["content-type", "accept"]);
  });
});
