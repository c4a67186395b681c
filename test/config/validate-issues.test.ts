// validateStackConfig on issuer settings it refuses, one change to the happy config (fixtures.ts)
// and one issue each: the key it names and the fix it suggests.

import assert from "node:assert/strict";
import { ACCOUNT_ID, expectOneIssue, happyRaw, OPTIONS, PROJECT, withKey, workloadsOf } from "./fixtures.js";

const key = (name: string) => `${PROJECT}:${name}`;

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
