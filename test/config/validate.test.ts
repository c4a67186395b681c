import assert from "node:assert/strict";
import { ConfigError } from "../../worker/config/errors.js";
import { validateStackConfig } from "../../worker/config/validate.js";
import {
  ACCOUNT_ID,
  expectOneIssue,
  GCP_AUDIENCE,
  happyRaw,
  issuesOf,
  OPTIONS,
  PROJECT,
  STACK,
  withKey,
  workloadsOf,
} from "./fixtures.js";

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

describe("validateStackConfig: issuer settings, one error each", () => {
  it("missing accountId", () => {
    expectOneIssue(withKey("accountId", undefined), key("accountId"), /pulumi config set accountId/);
  });

  it("bad accountId", () => {
    expectOneIssue(withKey("accountId", "0123456789abcdef"), key("accountId"), /32 lowercase hex characters/);
  });

  it("uppercase accountId", () => {
    expectOneIssue(
      withKey("accountId", ACCOUNT_ID.toUpperCase()),
      key("accountId"),
      new RegExp(`lowercase.*'${ACCOUNT_ID}'`),
    );
  });

  it("accountId read as a number", () => {
    expectOneIssue(withKey("accountId", 1234), key("accountId"), /quote it/);
  });

  it("both issuerHostname and workersDevSubdomain", () => {
    expectOneIssue(withKey("workersDevSubdomain", "acme"), key("workersDevSubdomain"), /keep only one/);
  });

  it("neither issuerHostname nor workersDevSubdomain", () => {
    expectOneIssue(withKey("issuerHostname", undefined), key("issuerHostname"), /pulumi config set issuerHostname/);
  });

  it("hostname with a scheme", () => {
    expectOneIssue(
      withKey("issuerHostname", "https://id.example.dev/"),
      key("issuerHostname"),
      /write 'id\.example\.dev'/,
    );
  });

  it("hostname with a port", () => {
    expectOneIssue(withKey("issuerHostname", "id.example.dev:8443"), key("issuerHostname"), /without a port/);
  });

  it("hostname in uppercase", () => {
    expectOneIssue(
      withKey("issuerHostname", "ID.Example.dev"),
      key("issuerHostname"),
      /lowercase: write 'id\.example\.dev'/,
    );
  });

  it("hostname that is not a DNS name", () => {
    expectOneIssue(withKey("issuerHostname", "id_example"), key("issuerHostname"), /use one such as id\.example\.com/);
  });

  it("workers.dev subdomain written as a hostname", () => {
    const raw = withKey("issuerHostname", undefined);
    raw[key("workersDevSubdomain")] = "acme.workers.dev";
    expectOneIssue(raw, key("workersDevSubdomain"), /write only the account's subdomain: 'acme'/);
  });

  it("issuer script name with '_' on workers.dev", () => {
    const raw = withKey("issuerHostname", undefined);
    raw[key("workersDevSubdomain")] = "acme";
    raw[key("issuerScriptName")] = "identity_issuer";
    expectOneIssue(raw, key("issuerScriptName"), /rename it to 'identity-issuer'/);
  });

  it("bad localIssuerUrl: trailing slash", () => {
    expectOneIssue(happyRaw(), "localIssuerUrl", /remove the trailing slash: 'http:\/\/127\.0\.0\.1:8787'/, {
      ...OPTIONS,
      localIssuerUrl: "http://127.0.0.1:8787/",
    });
  });

  it("bad localIssuerUrl: plain http to another host", () => {
    expectOneIssue(happyRaw(), "localIssuerUrl", /only for 127\.0\.0\.1 or localhost/, {
      ...OPTIONS,
      localIssuerUrl: "http://10.0.0.5:8787",
    });
  });

  it("bad localIssuerUrl: a path", () => {
    expectOneIssue(happyRaw(), "localIssuerUrl", /no path, query or trailing slash/, {
      ...OPTIONS,
      localIssuerUrl: "https://id.example.dev/issuer",
    });
  });

  it("bad localIssuerUrl: port out of range", () => {
    expectOneIssue(happyRaw(), "localIssuerUrl", /between 1 and 65535/, {
      ...OPTIONS,
      localIssuerUrl: "http://localhost:70000",
    });
  });

  for (const value of [0, 366, 1.5, "1.5", "thirty"]) {
    it(`rotationPeriodDays ${JSON.stringify(value)}`, () => {
      const issue = expectOneIssue(
        withKey("rotationPeriodDays", value),
        key("rotationPeriodDays"),
        /integer number of days between 1 and 365; set it to 30 for monthly rotation/,
      );
      assert.ok(issue.message.includes(JSON.stringify(value)), issue.message);
    });
  }

  it("tokenLifetimeSeconds below the minimum", () => {
    expectOneIssue(
      withKey("tokenLifetimeSeconds", 30),
      key("tokenLifetimeSeconds"),
      /between 60 and 43200; set it to 300/,
    );
  });

  it("maxTokenLifetimeSeconds above the cap", () => {
    expectOneIssue(
      withKey("maxTokenLifetimeSeconds", 86_400),
      key("maxTokenLifetimeSeconds"),
      /between 60 and 43200; set it to 3600/,
    );
  });

  it("clockSkewSeconds above the cap", () => {
    expectOneIssue(withKey("clockSkewSeconds", 600), key("clockSkewSeconds"), /between 0 and 300; set it to 60/);
  });

  it("default lifetime above the cap", () => {
    expectOneIssue(
      withKey("tokenLifetimeSeconds", 9000),
      key("tokenLifetimeSeconds"),
      /above maxTokenLifetimeSeconds \(7200\); set it to at most 7200, or raise maxTokenLifetimeSeconds/,
    );
  });

  it("cap below the default lifetime left unset", () => {
    const raw = withKey("tokenLifetimeSeconds", undefined);
    raw[key("maxTokenLifetimeSeconds")] = 200;
    delete (workloadsOf(raw)["reports-exporter"] as Record<string, unknown>).maxTokenLifetimeSeconds;
    expectOneIssue(
      raw,
      key("tokenLifetimeSeconds"),
      /300 \(the default\), above maxTokenLifetimeSeconds \(200\); set it to at most 200/,
    );
  });

  it("unknown signing algorithm", () => {
    expectOneIssue(
      withKey("signingAlgorithm", "HS256"),
      key("signingAlgorithm"),
      /RS256 or ES256.*remove it to use RS256/,
    );
  });

  it("signing algorithm in lowercase", () => {
    expectOneIssue(withKey("signingAlgorithm", "es256"), key("signingAlgorithm"), /must be written 'ES256'/);
  });

  it("bad environment", () => {
    expectOneIssue(withKey("environment", "Staging EU"), key("environment"), /e\.g\. 'staging-eu'/);
  });

  it("stack name that cannot be the default environment", () => {
    expectOneIssue(withKey("environment", undefined), key("environment"), /pulumi config set environment my_stack$/, {
      project: PROJECT,
      stack: "My_Stack!",
    });
  });

  it("bad issuer script name", () => {
    expectOneIssue(
      withKey("issuerScriptName", "Identity Issuer"),
      key("issuerScriptName"),
      /rename it to 'identity-issuer'/,
    );
  });

  it("unknown key, with a suggestion", () => {
    expectOneIssue(withKey("rotationPeriodDay", 30), key("rotationPeriodDay"), /did you mean 'rotationPeriodDays'\?/);
  });

  it("unknown key, far from every known key", () => {
    expectOneIssue(withKey("spireServerAddress", true), key("spireServerAddress"), /remove it \(known: accountId, /);
  });

  it("misspelt project namespace", () => {
    const raw = happyRaw();
    raw["worker-identty:rotationPeriodDays"] = 7;
    expectOneIssue(raw, "worker-identty:rotationPeriodDays", /did you mean 'worker-identity:rotationPeriodDays'\?/);
  });

  it("a key set both qualified and unqualified", () => {
    const raw = happyRaw();
    raw.clockSkewSeconds = 10;
    expectOneIssue(raw, key("clockSkewSeconds"), /set twice.*keep one/);
  });

  it("a secret on a key we read", () => {
    expectOneIssue(withKey("environment", { secure: "v1:abc" }), key("environment"), /without --secret/);
  });

  it("an empty value", () => {
    expectOneIssue(
      withKey("rotationPeriodDays", null),
      key("rotationPeriodDays"),
      /give it a value or delete the line/,
    );
  });

  it("missing workloads", () => {
    expectOneIssue(withKey("workloads", undefined), key("workloads"), /add at least one workload/);
  });

  it("invalid workloads JSON string", () => {
    expectOneIssue(withKey("workloads", "{billing: "), key("workloads"), /not valid JSON.*YAML map/);
  });

  it("workloads given as a list", () => {
    expectOneIssue(
      withKey("workloads", [{ audiences: ["a"] }]),
      key("workloads"),
      /must be a map from Worker script name/,
    );
  });

  it("no workloads", () => {
    expectOneIssue(withKey("workloads", {}), key("workloads"), /add at least one workload/);
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
