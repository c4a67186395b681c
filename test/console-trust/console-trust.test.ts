// The printed console trust, pure: per workload, exact issuer and subject, the Admin APIs' field
// names, no prefix or wildcard, descriptions naming the stack and workload; and the curl
// commands, run by bash with curl replaced by a recorder, send exactly the printed JSON.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { validateStackConfig } from "../../worker/config/validate.js";
import { anthropicConsoleTrust } from "../../worker/console-trust/anthropic.js";
import { openaiConsoleTrust } from "../../worker/console-trust/openai.js";
import { dev } from "../support/dev-stack.js";

const config = validateStackConfig(dev.config, { project: "worker-identity", stack: "dev" });
const named = (name: string) => {
  const workload = config.workloads.find((w) => w.name === name);
  assert.ok(workload, `Pulumi.dev.yaml has workload ${name}`);
  return workload;
};
const agent = named("support-agent");
const indexer = named("search-indexer");
const ISSUER = `https://${String(dev.config["worker-identity:issuerHostname"])}`;

/** What bash's curl would have POSTed: the URL, the headers, and the body read from stdin. */
function runCurl(command: string, env: Record<string, string> = {}) {
  const recorder =
    'curl() { local url="" ; local headers=() ; while [ $# -gt 0 ]; do case "$1" in -H) headers+=("$2"); shift 2;; ' +
    '-X|--data-binary) shift 2;; -sS) shift;; *) url="$1"; shift;; esac; done; ' +
    // biome-ignore lint/suspicious/noTemplateCurlyInString: bash's own array expansion
    'printf "%s\\n" "$url"; printf "%s\\n" "${headers[@]}"; printf "%s\\n" "---"; cat; }';
  const out = execFileSync("bash", ["--norc", "--noprofile", "-c", `${recorder}\n${command}`], {
    env: { PATH: process.env.PATH ?? "", ANTHROPIC_ADMIN_TOKEN: "admin-token", OPENAI_ADMIN_KEY: "admin-key", ...env },
    encoding: "utf8",
  });
  const [head, body] = out.split("\n---\n");
  const [url, ...headers] = (head ?? "").split("\n");
  return { url, headers, body: JSON.parse(body ?? "null") as unknown };
}

describe("console trust: the Claude API", () => {
  const trust = anthropicConsoleTrust(config.issuer, agent, "dev");

  it("is printed only for a workload with an anthropic section", () => {
    assert.equal(anthropicConsoleTrust(config.issuer, indexer, "dev"), undefined);
    assert.ok(trust);
  });

  it("trusts the stack's exact issuer by OIDC discovery, with replay protection", () => {
    assert.deepEqual(trust?.federationIssuer, {
      name: "wid-dev-id-example-dev",
      issuer_url: ISSUER,
      jwks: { type: "discovery" },
      check_jti: true,
      max_jwt_lifetime_seconds: config.issuer.maxTokenLifetimeSeconds,
    });
  });

  it("matches the audience and exactly this workload's sub, never a prefix or a condition", () => {
    const rule = trust?.federationRule;
    assert.deepEqual(rule?.match, {
      audience: "https://api.anthropic.com",
      claims: { sub: "worker/0123456789abcdef0123456789abcdef/support-agent" },
    });
    assert.equal(Object.hasOwn(rule?.match ?? {}, "subject_prefix"), false);
    assert.equal(Object.hasOwn(rule?.match ?? {}, "condition"), false);
    assert.deepEqual(rule?.target, { type: "service_account", service_account_id: "svac_01HZX3K9Q7R2M4N6P8S0T1V3W5" });
    assert.equal(rule?.oauth_scope, "workspace:inference");
    assert.match(rule?.description ?? "", /stack dev .*workload support-agent only/);
    assert.match(rule?.name ?? "", /^[a-z0-9-]{1,255}$/);
  });

  it("names the issuer id, and the workspace the stack does not give, as shell placeholders", () => {
    const shellVariable = (name: string) => `\${${name}}`;
    assert.equal(trust?.federationRule.issuer_id, shellVariable("ANTHROPIC_FEDERATION_ISSUER_ID"));
    assert.equal(trust?.federationRule.workspace_id, shellVariable("ANTHROPIC_WORKSPACE_ID"));
    assert.deepEqual(
      trust?.placeholders.map((p) => p.variable),
      ["ANTHROPIC_FEDERATION_ISSUER_ID", "ANTHROPIC_WORKSPACE_ID"],
    );
    const withWorkspace = anthropicConsoleTrust(
      config.issuer,
      { ...agent, anthropic: { ...agent.anthropic!, workspaceId: "wrkspc_01X" } },
      "dev",
    );
    assert.equal(withWorkspace?.federationRule.workspace_id, "wrkspc_01X");
    assert.equal(withWorkspace?.exchange.workspace_id, "wrkspc_01X");
  });

  it("the curl commands POST the printed JSON to the Admin API, placeholders filled from the shell", () => {
    const [issuerCall, ruleCall] = trust?.calls ?? [];
    const sentIssuer = runCurl(issuerCall!.curl);
    assert.equal(sentIssuer.url, "https://api.anthropic.com/v1/organizations/federation_issuers");
    assert.deepEqual(sentIssuer.body, trust?.federationIssuer);
    assert.ok(sentIssuer.headers.includes("Authorization: Bearer admin-token"));
    assert.ok(sentIssuer.headers.includes("anthropic-version: 2023-06-01"));
    const sentRule = runCurl(ruleCall!.curl, {
      ANTHROPIC_FEDERATION_ISSUER_ID: "fdis_01",
      ANTHROPIC_WORKSPACE_ID: "default",
    });
    assert.equal(sentRule.url, "https://api.anthropic.com/v1/organizations/federation_rules");
    assert.deepEqual(sentRule.body, { ...trust?.federationRule, issuer_id: "fdis_01", workspace_id: "default" });
  });

  it("a description with shell metacharacters reaches the API unchanged", () => {
    const odd = anthropicConsoleTrust(config.issuer, agent, "dev$(touch /tmp/x)`id`\\n");
    const sent = runCurl(odd!.calls[1]!.curl, {
      ANTHROPIC_FEDERATION_ISSUER_ID: "fdis_01",
      ANTHROPIC_WORKSPACE_ID: "w",
    });
    assert.equal((sent.body as { description: string }).description, odd?.federationRule.description);
  });
});

