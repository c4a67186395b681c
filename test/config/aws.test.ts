// The `aws` stack key and a workload's `aws` section: one broken field per test, each asserting
// the issue's key and that its message names the fix.

import assert from "node:assert/strict";
import { validateStackConfig } from "../../worker/config/validate.js";
import {
  CLOUD_AWS_AUDIENCE,
  cloudWithKey,
  cloudWithSetting,
  cloudWithWorkload,
  itRefusesBillingFields,
  key,
  withBillingField,
} from "./cloud-fixtures.js";
import { expectOneIssue, OPTIONS } from "./fixtures.js";

const billingAws = (path: string) => key(`workloads.billing.aws.${path}`);

/** The cloud map with one field of billing's aws section set. */
const withBillingAws = (field: string, value: unknown) => withBillingField("aws", field, value);

describe("validateStackConfig: the aws stack key, one error each", () => {
  it("aws given as a list", () => {
    expectOneIssue(cloudWithKey("aws", ["sts.amazonaws.com"]), key("aws"), /must be a map: \{\} to federate AWS/);
  });

  it("aws written with no value", () => {
    expectOneIssue(cloudWithKey("aws", null), key("aws"), /write aws: \{\} to federate AWS with the defaults/);
  });

  it("aws as JSON text that does not parse", () => {
    expectOneIssue(
      cloudWithKey("aws", "{audience: x"),
      key("aws"),
      /not valid JSON.*write it in the stack file as a map/,
    );
  });

  it("unknown aws field, with a suggestion", () => {
    const raw = cloudWithKey("aws", { audiences: [CLOUD_AWS_AUDIENCE] });
    expectOneIssue(raw, key("aws.audiences"), /is not an aws setting; did you mean 'audience'\?/);
  });

  it("empty audience", () => {
    expectOneIssue(
      cloudWithSetting("aws", "audience", ""),
      key("aws.audience"),
      /remove it to use sts\.amazonaws\.com/,
    );
  });

  it("audience longer than an OIDC client id", () => {
    expectOneIssue(
      cloudWithSetting("aws", "audience", "a".repeat(256)),
      key("aws.audience"),
      /256 characters long, more than the 255 an IAM OIDC provider's client id may have; shorten it/,
    );
  });

  it("audience with whitespace", () => {
    expectOneIssue(
      cloudWithSetting("aws", "audience", `${CLOUD_AWS_AUDIENCE} `),
      key("aws.audience"),
      /whitespace.*remove it: "aws-sts\.id\.example\.dev"/,
    );
  });

  it("audience that is not a string", () => {
    expectOneIssue(cloudWithSetting("aws", "audience", 42), key("aws.audience"), /quote it/);
  });
});

