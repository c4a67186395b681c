// The whole Pulumi program under mocks, on the repository's Pulumi.dev.yaml: what it declares,
// how the pieces are wired, and that a broken config declares nothing.

import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import type { ConfigError } from "../../worker/config/errors.js";
import { validateStackConfig } from "../../worker/config/validate.js";
import { runtimeConfigOfBundle } from "../../worker/runtime-config/embedding.js";
import { resolveAnthropicAccessTokenOptions } from "../../worker/sdk/anthropic/exchange.js";
import { resolveAzureAccessTokenOptions } from "../../worker/sdk/azure/exchange.js";
import { resolveOpenAiAccessTokenOptions } from "../../worker/sdk/openai/exchange.js";
import { resolveVaultTokenOptions } from "../../worker/sdk/vault/exchange.js";
import { dev, engineConfig, runProgram } from "../support/dev-stack.js";
import { settled } from "../support/fakes/settled.js";
import { installMocks, ofType, recorded, resolved } from "../support/pulumi-mocks.js";

const run = runProgram;

interface Binding {
  type: string;
  name: string;
  text?: string;
  className?: string;
  namespaceId?: string;
}

describe("the Pulumi program under mocks (Pulumi.dev.yaml)", function () {
  this.timeout(60_000);

  it("deploys the issuer script with KV, the SQLite key store and secrets as bindings, its runtime config built into the bundle", async () => {
    await run(engineConfig());
    const scripts = ofType("cloudflare:index/workersScript:WorkersScript").filter(
      (s) => s.inputs.scriptName === "worker-identity",
    );
    assert.equal(scripts.length, 1);
    const script = scripts[0]!.inputs;
    assert.equal(script.accountId, dev.config["worker-identity:accountId"]);
    assert.equal(script.mainModule, "issuer.js");
    assert.deepEqual((script.migrations as { newSqliteClasses: string[] }).newSqliteClasses, ["KeyStore"]);
    const bindings = script.bindings as Binding[];
    const byName = new Map(bindings.map((b) => [b.name, b]));
    assert.equal(byName.get("KEY_ENCRYPTION_KEY")?.type, "secret_text");
    assert.equal(byName.get("ADMIN_TOKEN")?.type, "secret_text");
    assert.equal(byName.get("KEY_STORE")?.type, "durable_object_namespace");
    assert.equal(byName.get("KEY_STORE")?.className, "KeyStore");
    assert.equal(byName.get("PUBLISHED")?.type, "kv_namespace");
    assert.equal(
      byName.get("PUBLISHED")?.namespaceId,
      `${ofType("cloudflare:index/workersKvNamespace:WorkersKvNamespace")[0]?.name}-id`,
    );

    // The stack's settings are no binding (a text binding holds at most 5 KB): they are in the bundle.
    assert.deepEqual(
      bindings.filter((b) => b.type === "plain_text").map((b) => b.name),
      [],
    );
    const content = String(script.content);
    const seenByWorker = runtimeConfigOfBundle(content);
    assert.equal(seenByWorker.version, 2);
    assert.deepEqual(
      seenByWorker.workloads.map((w) => w.name),
      [
        "billing",
        "edge-api",
        "inventory-sync",
        "ledger-sync",
        "reports-exporter",
        "search-indexer",
        "secrets-sync",
        "support-agent",
      ],
    );
    const validated = validateStackConfig(dev.config, { project: dev.project, stack: dev.stack });
    assert.deepEqual(seenByWorker.issuer, validated.issuer);
    assert.equal(seenByWorker.issuer.issuerUrl, "https://id.example.dev");
    assert.ok(
      !JSON.stringify(seenByWorker).includes("inlinePolicies"),
      "cloud federation settings stay out of the Worker",
    );
    for (const workload of validated.workloads) {
      // esbuild writes `var Workload_x = class extends Issuer {…}` and exports it by name.
      assert.match(
        content,
        new RegExp(`var ${workload.entrypoint} = class extends Issuer`),
        `bundle lacks ${workload.entrypoint}`,
      );
      assert.match(
        content,
        new RegExp(`^\\s+${workload.entrypoint},?$`, "m"),
        `bundle does not export ${workload.entrypoint}`,
      );
    }
  });

  it("deploys the configured edge middleware on its route, fetching the JWKS over a binding to the issuer", async () => {
    const deployment = await run(engineConfig());
    const edge = dev.config["worker-identity:edgeMiddleware"] as {
      scriptName: string;
      rules: unknown;
      route: { pattern: string; zoneId: string };
    };
    const scripts = ofType("cloudflare:index/workersScript:WorkersScript").filter(
      (s) => s.inputs.scriptName === edge.scriptName,
    );
    assert.equal(scripts.length, 1);
    const bindings = scripts[0]!.inputs.bindings as Binding[];
    const byName = new Map(bindings.map((b) => [b.name, b]));
    assert.equal(byName.get("ISSUER_URL")?.text, deployment.issuerUrl);
    assert.equal((byName.get("ISSUER") as { service?: string } | undefined)?.service, "worker-identity");
    assert.deepEqual(JSON.parse(byName.get("RULES")?.text ?? "null"), edge.rules);
    const routes = ofType("cloudflare:index/workersRoute:WorkersRoute");
    assert.deepEqual(
      routes.map((r) => [r.inputs.pattern, r.inputs.zoneId]),
      [[edge.route.pattern, edge.route.zoneId]],
    );
    assert.equal(deployment.edgeMiddleware?.scriptName, edge.scriptName);
    // Revoked tokens and ended workflow instances are refused at the edge too.
    assert.equal(byName.get("REVOCATION_LIST_URL")?.text, `${deployment.issuerUrl}/revocations.json`);
    assert.equal(byName.get("INTROSPECTION_URL")?.text, `${deployment.issuerUrl}/introspect`);
    assert.equal(byName.get("INTROSPECTION_CLIENT_ID")?.text, "api-gateway");
    const secret = byName.get("INTROSPECTION_CLIENT_SECRET");
    assert.equal(secret?.type, "secret_text");
    const secrets = await resolved(deployment.issuer.introspectionSecrets);
    assert.equal(
      secret?.text,
      secrets?.["api-gateway"],
      "the middleware authenticates with the secret the issuer holds for it",
    );
  });

  it("serves the issuer on its custom domain and exports its URLs", async () => {
    const deployment = await run(engineConfig());
    const domains = ofType("cloudflare:index/workersCustomDomain:WorkersCustomDomain");
    assert.deepEqual(
      domains.map((d) => d.inputs.hostname),
      [dev.config["worker-identity:issuerHostname"]],
    );
    assert.equal(deployment.issuerUrl, `https://${String(dev.config["worker-identity:issuerHostname"])}`);
    assert.equal(deployment.jwksUri, `${deployment.issuerUrl}/.well-known/jwks.json`);
    assert.equal(ofType("cloudflare:index/workersScriptSubdomain:WorkersScriptSubdomain").length, 0);
  });

  it("federates AWS and GCP for exactly the workloads configured for each cloud", async () => {
    const deployment = await run(engineConfig());
    const providers = ofType("aws:iam/openIdConnectProvider:OpenIdConnectProvider");
    assert.equal(providers.length, 1);
    assert.equal(providers[0]!.inputs.url, deployment.issuerUrl);
    const roles = ofType("aws:iam/role:Role")
      .map((r) => String(r.inputs.name))
      .sort();
    assert.deepEqual(roles, ["wid-billing", "wid-ledger-sync", "wid-nightly-export"]);
    assert.equal(ofType("gcp:iam/workloadIdentityPool:WorkloadIdentityPool").length, 1);
    const grants = ofType("gcp:serviceaccount/iAMMember:IAMMember")
      .map((m) => String(m.inputs.member))
      .sort();
    assert.deepEqual(
      grants,
      ["billing", "reports-exporter"].map(
        (name) =>
          `principal://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/worker-identity/subject/worker/${String(dev.config["worker-identity:accountId"])}/${name}`,
      ),
    );
    assert.equal(
      await resolved(deployment.workloads.billing?.awsRoleArn),
      "arn:aws:iam::111122223333:role/wid-billing",
    );
    // What the SDK's gcpAccessToken takes as `provider` (README): the audience without its scheme.
    assert.equal(
      await resolved(deployment.workloads.billing?.gcpProviderResourceName),
      "projects/123456789012/locations/global/workloadIdentityPools/worker-identity/providers/worker-identity",
    );
    assert.equal(
      await resolved(deployment.workloads.billing?.gcpServiceAccount),
      "wid-billing@example-identity-dev.iam.gserviceaccount.com",
    );
    // What google-auth-library's IdentityPoolClient takes, with the SDK's subject-token supplier.
    assert.deepEqual(await resolved(deployment.workloads.billing?.gcpCredentialConfiguration), {
      type: "external_account",
      audience:
        "//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/worker-identity/providers/worker-identity",
      subject_token_type: "urn:ietf:params:oauth:token-type:jwt",
      token_url: "https://sts.googleapis.com/v1/token",
      service_account_impersonation_url:
        "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/wid-billing@example-identity-dev.iam.gserviceaccount.com:generateAccessToken",
    });
    assert.equal(deployment.workloads["edge-api"]?.gcpCredentialConfiguration, undefined);
    // The wrangler snippet gives the Worker the same values as SDK vars.
    const wrangler = (await resolved(deployment.workloads.billing?.wrangler))!;
    const jsonc = JSON.parse(wrangler.jsonc.split("\n").slice(1).join("\n")) as {
      services: { entrypoint: string }[];
      vars: Record<string, unknown>;
    };
    assert.equal(jsonc.services[0]?.entrypoint, "Workload_billing");
    assert.deepEqual(jsonc.vars, {
      AWS_ROLE_ARN: await resolved(deployment.workloads.billing?.awsRoleArn),
      GCP_PROVIDER: await resolved(deployment.workloads.billing?.gcpProviderResourceName),
      GCP_SERVICE_ACCOUNT: await resolved(deployment.workloads.billing?.gcpServiceAccount),
      GCP_CREDENTIAL_CONFIGURATION: await resolved(deployment.workloads.billing?.gcpCredentialConfiguration),
    });
    assert.match(wrangler.toml, /\[vars\]\nAWS_ROLE_ARN = "arn:aws:iam::111122223333:role\/wid-billing"/);
    assert.equal(deployment.workloads["edge-api"]?.awsRoleArn, undefined);
    assert.equal(deployment.workloads["edge-api"]?.gcpServiceAccount, undefined);
  });

  it("gives each relying-party workload its SDK call's options as a wrangler var, which the SDK accepts as they are", async () => {
    const deployment = await run(engineConfig());
    const varsOf = async (name: string) => {
      const wrangler = (await resolved(deployment.workloads[name]?.wrangler))!;
      return (
        (JSON.parse(wrangler.jsonc.split("\n").slice(1).join("\n")) as { vars?: Record<string, unknown> }).vars ?? {}
      );
    };
    const inventory = await varsOf("inventory-sync");
    assert.deepEqual(Object.keys(inventory), ["AZURE_TOKEN_OPTIONS"]);
    assert.deepEqual(
      inventory.AZURE_TOKEN_OPTIONS,
      await resolved(deployment.workloads["inventory-sync"]?.azure?.azureAccessToken),
    );
    assert.equal(
      (inventory.AZURE_TOKEN_OPTIONS as { tenantId: string }).tenantId,
      "8d2b6f3e-51a4-4c9e-9a1b-3f0e7c5d2a10",
    );
    resolveAzureAccessTokenOptions({
      ...(inventory.AZURE_TOKEN_OPTIONS as object),
      scope: "https://storage.azure.com/.default",
    });
    const secrets = await varsOf("secrets-sync");
    assert.deepEqual(Object.keys(secrets), ["VAULT_TOKEN_OPTIONS"]);
    assert.equal(resolveVaultTokenOptions(secrets.VAULT_TOKEN_OPTIONS).audience, "https://vault.example.dev");
    const agent = await varsOf("support-agent");
    assert.deepEqual(agent.ANTHROPIC_TOKEN_OPTIONS, {
      organizationId: "5f1c9a7e-2b3d-4e8f-9a6b-1c2d3e4f5a6b",
      serviceAccountId: "svac_01HZX3K9Q7R2M4N6P8S0T1V3W5",
      federationRuleId: "fdrl_01HZX3M2B4C6D8F0G2H4J6K8L0",
      audience: "https://api.anthropic.com",
    });
    resolveAnthropicAccessTokenOptions(agent.ANTHROPIC_TOKEN_OPTIONS);
    const indexer = await varsOf("search-indexer");
    assert.deepEqual(indexer.OPENAI_TOKEN_OPTIONS, {
      identityProviderId: "wip_01HZX3P5R7T9V1X3Z5B7D9F1H3",
      serviceAccountId: "svc_acct_01HZX3Q8S0U2W4Y6A8C0E2G4J6",
      audience: "https://api.openai.com/v1",
    });
    resolveOpenAiAccessTokenOptions(indexer.OPENAI_TOKEN_OPTIONS);
    for (const name of ["billing", "ledger-sync", "edge-api"]) {
      const vars = Object.keys(await varsOf(name));
      assert.ok(!vars.some((v) => /^(AZURE|VAULT|ANTHROPIC|OPENAI)_/.test(v)), `${name}: ${vars.join(", ")}`);
    }
  });

  it("outputs each workload's subject and a wrangler binding to its own entrypoint", async () => {
    const deployment = await run(engineConfig());
    const billing = deployment.workloads.billing!;
    assert.equal(billing.subject, `worker/${String(dev.config["worker-identity:accountId"])}/billing`);
    assert.match(billing.wranglerBinding, /entrypoint = "Workload_billing"/);
    assert.match(billing.wranglerBinding, /service = "worker-identity"/);
    assert.deepEqual(deployment.issuer.bindingsFor("ledger-sync"), [
      { type: "service", name: "ISSUER", service: "worker-identity", entrypoint: "Workload_ledger_sync" },
    ]);
    assert.throws(() => deployment.issuer.bindingsFor("ghost"), /not registered/);
  });

  it("serves the issuer on workers.dev when no hostname is configured", async () => {
    const deployment = await run(
      engineConfig({ "worker-identity:workersDevSubdomain": "acme" }, ["worker-identity:issuerHostname"]),
    );
    assert.equal(deployment.issuerUrl, "https://worker-identity.acme.workers.dev");
    assert.equal(ofType("cloudflare:index/workersScriptSubdomain:WorkersScriptSubdomain").length, 1);
    assert.equal(ofType("cloudflare:index/workersCustomDomain:WorkersCustomDomain").length, 0);
  });

  it("declares nothing at all for a half-valid config, and names every broken key", async () => {
    installMocks(dev.project, dev.stack);
    pulumi.runtime.setAllConfig(
      engineConfig({ "worker-identity:accountId": "not-an-account", "worker-identity:rotationPeriodDays": "0" }),
    );
    const { defineProgram } = await import("../../infra/program.js");
    let thrown: unknown;
    try {
      defineProgram();
    } catch (error) {
      thrown = error;
    }
    // The program is loaded through the ESM loader and this file through tsx's CommonJS one, so
    // the class identity differs: recognise the error by its code.
    assert.equal((thrown as ConfigError).code, "ERR_STACK_CONFIG", String(thrown));
    const keys = (thrown as ConfigError).issues.map((i) => i.key);
    assert.ok(keys.includes("worker-identity:accountId"), keys.join(", "));
    assert.ok(keys.includes("worker-identity:rotationPeriodDays"), keys.join(", "));
    await settled();
    assert.equal(recorded.length, 0, `resources were declared: ${recorded.map((r) => r.type).join(", ")}`);
  });
});
