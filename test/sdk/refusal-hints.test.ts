// The SDK's refusals explain themselves: AWS STS, GCP STS and IAM Credentials refusing the
// workload's token (answers replayed in the services' documented error formats) give a typed
// error that carries the token's sub, aud and iss and a hint naming the likely mismatch, in its
// fields and in its one-line message; the token itself is in none of message, JSON or cause.

import assert from "node:assert/strict";
import { AwsStsError, GcpIamCredentialsError, GcpStsError, identity } from "@worker-identity/sdk";
import {
  awsErrorAnswer,
  FakeIssuer,
  GCP_AUDIENCE,
  gcpStsSuccess,
  json,
  PROVIDER,
  ROLE_ARN,
  SERVICE_ACCOUNT,
  TestClock,
} from "./support/fixtures.js";
import { LoopbackServer, type ScriptedAnswer } from "./support/loopback.js";

const ISSUER = "https://id.example.dev";
const SUB = "worker/0123456789abcdef0123456789abcdef/billing";
const JTI = "7f3c2a9e-5b1d-4e8a-9c6f-0d2b4a6e8c1f";
const segment = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

/** A token shaped as the issuer signs one (the signature is never checked by the SDK). */
function workloadToken(aud: string, extra: Record<string, unknown> = {}): string {
  const claims = {
    iss: ISSUER,
    sub: SUB,
    aud,
    iat: 1_800_000_000,
    exp: 1_800_000_300,
    jti: JTI,
    worker: "billing",
    ...extra,
  };
  return `${segment({ alg: "RS256", kid: "k1", typ: "JWT" })}.${segment(claims)}.c2lnbmF0dXJlLW9mLXRoZS1pc3N1ZXI`;
}

/** The error's every public face: message, JSON, cause, stack. */
function assertNoToken(error: Error, token: string): void {
  const faces = [error.message, JSON.stringify(error), String((error as { cause?: unknown }).cause), error.stack ?? ""];
  for (const face of faces) {
    for (const part of [token, ...token.split(".").slice(1), JTI]) {
      assert.ok(!face.includes(part), `the error shows ${part.slice(0, 12)}…: ${face.slice(0, 200)}`);
    }
  }
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => assert.fail("expected a refusal"),
    (e: unknown) => e as Error,
  );
}