describe("validateStackConfig: a workload's aws section, one error each", () => {
  it("aws section written with no value", () => {
    expectOneIssue(
      cloudWithWorkload("ledger-sync", (w) => {
        w.aws = null;
      }),
      key("workloads.ledger-sync.aws"),
      /write aws: \{\} for a role named wid-<workload>/,
    );
  });

  it("aws section that is not a map", () => {
    expectOneIssue(
      cloudWithWorkload("ledger-sync", (w) => {
        w.aws = "wid-ledger-sync";
      }),
      key("workloads.ledger-sync.aws"),
      /must be a map like \{\}/,
    );
  });

  itRefusesBillingFields("aws", [
    ["unknown aws field, with a suggestion", "roleNme", "x", "roleNme", /did you mean 'roleName'\?/],
    [
      "role name with a space",
      "roleName",
      "billing role",
      "roleName",
      /IAM role name must be 1 to 64 letters, digits or _ \+ = , \. @ -; rename it, e.g\. 'billing-role'/,
    ],
    ["role name longer than 64 characters", "roleName", "r".repeat(65), "roleName", /1 to 64 .*rename it/],
    [
      "managed policy given by name instead of ARN",
      "managedPolicyArns",
      ["AmazonS3ReadOnlyAccess"],
      "managedPolicyArns[0]",
      /write 'arn:aws:iam::aws:policy\/AmazonS3ReadOnlyAccess'/,
    ],
    [
      "managed policy ARN with a short account id",
      "managedPolicyArns",
      ["arn:aws:iam::1234:policy/reader"],
      "managedPolicyArns[0]",
      /arn:aws:iam::<12-digit account id>:policy\/<path and name> for your own; e\.g\./,
    ],
    [
      "inline policy with an empty Statement",
      "inlinePolicies",
      { read: { Version: "2012-10-17", Statement: [] } },
      "inlinePolicies.read.Statement",
      /list at least one statement/,
    ],
    [
      "inline policy JSON text that does not parse",
      "inlinePolicies",
      { read: '{"Version": "2012-10-17",' },
      "inlinePolicies.read",
      /not valid JSON.*write the policy as a YAML map or as JSON text/,
    ],
    [
      "inline policy that is a list",
      "inlinePolicies",
      { read: ["s3:GetObject"] },
      "inlinePolicies.read",
      /must be an IAM policy document, e\.g\. \{Version: "2012-10-17"/,
    ],
    [
      "session duration below an hour",
      "maxSessionDurationSeconds",
      1800,
      "maxSessionDurationSeconds",
      /integer number of seconds between 3600 and 43200; set it to 3600 \(1 hour\), the default/,
    ],
    [
      "session duration above 12 hours",
      "maxSessionDurationSeconds",
      86_400,
      "maxSessionDurationSeconds",
      /between 3600 and 43200/,
    ],
  ]);

  it("default role name longer than 64 characters", () => {
    const name = "n".repeat(61);
    const raw = cloudWithWorkload(name, (w) => {
      w.audiences = [CLOUD_AWS_AUDIENCE];
      w.aws = {};
    });
    expectOneIssue(
      raw,
      key(`workloads.${name}.aws.roleName`),
      /is not set, and the default 'wid-n+' \(wid-<workload>\) is 65 characters, more than the 64 IAM allows; set aws\.roleName/,
    );
  });

  it("managed policy ARNs IAM's AttachRolePolicy refuses: an unknown partition, a name with a space, no name", () => {
    for (const arn of [
      "arn:aws-mars:iam::aws:policy/Reader",
      "arn:aws:iam::111122223333:policy/team/read only",
      "arn:aws:iam::aws:policy/",
    ]) {
      expectOneIssue(
        withBillingAws("managedPolicyArns", [arn]),
        billingAws("managedPolicyArns[0]"),
        /must be an IAM managed policy ARN/,
      );
    }
    // Partitions and paths IAM accepts.
    for (const arn of [
      "arn:aws-us-gov:iam::aws:policy/ReadOnlyAccess",
      "arn:aws:iam::aws:policy/service-role/AWSLambdaRole",
    ]) {
      assert.doesNotThrow(() => validateStackConfig(withBillingAws("managedPolicyArns", [arn]), OPTIONS), arn);
    }
  });

  it("managed policies given as one string", () => {
    const arn = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess";
    expectOneIssue(
      withBillingAws("managedPolicyArns", arn),
      billingAws("managedPolicyArns"),
      /write it as a list: \[arn:aws/,
    );
  });

  it("duplicate managed policy", () => {
    const arn = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess";
    expectOneIssue(
      withBillingAws("managedPolicyArns", [arn, arn]),
      billingAws("managedPolicyArns[1]"),
      /repeats managedPolicyArns\[0\]; remove the duplicate/,
    );
  });

  it("more managed policies than AWS attaches to a role", () => {
    const arns = Array.from({ length: 21 }, (_, i) => `arn:aws:iam::111122223333:policy/p${i}`);
    expectOneIssue(
      withBillingAws("managedPolicyArns", arns),
      billingAws("managedPolicyArns"),
      /21 policies, more than the 20 AWS attaches to one role; combine them/,
    );
  });

  it("inline policy without Version (a YAML map)", () => {
    const policy = { Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] };
    expectOneIssue(
      withBillingAws("inlinePolicies", { read: policy }),
      billingAws("inlinePolicies.read.Version"),
      /has no Version; set Version: "2012-10-17"/,
    );
  });

  it("inline policy with the 2008 Version (JSON text)", () => {
    const policy = JSON.stringify({
      Version: "2008-10-17",
      Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }],
    });
    expectOneIssue(
      withBillingAws("inlinePolicies", { read: policy }),
      billingAws("inlinePolicies.read"),
      /has Version "2008-10-17"; set Version: "2012-10-17"/,
    );
  });

  it("inline policy name with characters IAM does not allow", () => {
    const policy = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] };
    expectOneIssue(
      withBillingAws("inlinePolicies", { "read all!": policy }),
      `${billingAws("inlinePolicies")}["read all!"]`,
      /not a valid IAM policy name.*rename it, e\.g\. to 'read-all-'/,
    );
  });

  it("inline policies larger together than a role may hold", () => {
    const big = (n: number) => ({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: `arn:aws:s3:::${String(n).repeat(6000)}/*` }],
    });
    expectOneIssue(
      withBillingAws("inlinePolicies", { a: big(1), b: big(2) }),
      billingAws("inlinePolicies"),
      /more than the 10240 IAM allows for all inline policies of one role; move statements into a customer managed policy/,
    );
  });
});
