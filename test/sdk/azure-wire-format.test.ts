// azureAccessToken against @azure/identity's ClientAssertionCredential (MSAL node underneath) for
// the same call: both talk to one loopback server (MSAL's requests for login.microsoftonline.com
// are sent there by its httpClient option), which captures what arrives. Method, path, content
// type and every documented body field are the same; what MSAL adds beyond the documented
// request (library and telemetry fields, request ids) is listed as extras ours need not send.
// Both also read the same refusal as the same AADSTS code.

import assert from "node:assert/strict";
import { ClientAssertionCredential } from "@azure/identity";
import { EntraError, identity } from "@worker-identity/sdk";
import {
  CLIENT_ID,
  entraError,
  entraSuccess,
  loopbackHttpClient,
  STORAGE_SCOPE,
  TENANT,
  TOKEN_PATH,
} from "./support/entra-fixtures.js";
import { FakeIssuer, TestClock } from "./support/fixtures.js";
import { type CapturedRequest, formFields, LoopbackServer, type ScriptedAnswer } from "./support/loopback.js";

/** The documented request: https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-client-creds-grant-flow#third-case-access-token-request-with-a-federated-credential */
const DOCUMENTED_FIELDS = ["client_assertion", "client_assertion_type", "client_id", "grant_type", "scope"];
/** What MSAL node 7 adds to the body: its SKU, version, OS and CPU, capabilities, telemetry and request id. */
const MSAL_BODY_EXTRAS = [
  "client-request-id",
  "x-client-CPU",
  "x-client-OS",
  "x-client-SKU",
  "x-client-VER",
  "x-client-current-telemetry",
  "x-client-last-telemetry",
  "x-ms-lib-capability",
];

const contentType = (request: CapturedRequest) =>
  String(request.headers["content-type"]).replace(/\s+/g, "").toLowerCase();
const pathOf = (request: CapturedRequest) => new URL(request.path, "http://x").pathname;

describe("azureAccessToken's request matches @azure/identity's ClientAssertionCredential", () => {
  let server: LoopbackServer;
  let answer: () => ScriptedAnswer;

  before(async () => {
    server = await LoopbackServer.start(() => answer());
  });
  beforeEach(() => {
    server.requests.splice(0);
    answer = () => entraSuccess("eyJ0eXAiOiJKV1QifQ.access.token");
  });
  after(() => server?.close());

  function official(assertion: string) {
    return new ClientAssertionCredential(TENANT, CLIENT_ID, async () => assertion, {
      httpClient: loopbackHttpClient(server.url),
      retryOptions: { maxRetries: 0 },
    });
  }

  it("the same method, path, content type and documented fields; MSAL's extras listed", async () => {
    const issuer = new FakeIssuer(new TestClock(Date.now()));
    const ours = await identity(issuer).azureAccessToken({
      tenantId: TENANT,
      clientId: CLIENT_ID,
      scope: STORAGE_SCOPE,
      authorityHost: server.url,
    });
    assert.equal(ours.accessToken, "eyJ0eXAiOiJKV1QifQ.access.token");
    assert.deepEqual(issuer.calls, [{ audience: "api://AzureADTokenExchange", options: undefined }]);
    const assertion = issuer.issued[0]!.token;

    const theirs = await official(assertion).getToken(STORAGE_SCOPE);
    assert.equal(theirs.token, ours.accessToken);
    assert.equal(server.requests.length, 2, "MSAL asks nothing else (no instance discovery for the public cloud)");
    const [mine, msal] = server.requests as [CapturedRequest, CapturedRequest];

    assert.equal(mine.method, "POST");
    assert.equal(msal.method, "POST");
    assert.equal(pathOf(mine), TOKEN_PATH);
    assert.equal(pathOf(msal), TOKEN_PATH);
    assert.equal(contentType(mine), contentType(msal));
    assert.equal(contentType(mine), "application/x-www-form-urlencoded;charset=utf-8");

    const mineFields = formFields(mine.body);
    const msalFields = formFields(msal.body);
    assert.deepEqual(Object.keys(mineFields).sort(), DOCUMENTED_FIELDS);
    for (const field of DOCUMENTED_FIELDS) assert.equal(mineFields[field], msalFields[field], field);
    assert.deepEqual(
      Object.keys(msalFields)
        .filter((f) => !DOCUMENTED_FIELDS.includes(f))
        .sort(),
      [...MSAL_BODY_EXTRAS].sort(),
      "MSAL's extras beyond the documented request",
    );
    // Written out from the documentation, not read off either request.
    assert.equal(mineFields.grant_type, "client_credentials");
    assert.equal(mineFields.client_assertion_type, "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
    assert.equal(mineFields.client_assertion, assertion);
    assert.equal(mineFields.client_id, CLIENT_ID);
    assert.equal(mineFields.scope, STORAGE_SCOPE);
    // MSAL puts client-request-id in the query too; ours sends no query.
    assert.equal(new URL(mine.path, "http://x").search, "");
    assert.deepEqual([...new URL(msal.path, "http://x").searchParams.keys()], ["client-request-id"]);
    // Headers MSAL sends that ours need not: its request id and user agent.
    assert.ok(msal.headers["x-ms-client-request-id"]);
    assert.match(String(msal.headers["user-agent"]), /azsdk-js-identity/);
  });

  it("both read Entra's refusal of an unmatched FIC as AADSTS700213", async () => {
    answer = () =>
      entraError(
        400,
        "invalid_client",
        700213,
        "AADSTS700213: No matching federated identity record found for presented assertion subject 'worker/0123/billing'.",
      );
    const issuer = new FakeIssuer(new TestClock(Date.now()));
    const mine = await identity(issuer)
      .azureAccessToken({ tenantId: TENANT, clientId: CLIENT_ID, scope: STORAGE_SCOPE, authorityHost: server.url })
      .then(
        () => assert.fail("expected a refusal"),
        (e: unknown) => e,
      );
    assert.ok(mine instanceof EntraError);
    assert.equal(mine.serviceCode, "AADSTS700213");
    const theirs = await official(issuer.issued[0]!.token)
      .getToken(STORAGE_SCOPE)
      .then(
        () => assert.fail("expected a refusal"),
        (e: unknown) => e as Error,
      );
    assert.match(theirs.message, /AADSTS700213/);
  });
});
