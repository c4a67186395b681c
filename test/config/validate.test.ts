// validateStackConfig on configs it accepts: a complete stack resolved as written, the defaults,
// values as `pulumi config set` stores them; and a half-valid config, whose problems all come in
// one error. The issuer settings it refuses, one error each: validate-issues.test.ts.

import assert from "node:assert/strict";
import { ConfigError } from "../../worker/config/errors.js";
import { validateStackConfig } from "../../worker/config/validate.js";
import { ACCOUNT_ID, GCP_AUDIENCE, happyRaw, issuesOf, OPTIONS, PROJECT, STACK, withKey } from "./fixtures.js";

const key = (name: string) => `${PROJECT}:${name}`;

describe("validateStackConfig: a complete stack", () => {
  const config = validateStackConfig(happyRaw(), OPTIONS);

  it("resolves the issuer settings as written", () => {
    assert.deepEqual(config.issuer, {
      accountId: ACCOUNT_ID,
      environment: "stage",
      issuerUrl: "https://id.example.dev",
      scriptName: "identity-issuer",
      signingAlgorithm: "ES256",
      rotationPeriodDays: 14,
      tokenLifetimeSeconds: 600,
      maxTokenLifetimeSeconds: 7200,
      clockSkewSeconds: 30,
    });
    assert.equal(config.project, PROJECT);
    assert.equal(config.stack, STACK);
  });

  it("returns the workloads sorted by name, with subject and entrypoint derived from the name", () => {
    assert.deepEqual(
      config.workloads.map((w) => w.name),
      ["billing", "edge-api", "reports-exporter"],
    );
    const billing = config.workloads[0];
    assert.ok(billing);
    assert.equal(billing.subject, "worker/" + "0123456789abcdef0123456789abcdef" + "/" + "billing");
    assert.equal(billing.entrypoint, "Workload_billing");
    assert.deepEqual(billing.audiences, ["sts.amazonaws.com", GCP_AUDIENCE]);
    assert.deepEqual(billing.claims, { team: "payments", tier: 1, owners: ["ana", "bo"] });
    assert.deepEqual(billing.awsSessionTags, {
      principalTags: { team: "payments", "cost-center": "cc-1234" },
      transitiveTagKeys: ["team"],
    });
    assert.equal(config.workloads[1]?.entrypoint, "Workload_edge_api");
  });

  it("resolves per-workload lifetimes from the issuer's", () => {
    const [billing, edge, reports] = config.workloads;
    // billing sets nothing: the issuer's default and cap.
    assert.deepEqual([billing?.tokenLifetimeSeconds, billing?.maxTokenLifetimeSeconds], [600, 7200]);
    // edge-api sets its default only: the issuer's cap stays.
    assert.deepEqual([edge?.tokenLifetimeSeconds, edge?.maxTokenLifetimeSeconds], [120, 7200]);
    // reports-exporter caps at 900: its default is min(issuer default 600, 900).
    assert.deepEqual([reports?.tokenLifetimeSeconds, reports?.maxTokenLifetimeSeconds], [600, 900]);
    assert.equal(reports?.awsSessionTags, undefined);
    assert.ok(!(reports !== undefined && "awsSessionTags" in reports));
  });

  it("freezes everything it returns, and leaves the input unfrozen", () => {
    const raw = happyRaw();
    const frozen = validateStackConfig(raw, OPTIONS);
    assert.ok(Object.isFrozen(frozen) && Object.isFrozen(frozen.issuer) && Object.isFrozen(frozen.workloads));
    const billing = frozen.workloads[0];
    assert.ok(billing && Object.isFrozen(billing.audiences) && Object.isFrozen(billing.claims));
    assert.ok(Object.isFrozen(billing.claims.owners));
    assert.ok(Object.isFrozen(billing.awsSessionTags?.principalTags));
    assert.throws(() => (billing.audiences as string[]).push("x"), TypeError);
    const input = (raw[key("workloads")] as Record<string, { claims?: Record<string, unknown> }>).billing;
    assert.ok(!Object.isFrozen(input) && !Object.isFrozen(input?.claims?.owners));
  });

  it("ignores keys of other namespaces, even secrets", () => {
    const raw = { ...happyRaw(), "cloudflare:apiToken": { secure: "v1:xyz" }, "aws:profile": 42 };
    assert.doesNotThrow(() => validateStackConfig(raw, OPTIONS));
  });

  it("reads unqualified keys as the project's, as Pulumi does", () => {
    const raw = withKey("rotationPeriodDays", undefined);
    raw.rotationPeriodDays = 7;
    assert.equal(validateStackConfig(raw, OPTIONS).issuer.rotationPeriodDays, 7);
  });
});