describe("console trust: the OpenAI API", () => {
  const trust = openaiConsoleTrust(config.issuer, indexer, "dev");

  it("is printed only for a workload with an openai section", () => {
    assert.equal(openaiConsoleTrust(config.issuer, agent, "dev"), undefined);
    assert.ok(trust);
  });

  it("registers the stack's exact issuer and one audience, keys by discovery, no transformations", () => {
    assert.deepEqual(trust?.workloadIdentityProvider, {
      name: "wid-dev-id-example-dev",
      description: `worker-identity stack dev (environment ${config.issuer.environment}): tokens of ${ISSUER} for audience https://api.openai.com/v1`,
      type: "oidc",
      issuer: ISSUER,
      audience: "https://api.openai.com/v1",
      verification: { type: "discovery", discovery_url: `${ISSUER}/.well-known/openid-configuration` },
      attribute_transformations: [],
      enabled: true,
    });
  });

  it("maps exactly this workload's sub to its project service account", () => {
    assert.deepEqual(trust?.federationRule.attribute_matchers, {
      sub: "worker/0123456789abcdef0123456789abcdef/search-indexer",
    });
    assert.equal(trust?.federationRule.project_id, "proj_01HZX3R1T3V5X7Z9B1D3F5H7K9");
    assert.equal(trust?.federationRule.service_account_id, "svc_acct_01HZX3Q8S0U2W4Y6A8C0E2G4J6");
    assert.deepEqual(trust?.exchange, {
      identity_provider_id: "wip_01HZX3P5R7T9V1X3Z5B7D9F1H3",
      service_account_id: "svc_acct_01HZX3Q8S0U2W4Y6A8C0E2G4J6",
    });
    assert.match(trust?.federationRule.description ?? "", /workload search-indexer only/);
  });

  it("the curl commands POST the printed JSON to the Admin API, the rule under the configured provider", () => {
    const [providerCall, ruleCall] = trust?.calls ?? [];
    const sentProvider = runCurl(providerCall!.curl);
    assert.equal(sentProvider.url, "https://api.openai.com/v1/organization/workload_identity_providers");
    assert.deepEqual(sentProvider.body, trust?.workloadIdentityProvider);
    assert.ok(sentProvider.headers.includes("Authorization: Bearer admin-key"));
    const sentRule = runCurl(ruleCall!.curl);
    assert.equal(
      sentRule.url,
      "https://api.openai.com/v1/organization/workload_identity_providers/wip_01HZX3P5R7T9V1X3Z5B7D9F1H3/federation_rules",
    );
    assert.deepEqual(sentRule.body, trust?.federationRule);
  });
});
