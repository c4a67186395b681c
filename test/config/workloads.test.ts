import assert from "node:assert/strict";
import { entrypointClassName } from "../../worker/config/entrypoint-name.js";
import { validateStackConfig } from "../../worker/config/validate.js";
import { expectOneIssue, happyRaw, OPTIONS, PROJECT, withKey, withWorkload, workloadsOf } from "./fixtures.js";

const key = (path: string) => `${PROJECT}:workloads.${path}`;

describe("validateStackConfig: workloads, one error each", () => {
  /** One field of one workload set to a value the validator refuses: [title, workload, fields, key, fix]. */
  const FIELD_ISSUES: readonly [string, string, Record<string, unknown>, string, RegExp][] = [
    [
      "unknown workload field, with a suggestion",
      "billing",
      { audience: ["x"] },
      key("billing.audience"),
      /did you mean 'audiences'\?/,
    ],
    [
      "unknown workload field for a section not supported yet",
      "billing",
      { oauth: { clientId: "x" } },
      key("billing.oauth"),
      /is not a workload field.*remove it/,
    ],
    ["empty audiences", "billing", { audiences: [] }, key("billing.audiences"), /list at least one audience/],
    [
      "a single audience string instead of a list",
      "billing",
      { audiences: "sts.amazonaws.com" },
      key("billing.audiences"),
      /write it as a list: \[sts\.amazonaws\.com\]/,
    ],
    [
      "too many audiences",
      "billing",
      { audiences: Array.from({ length: 21 }, (_, i) => `https://rp${i}.example.dev`) },
      key("billing.audiences"),
      /21 audiences, more than the 20.*remove/,
    ],
    [
      "duplicate audience",
      "billing",
      { audiences: ["a", "b", "a"] },
      key("billing.audiences[2]"),
      /repeats audiences\[0\].*remove the duplicate/,
    ],
    [
      "audience with whitespace",
      "billing",
      { audiences: ["sts.amazonaws.com "] },
      key("billing.audiences[0]"),
      /whitespace.*remove it.*"sts\.amazonaws\.com"/,
    ],
    [
      "audience too long",
      "billing",
      { audiences: ["a".repeat(256)] },
      key("billing.audiences[0]"),
      /256 characters long, more than 255; use/,
    ],
    [
      "workload cap above the issuer cap",
      "billing",
      { maxTokenLifetimeSeconds: 10_000 },
      key("billing.maxTokenLifetimeSeconds"),
      /above the issuer's maxTokenLifetimeSeconds \(7200\); lower it to at most 7200/,
    ],
    [
      "workload default above its own cap",
      "reports-exporter",
      { tokenLifetimeSeconds: 1200 },
      key("reports-exporter.tokenLifetimeSeconds"),
      /above the workload's maxTokenLifetimeSeconds \(900\); lower it to at most 900/,
    ],
    [
      "workload lifetime out of bounds",
      "edge-api",
      { tokenLifetimeSeconds: 5 },
      key("edge-api.tokenLifetimeSeconds"),
      /between 60 and 43200; set it to 300/,
    ],
    [
      "reserved claim",
      "billing",
      { claims: { team: "payments", sub: "spoofed" } },
      key("billing.claims.sub"),
      /reserved.*give the static claim another name/,
    ],
    [
      "reserved claim with dots in its name",
      "billing",
      { claims: { "https://aws.amazon.com/tags": {} } },
      `${PROJECT}:workloads.billing.claims["https://aws.amazon.com/tags"]`,
      /reserved/,
    ],
    [
      "too many claims",
      "billing",
      { claims: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`c${i}`, i])) },
      key("billing.claims"),
      /21 claims, more than the 20.*remove/,
    ],
    [
      "claims too large",
      "billing",
      { claims: { notes: "é".repeat(2100) } },
      key("billing.claims"),
      /serialize to \d+ bytes of JSON, more than the 4096 allowed.*shorten/,
    ],
    [
      "claim name too long",
      "billing",
      { claims: { ["n".repeat(65)]: 1 } },
      key(`billing.claims.${"n".repeat(65)}`),
      /longer than 64; shorten it/,
    ],
    [
      "claim value that is not JSON",
      "billing",
      { claims: { tier: { level: Number.NaN } } },
      key("billing.claims.tier.level"),
      /use a finite number or a string/,
    ],
    [
      "bad tag key characters",
      "billing",
      { awsSessionTags: { tags: { "team#1": "payments" } } },
      key(`billing.awsSessionTags.tags["team#1"]`),
      /characters AWS does not allow; use only letters, digits/,
    ],
    [
      "tag value too long",
      "billing",
      { awsSessionTags: { tags: { team: "p".repeat(257) } } },
      key("billing.awsSessionTags.tags.team"),
      /257 characters, more than the 256 AWS allows; shorten it/,
    ],
    [
      "tag value that is a number",
      "billing",
      { awsSessionTags: { tags: { "cost-center": 1234 } } },
      key("billing.awsSessionTags.tags.cost-center"),
      /quote it/,
    ],
    [
      "tag keys differing only in case",
      "billing",
      { awsSessionTags: { tags: { team: "a", Team: "b" } } },
      key("billing.awsSessionTags.tags.Team"),
      /only in case.*keep one/,
    ],
    [
      "transitive key not a tag",
      "billing",
      { awsSessionTags: { tags: { team: "payments" }, transitive: ["team", "owner"] } },
      key("billing.awsSessionTags.transitive[1]"),
      /not one of the tags \(team\); add it to tags or remove it/,
    ],
    [
      "unknown awsSessionTags field",
      "billing",
      { awsSessionTags: { tags: { team: "p" }, transitiveKeys: [] } },
      key("billing.awsSessionTags.transitiveKeys"),
      /did you mean 'transitive'\?/,
    ],
    [
      "session tags without tags",
      "billing",
      { awsSessionTags: { transitive: [] } },
      key("billing.awsSessionTags.tags"),
      /add the session tags as a map/,
    ],
  ];
  for (const [title, workload, fields, configKey, fix] of FIELD_ISSUES) {
    it(title, () => {
      expectOneIssue(
        withWorkload(workload, (w) => Object.assign(w, fields)),
        configKey,
        fix,
      );
    });
  }

  it("bad workload name", () => {
    const raw = happyRaw();
    workloadsOf(raw)["Billing.V2"] = { audiences: ["sts.amazonaws.com"] };
    expectOneIssue(
      raw,
      `${PROJECT}:workloads["Billing.V2"]`,
      /not a valid Worker script name.*rename it to 'billing-v2'/,
    );
  });

  it("workload whose settings are not a map", () => {
    const raw = happyRaw();
    workloadsOf(raw)["ledger-sync"] = ["sts.amazonaws.com"];
    expectOneIssue(raw, key("ledger-sync"), /must be the workload's settings, e\.g\. \{audiences:/);
  });

  it("entrypoint collision names both workloads", () => {
    const raw = happyRaw();
    workloadsOf(raw).edge_api = { audiences: ["sts.amazonaws.com"] };
    const issue = expectOneIssue(raw, key("edge_api"), /rename 'edge_api' or 'edge-api'/);
    assert.match(issue.message, /Workload_edge_api/);
  });

  it("workload named like the issuer script", () => {
    const raw = happyRaw();
    workloadsOf(raw)["identity-issuer"] = { audiences: ["sts.amazonaws.com"] };
    expectOneIssue(raw, key("identity-issuer"), /does not mint tokens for itself; rename the workload/);
  });

  it("missing audiences", () => {
    expectOneIssue(
      withWorkload("billing", (w) => {
        delete w.audiences;
      }),
      key("billing.audiences"),
      /audiences: \[sts\.amazonaws\.com\]/,
    );
  });

  it("too many session tags (51)", () => {
    const tags = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`tag${i}`, "v"]));
    expectOneIssue(
      withWorkload("billing", (w) => {
        w.awsSessionTags = { tags, transitive: ["tag0"] };
      }),
      key("billing.awsSessionTags.tags"),
      /51 tags, more than the 50 AWS STS accepts.*remove/,
    );
  });

  it("a secret inside a workload", () => {
    expectOneIssue(
      withWorkload("billing", (w) => {
        w.claims = { team: { secure: "v1:x" } };
      }),
      key("billing.claims.team"),
      /without --secret/,
    );
  });
});

describe("entrypointClassName", () => {
  it("prefixes the name and turns '-' into '_'", () => {
    assert.equal(entrypointClassName("reports-exporter"), "Workload_reports_exporter");
    assert.equal(entrypointClassName("a-b_c-"), "Workload_a_b_c_");
  });

  it("gives a valid JS identifier for every resolved workload", () => {
    const names = ["0day", "a", "x".repeat(63), "9-9_9", "edge-api"];
    const raw = withKey("workloads", Object.fromEntries(names.map((n) => [n, { audiences: ["sts.amazonaws.com"] }])));
    for (const workload of validateStackConfig(raw, OPTIONS).workloads) {
      assert.match(workload.entrypoint, /^[A-Za-z_$][A-Za-z0-9_$]*$/);
      // Usable as a class name in an ES module, which is what the issuer bundle generates.
      assert.doesNotThrow(() => new Function(`class ${workload.entrypoint} {}; return ${workload.entrypoint};`));
    }
  });
});