describe("validateStackConfig: defaults", () => {
  const minimal = {
    [key("accountId")]: ACCOUNT_ID,
    [key("issuerHostname")]: "id.example.dev",
    [key("workloads")]: { billing: { audiences: ["sts.amazonaws.com"] } },
  };

  it("fills every optional setting with its default", () => {
    const config = validateStackConfig(minimal, { project: PROJECT, stack: "dev" });
    assert.deepEqual(config.issuer, {
      accountId: ACCOUNT_ID,
      environment: "dev",
      issuerUrl: "https://id.example.dev",
      scriptName: "worker-identity",
      signingAlgorithm: "RS256",
      rotationPeriodDays: 30,
      tokenLifetimeSeconds: 300,
      maxTokenLifetimeSeconds: 3600,
      clockSkewSeconds: 60,
    });
    const [billing] = config.workloads;
    assert.deepEqual(billing?.claims, {});
    assert.deepEqual([billing?.tokenLifetimeSeconds, billing?.maxTokenLifetimeSeconds], [300, 3600]);
  });

  it("reads empty strings as unset, as Pulumi.yaml declares them", () => {
    const raw = { ...minimal, [key("environment")]: "", [key("workersDevSubdomain")]: "" };
    assert.equal(validateStackConfig(raw, { project: PROJECT, stack: "dev" }).issuer.environment, "dev");
  });

  it("caps a workload's default lifetime at its own cap", () => {
    const raw = { ...minimal, [key("workloads")]: { billing: { audiences: ["a"], maxTokenLifetimeSeconds: 120 } } };
    const [billing] = validateStackConfig(raw, OPTIONS).workloads;
    assert.deepEqual([billing?.tokenLifetimeSeconds, billing?.maxTokenLifetimeSeconds], [120, 120]);
  });

  it("builds the workers.dev issuer URL from the script name and subdomain", () => {
    const raw = { ...minimal, [key("workersDevSubdomain")]: "acme" };
    delete raw[key("issuerHostname")];
    assert.equal(validateStackConfig(raw, OPTIONS).issuer.issuerUrl, "https://worker-identity.acme.workers.dev");
  });

  it("lets a local issuer URL win over the hostname", () => {
    for (const localIssuerUrl of ["http://127.0.0.1:8787", "http://localhost:9000", "https://abc.trycloudflare.com"]) {
      const config = validateStackConfig(minimal, { ...OPTIONS, localIssuerUrl });
      assert.equal(config.issuer.issuerUrl, localIssuerUrl);
    }
    const noHost = { ...minimal };
    delete noHost[key("issuerHostname")];
    const local = validateStackConfig(noHost, { ...OPTIONS, localIssuerUrl: "http://127.0.0.1:8787" });
    assert.equal(local.issuer.issuerUrl, "http://127.0.0.1:8787");
  });
});

describe("validateStackConfig: values as `pulumi config set` stores them", () => {
  it("accepts integer strings for numeric keys", () => {
    const raw = {
      ...happyRaw(),
      [key("rotationPeriodDays")]: "30",
      [key("tokenLifetimeSeconds")]: "300",
      [key("maxTokenLifetimeSeconds")]: "3600",
      [key("clockSkewSeconds")]: "0",
    };
    const { issuer } = validateStackConfig(raw, OPTIONS);
    assert.deepEqual(
      [issuer.rotationPeriodDays, issuer.tokenLifetimeSeconds, issuer.maxTokenLifetimeSeconds, issuer.clockSkewSeconds],
      [30, 300, 3600, 0],
    );
  });

  it("accepts workloads as a JSON string", () => {
    const raw = withKey(
      "workloads",
      JSON.stringify({ billing: { audiences: ["sts.amazonaws.com"], tokenLifetimeSeconds: "90" } }),
    );
    const [billing] = validateStackConfig(raw, OPTIONS).workloads;
    assert.equal(billing?.tokenLifetimeSeconds, 90);
  });
});

describe("validateStackConfig: every problem in one error", () => {
  it("reports all problems of a half-valid config together", () => {
    const raw = happyRaw();
    delete raw[key("accountId")];
    raw[key("rotationPeriodDays")] = 0;
    raw[key("rotatonPeriod")] = 3;
    const workloads = raw[key("workloads")] as Record<string, Record<string, unknown>>;
    workloads.Billing_Old = { audiences: [] };
    (workloads.billing as Record<string, unknown>).claims = { sub: "x" };
    const issues = issuesOf(() => validateStackConfig(raw, OPTIONS));
    assert.deepEqual(
      issues.map((i) => i.key).sort(),
      [
        key("accountId"),
        key("rotatonPeriod"),
        key("rotationPeriodDays"),
        key("workloads.Billing_Old"),
        key("workloads.Billing_Old.audiences"),
        key("workloads.billing.claims.sub"),
      ].sort(),
    );
  });

  it("lists every issue on its own line of the error message", () => {
    const raw = withKey("accountId", undefined);
    raw[key("clockSkewSeconds")] = -1;
    // assert.throws rather than try/catch: an assert.fail inside the try would land in the catch.
    assert.throws(
      () => validateStackConfig(raw, OPTIONS),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError, String(error));
        const lines = error.message.split("\n");
        assert.match(lines[0] ?? "", /stack 'staging'.*\(2 problems\)/);
        assert.ok(lines.some((line) => line.includes(`${key("accountId")}: is missing`)));
        assert.ok(lines.some((line) => line.includes(`${key("clockSkewSeconds")}: is -1`)));
        return true;
      },
    );
  });
});
