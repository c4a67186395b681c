// The google-auth-library drop-in: a workload's external_account configuration and the SDK's
// subject-token supplier make an IdentityPoolClient that exchanges this Worker's issuer token at
// (loopback) Google STS and impersonates the workload's service account. The shapes are checked
// against google-auth-library's own types.

import assert from "node:assert/strict";
import { gcpCredentialConfiguration, gcpSubjectTokenSupplier } from "@worker-identity/sdk";
import { IdentityPoolClient, type IdentityPoolClientOptions, type SubjectTokenSupplier } from "google-auth-library";
import { OptionsError } from "../../worker/options/options-error.js";
import {
  FakeIssuer,
  GCP_AUDIENCE,
  gcpStsSuccess,
  generateAccessTokenSuccess,
  isoSeconds,
  PROVIDER,
  SERVICE_ACCOUNT,
  TestClock,
} from "./support/fixtures.js";
import { formFields, LoopbackServer } from "./support/loopback.js";

const JWT = "urn:ietf:params:oauth:token-type:jwt";

describe("gcpCredentialConfiguration and gcpSubjectTokenSupplier with google-auth-library", () => {
  let server: LoopbackServer;

  before(async () => {
    server = await LoopbackServer.start((request) =>
      request.path === "/v1/token"
        ? gcpStsSuccess("federated-access-token")
        : generateAccessTokenSuccess("sa-access-token", isoSeconds(Date.now() + 3_600_000)),
    );
  });
  beforeEach(() => server.requests.splice(0));
  after(() => server?.close());

  /** The configuration with Google's hosts sent to the loopback server instead. */
  function onLoopback(options: IdentityPoolClientOptions): IdentityPoolClientOptions {
    const local = (url: string | undefined) => url?.replace(/^https:\/\/[^/]+/, server.url);
    return {
      ...options,
      token_url: local(options.token_url)!,
      ...(options.service_account_impersonation_url
        ? { service_account_impersonation_url: local(options.service_account_impersonation_url)! }
        : {}),
    };
  }

  it("is the external_account configuration Google documents for a workload identity pool provider", () => {
    assert.deepEqual(gcpCredentialConfiguration(PROVIDER, SERVICE_ACCOUNT), {
      type: "external_account",
      audience: `//iam.googleapis.com/${PROVIDER}`,
      subject_token_type: JWT,
      token_url: "https://sts.googleapis.com/v1/token",
      service_account_impersonation_url: `https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/${SERVICE_ACCOUNT}:generateAccessToken`,
    });
    assert.equal(gcpCredentialConfiguration(PROVIDER).service_account_impersonation_url, undefined);
  });

  it("makes an IdentityPoolClient that exchanges this Worker's token and impersonates its service account", async () => {
    const issuer = new FakeIssuer(new TestClock(Date.now()));
    const supplier: SubjectTokenSupplier = gcpSubjectTokenSupplier(issuer);
    const client = new IdentityPoolClient({
      ...onLoopback(gcpCredentialConfiguration(PROVIDER, SERVICE_ACCOUNT)),
      subject_token_supplier: supplier,
    });
    const { token } = await client.getAccessToken();
    assert.equal(token, "sa-access-token");
    assert.deepEqual(issuer.calls, [{ audience: GCP_AUDIENCE, options: undefined }]);
    const [exchange, impersonation] = server.requests;
    assert.equal(formFields(exchange!.body).subject_token, issuer.issued[0]!.token);
    assert.equal(formFields(exchange!.body).audience, GCP_AUDIENCE);
    assert.equal(impersonation!.path, `/v1/projects/-/serviceAccounts/${SERVICE_ACCOUNT}:generateAccessToken`);
  });

  it("hands out the SDK's cached token: two clients, one issuer call", async () => {
    const issuer = new FakeIssuer(new TestClock(Date.now()));
    for (let i = 0; i < 2; i++) {
      const client = new IdentityPoolClient({
        ...onLoopback(gcpCredentialConfiguration(PROVIDER)),
        subject_token_supplier: gcpSubjectTokenSupplier(issuer),
      });
      assert.equal((await client.getAccessToken()).token, "federated-access-token");
    }
    assert.equal(issuer.calls.length, 1);
    assert.equal(server.requests.length, 2, "each client made its own exchange");
  });

  it("refuses a context that is not a Workload Identity provider's JWT exchange, asking the issuer nothing", async () => {
    const issuer = new FakeIssuer(new TestClock(Date.now()));
    const supplier = gcpSubjectTokenSupplier(issuer);
    await assert.rejects(
      supplier.getSubjectToken({ audience: "https://api.example.com", subjectTokenType: JWT }),
      (error) => error instanceof OptionsError && error.issues[0]?.path === "audience",
    );
    await assert.rejects(
      supplier.getSubjectToken({
        audience: GCP_AUDIENCE,
        subjectTokenType: "urn:ietf:params:aws:token-type:aws4_request",
      }),
      (error) => error instanceof OptionsError && error.issues[0]?.path === "subject_token_type",
    );
    assert.equal(issuer.calls.length, 0);
  });
});
