// The example workload's SDK routes (what `npm start` serves), on the paths that need no cloud:
// options refused before any request, the issuer's refusal of an audience the workload lacks, and
// (for the relying parties beyond AWS and GCP, on the dev stack) each party's own refusal, from a
// loopback stand-in of its token endpoint that the route's options point at.

import assert from "node:assert/strict";
import { dev } from "../support/dev-stack.js";
import { IssuerHarness } from "../support/issuer-harness.js";
import { PROVIDER } from "./support/fixtures.js";
import { LoopbackServer } from "./support/loopback.js";

describe("example workload: /aws and /gcp routes", function () {
  this.timeout(120_000);
  let issuer: IssuerHarness;
  before(async () => {
    issuer = await IssuerHarness.start();
  });
  after(() => issuer?.dispose());

  async function get(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await issuer.mf.dispatchFetch(`${issuer.url}${path}`);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it("answers 400 with every misused option, before calling anything", async () => {
    const aws = await get("/workloads/billing/aws?roleArn=wid-billing&region=mars");
    assert.equal(aws.status, 400);
    assert.equal(aws.body.code, "ERR_INVALID_OPTIONS");
    assert.match(String(aws.body.detail), /roleArn must be an IAM role ARN[\s\S]*region must be an AWS region/);
    const gcp = await get("/workloads/billing/gcp");
    assert.equal(gcp.status, 400);
    assert.match(String(gcp.body.detail), /providerResourceName must be/);
  });

  it("answers 400 with the issuer's code when the workload may not have a token for that cloud", async () => {
    const gcp = await get(`/workloads/ledger-sync/gcp?provider=${encodeURIComponent(PROVIDER)}`);
    assert.equal(gcp.status, 400);
    assert.deepEqual(
      [gcp.body.code, gcp.body.service, gcp.body.issuerCode, gcp.body.retryable],
      ["ERR_ISSUER_REFUSED", "issuer", "ERR_AUDIENCE_NOT_ALLOWED", false],
    );
    const aws = await get(
      "/workloads/reports-exporter/aws?roleArn=arn:aws:iam::123456789012:role/wid-reports-exporter&region=us-east-1",
    );
    assert.equal(aws.body.issuerCode, "ERR_AUDIENCE_NOT_ALLOWED");
  });

  it("still answers the token route as before", async () => {
    const token = await get("/workloads/billing/token?audience=sts.amazonaws.com");
    assert.equal(token.status, 200);
    assert.equal(typeof token.body.token, "string");
  });
});

describe("example workload: the /azure, /vault, /anthropic and /openai routes on the dev stack", function () {
  this.timeout(120_000);
  let issuer: IssuerHarness;
  let party: LoopbackServer;
  const TENANT = "8d2b6f3e-51a4-4c9e-9a1b-3f0e7c5d2a10";
  const CLIENT = "0b7e2c1a-4d5f-4a6b-8c9d-0e1f2a3b4c5d";
  const AGENT = dev.config["worker-identity:workloads"] as Record<string, { anthropic?: Record<string, string> }>;
  before(async () => {
    // Each party's documented refusal: Entra's no-matching-FIC, Vault's permission denied, the OAuth invalid_grant.
    party = await LoopbackServer.start((request) => {
      if (request.path === `/${TENANT}/oauth2/v2.0/token`) {
        return {
          status: 400,
          contentType: "application/json",
          body: JSON.stringify({
            error: "invalid_client",
            error_description: "AADSTS700213: No matching federated identity record found for presented assertion.",
            error_codes: [700213],
          }),
        };
      }
      if (request.path === "/v1/auth/worker-identity/login") {
        return {
          status: 403,
          contentType: "application/json",
          body: JSON.stringify({ errors: ["permission denied"] }),
        };
      }
      return {
        status: 400,
        contentType: "application/json",
        body: JSON.stringify({ error: "invalid_grant", error_description: "no rule matches this assertion" }),
      };
    });
    issuer = await IssuerHarness.start({ config: dev.config });
  });
  after(async () => {
    await issuer?.dispose();
    await party?.close();
  });

  async function get(path: string, query: Record<string, string> = {}) {
    const search = new URLSearchParams(query).toString();
    const response = await issuer.mf.dispatchFetch(`${issuer.url}${path}${search === "" ? "" : `?${search}`}`);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it("answers 400 naming every missing option, before calling anything", async () => {
    const cases: [string, RegExp][] = [
      ["/workloads/inventory-sync/azure", /tenantId[\s\S]*clientId[\s\S]*scope/],
      ["/workloads/secrets-sync/vault", /address[\s\S]*role/],
      ["/workloads/support-agent/anthropic", /organizationId[\s\S]*serviceAccountId[\s\S]*federationRuleId/],
      ["/workloads/search-indexer/openai", /identityProviderId[\s\S]*serviceAccountId/],
    ];
    for (const [path, names] of cases) {
      const answer = await get(path);
      assert.equal(answer.status, 400, path);
      assert.equal(answer.body.code, "ERR_INVALID_OPTIONS", path);
      assert.match(String(answer.body.detail), names, path);
    }
    assert.equal(party.requests.length, 0);
  });

  it("answers 400 with the issuer's code when the workload may not have that party's audience", async () => {
    const answer = await get("/workloads/billing/azure", {
      tenantId: TENANT,
      clientId: CLIENT,
      scope: "https://storage.azure.com/.default",
      authorityHost: party.url,
    });
    assert.equal(answer.status, 400);
    assert.deepEqual([answer.body.code, answer.body.issuerCode], ["ERR_ISSUER_REFUSED", "ERR_AUDIENCE_NOT_ALLOWED"]);
    assert.equal(party.requests.length, 0);
  });

  it("ends each exchange in the party's own refusal, with its code, after presenting the workload's token", async () => {
    const anthropic = AGENT["support-agent"]?.anthropic ?? {};
    const answers = {
      azure: await get("/workloads/inventory-sync/azure", {
        tenantId: TENANT,
        clientId: CLIENT,
        scope: "https://storage.azure.com/.default",
        authorityHost: party.url,
      }),
      vault: await get("/workloads/secrets-sync/vault", {
        address: party.url,
        role: "wid-secrets-sync",
        audience: "https://vault.example.dev",
      }),
      anthropic: await get("/workloads/support-agent/anthropic", {
        organizationId: String(anthropic.organizationId),
        serviceAccountId: String(anthropic.serviceAccountId),
        federationRuleId: String(anthropic.federationRuleId),
        audience: String(anthropic.audience),
        baseUrl: party.url,
      }),
      openai: await get("/workloads/search-indexer/openai", {
        identityProviderId: "wip_01HZX3P5R7T9V1X3Z5B7D9F1H3",
        serviceAccountId: "svc_acct_01HZX3Q8S0U2W4Y6A8C0E2G4J6",
        audience: "https://api.openai.com/v1",
        tokenUrl: `${party.url}/oauth/token`,
      }),
    };
    assert.deepEqual(
      Object.fromEntries(
        Object.entries(answers).map(([name, a]) => [name, [a.status, a.body.code, a.body.service, a.body.serviceCode]]),
      ),
      {
        azure: [502, "ERR_ENTRA", "entra", "AADSTS700213"],
        vault: [502, "ERR_VAULT", "vault", "permission denied"],
        anthropic: [502, "ERR_ANTHROPIC", "anthropic", "invalid_grant"],
        openai: [502, "ERR_OPENAI", "openai", "invalid_grant"],
      },
    );
    // Each party got the workload's own token for its audience, and no answer shows it.
    const subjects = party.requests.map((r) => {
      const body = r.body.startsWith("{")
        ? (JSON.parse(r.body) as Record<string, string>)
        : Object.fromEntries(new URLSearchParams(r.body));
      const token = body.client_assertion ?? body.jwt ?? body.assertion ?? body.subject_token ?? "";
      for (const answer of Object.values(answers)) assert.ok(!JSON.stringify(answer.body).includes(token));
      const claims = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString()) as {
        sub: string;
        aud: string;
      };
      return [claims.sub.split("/").pop(), claims.aud];
    });
    assert.deepEqual(subjects, [
      ["inventory-sync", "api://AzureADTokenExchange"],
      ["secrets-sync", "https://vault.example.dev"],
      ["support-agent", "https://api.anthropic.com"],
      ["search-indexer", "https://api.openai.com/v1"],
    ]);
  });
});