describe("SDK refusal hints: what the cloud compared, and the likely mismatch", () => {
  let server: LoopbackServer;
  let clock: TestClock;
  let issuer: FakeIssuer;
  let answer: (path: string) => ScriptedAnswer;

  before(async () => {
    server = await LoopbackServer.start((request) => answer(request.path));
  });
  beforeEach(() => {
    clock = new TestClock();
    issuer = new FakeIssuer(clock);
  });
  after(() => server?.close());

  describe("AWS STS (AssumeRoleWithWebIdentity)", () => {
    const credentials = () =>
      identity(issuer, { now: clock.now }).awsCredentials({
        roleArn: ROLE_ARN,
        region: "us-east-1",
        endpoint: `${server.url}/`,
      });
    const refused = async (code: string, message: string, status = 400) => {
      answer = () => awsErrorAnswer(status, "Sender", code, message);
      const error = await failure(credentials());
      assert.ok(error instanceof AwsStsError, String(error));
      return error;
    };

    it("AccessDenied: the trust policy did not admit the token's sub and aud, with the wid explain command", async () => {
      issuer.fixedToken = workloadToken("sts.amazonaws.com");
      const error = await refused("AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity", 403);
      assert.deepEqual(error.presented, { sub: SUB, aud: "sts.amazonaws.com", iss: ISSUER, sessionTags: false });
      assert.equal(
        error.hint,
        `the role's trust policy did not admit sub=${SUB} aud=sts.amazonaws.com iss=${ISSUER}: check the role trusts ` +
          `this workload's subject and audience (\`wid explain <token> --target ${ROLE_ARN}\`)`,
      );
      assert.equal(
        error.message,
        `AWS STS refused AssumeRoleWithWebIdentity for ${ROLE_ARN}: AccessDenied: Not authorized to perform ` +
          `sts:AssumeRoleWithWebIdentity (token sub=${SUB} aud=sts.amazonaws.com iss=${ISSUER}; ${error.hint}) ` +
          "[request id c6104cbe-af31-11e0-8154-cbc7ccf896c7]",
      );
      assertNoToken(error, issuer.fixedToken);
    });

    it("AccessDenied for a token with session tags: the trust policy must allow sts:TagSession too", async () => {
      issuer.fixedToken = workloadToken("sts.amazonaws.com", {
        "https://aws.amazon.com/tags": { principal_tags: { team: ["payments"] } },
      });
      const error = await refused("AccessDenied", "Not authorized to perform sts:TagSession", 403);
      assert.equal(error.presented?.sessionTags, true);
      assert.match(error.hint ?? "", /must also allow sts:TagSession$/);
      assertNoToken(error, issuer.fixedToken);
    });

    it("InvalidIdentityToken about the audience: the OIDC provider does not list the token's aud", async () => {
      issuer.fixedToken = workloadToken("https://api.example.dev");
      const error = await refused("InvalidIdentityToken", "Incorrect token audience");
      assert.equal(
        error.hint,
        `the IAM OIDC provider for ${ISSUER} does not list aud=https://api.example.dev among its audiences ` +
          "(client IDs): add it there, or request a token for an audience it lists",
      );
      assert.match(error.message, /Incorrect token audience \(token sub=.* aud=https:\/\/api\.example\.dev iss=/);
      assertNoToken(error, issuer.fixedToken);
    });

    it("InvalidIdentityToken about the issuer: no IAM OIDC provider has the token's iss as its URL", async () => {
      issuer.fixedToken = workloadToken("sts.amazonaws.com");
      const error = await refused(
        "InvalidIdentityToken",
        `No OpenIDConnect provider found in your account for ${ISSUER}`,
      );
      assert.match(error.hint ?? "", /no IAM OIDC provider whose URL is exactly iss=https:\/\/id\.example\.dev/);
      assertNoToken(error, issuer.fixedToken);
    });

    it("InvalidIdentityToken about the thumbprint, and about the keys", async () => {
      issuer.fixedToken = workloadToken("sts.amazonaws.com");
      const thumbprint = await refused(
        "InvalidIdentityToken",
        "OpenIDConnect provider's HTTPS certificate doesn't match configured thumbprint",
      );
      assert.match(thumbprint.hint ?? "", /TLS certificate of https:\/\/id\.example\.dev does not match .* thumbprint/);
      const keys = await refused(
        "InvalidIdentityToken",
        "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements",
      );
      assert.match(
        keys.hint ?? "",
        /could not verify the token with the keys iss=https:\/\/id\.example\.dev publishes/,
      );
    });

    it("a token the SDK cannot decode still gets the service's advice, and no claims", async () => {
      // A compact JWS whose payload is not JSON ("not-json").
      issuer.fixedToken = "eyJhbGciOiJSUzI1NiJ9.bm90LWpzb24.c2ln";
      const error = await refused(
        "ExpiredTokenException",
        "Token expired: current date/time 1800000400 must be before the expiration date/time 1800000300",
      );
      assert.equal(error.presented, undefined);
      assert.match(error.hint ?? "", /clocks agree/);
      assert.doesNotMatch(error.message, /token sub=/);
      assertNoToken(error, issuer.fixedToken);
    });
  });

  describe("GCP STS and IAM Credentials", () => {
    const accessToken = () =>
      identity(issuer, { now: clock.now }).gcpAccessToken({
        providerResourceName: PROVIDER,
        serviceAccountEmail: SERVICE_ACCOUNT,
        stsEndpoint: `${server.url}/v1/token`,
        iamCredentialsEndpoint: server.url,
      });
    const stsRefuses = async (error: string, description: string) => {
      answer = () => json(400, { error, error_description: description });
      const refusal = await failure(accessToken());
      assert.ok(refusal instanceof GcpStsError, String(refusal));
      return refusal;
    };

    it("invalid_grant about the audience: the provider does not allow the token's aud", async () => {
      const wrong =
        "//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/other/providers/other";
      issuer.fixedToken = workloadToken(wrong);
      const error = await stsRefuses(
        "invalid_grant",
        `The audience in ID Token [${wrong}] does not match the expected audience https://iam.googleapis.com/${PROVIDER}.`,
      );
      assert.deepEqual(error.presented, { sub: SUB, aud: wrong, iss: ISSUER, sessionTags: false });
      assert.equal(
        error.hint,
        `the token's aud=${wrong} is not one the provider ${GCP_AUDIENCE} allows: its allowed audiences (by default ` +
          "its own full resource name, with or without https:) must list it",
      );
      assert.ok(error.message.includes(`(token sub=${SUB} aud=${wrong} iss=${ISSUER}; ${error.hint})`), error.message);
      assertNoToken(error, issuer.fixedToken);
    });

    it("invalid_grant about the issuer: the provider's issuer URI is not the token's iss", async () => {
      issuer.fixedToken = workloadToken(GCP_AUDIENCE);
      const error = await stsRefuses(
        "invalid_grant",
        `The issuer in ID Token ${ISSUER} does not match the expected ISSUER https://id.staging.example.dev.`,
      );
      assert.equal(
        error.hint,
        `the provider's issuer URI is not exactly iss=${ISSUER}: set the provider's issuer to the token's iss`,
      );
      assertNoToken(error, issuer.fixedToken);
    });

    it("the attribute condition's refusal names the claims it was given", async () => {
      issuer.fixedToken = workloadToken(GCP_AUDIENCE);
      const error = await stsRefuses(
        "unauthorized_client",
        "The given credential is rejected by the attribute condition.",
      );
      assert.match(
        error.hint ?? "",
        new RegExp(`^the provider's attribute condition refused sub=${SUB} aud=${GCP_AUDIENCE} iss=${ISSUER}: check`),
      );
      assert.match(error.message, /attribute condition\. \(token sub=/);
      assertNoToken(error, issuer.fixedToken);
    });

    it("IAM Credentials PERMISSION_DENIED: the service account lacks roles/iam.workloadIdentityUser for the token's principal", async () => {
      issuer.fixedToken = workloadToken(GCP_AUDIENCE);
      answer = (path) =>
        path === "/v1/token"
          ? gcpStsSuccess("ya29.federated-token-from-sts")
          : json(403, {
              error: {
                code: 403,
                message: "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).",
                status: "PERMISSION_DENIED",
                details: [
                  {
                    "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                    reason: "IAM_PERMISSION_DENIED",
                    domain: "iam.googleapis.com",
                    metadata: { permission: "iam.serviceAccounts.getAccessToken" },
                  },
                ],
              },
            });
      const error = await failure(accessToken());
      assert.ok(error instanceof GcpIamCredentialsError, String(error));
      assert.deepEqual(error.presented, { sub: SUB, aud: GCP_AUDIENCE, iss: ISSUER, sessionTags: false });
      const principal = `principal://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/worker-identity/subject/${SUB}`;
      assert.ok(
        error.hint?.startsWith(
          `the service account ${SERVICE_ACCOUNT} does not grant roles/iam.workloadIdentityUser to ${principal} `,
        ),
        error.hint,
      );
      assert.match(error.hint ?? "", new RegExp(`wid explain <token> --target ${SERVICE_ACCOUNT}`));
      assert.ok(error.message.includes(`token sub=${SUB} aud=${GCP_AUDIENCE} iss=${ISSUER}`), error.message);
      assertNoToken(error, issuer.fixedToken);
      assert.ok(
        !JSON.stringify(error).includes("ya29.federated-token-from-sts"),
        "the federated token is in the error",
      );
    });
  });
});
