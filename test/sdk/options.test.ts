// The SDK's options: defaults, and one TypeError that names every misused option and its fix.
// Each case starts from valid options and changes one field.

import assert from "node:assert/strict";
import { identity } from "@worker-identity/sdk";
import { resolveAwsCredentialsOptions } from "../../worker/sdk/aws/options.js";
import { resolveGcpAccessTokenOptions } from "../../worker/sdk/gcp/options.js";
import { FakeIssuer, GCP_AUDIENCE, PROVIDER, ROLE_ARN, SERVICE_ACCOUNT, TestClock } from "./support/fixtures.js";

describe("awsCredentials options", () => {
  const valid = { roleArn: ROLE_ARN, region: "us-east-1" };

  it("defaults: session name, an hour, the AWS audience, the regional endpoint, 5 minutes of margin", () => {
    const resolved = resolveAwsCredentialsOptions(valid);
    assert.deepEqual(
      [resolved.sessionName, resolved.durationSeconds, resolved.audience, resolved.endpoint, resolved.renewBeforeMs],
      ["worker-identity", 3_600, "sts.amazonaws.com", "https://sts.us-east-1.amazonaws.com/", 300_000],
    );
    assert.equal(
      resolveAwsCredentialsOptions({ ...valid, roleArn: "arn:aws-us-gov:iam::123456789012:role/path/to/wid-x" })
        .roleArn,
      "arn:aws-us-gov:iam::123456789012:role/path/to/wid-x",
    );
  });

  const misuses: [string, Record<string, unknown>, RegExp][] = [
    [
      "a role name instead of an ARN",
      { roleArn: "wid-billing" },
      /roleArn must be an IAM role ARN .* awsRoleArn stack output/,
    ],
    ["a user ARN", { roleArn: "arn:aws:iam::123456789012:user/alice" }, /roleArn must be/],
    ["an availability zone", { region: "us-east-1a" }, /region must be an AWS region/],
    ["a session name with a space", { sessionName: "my session" }, /sessionName must be 2 to 64/],
    [
      "a 10-minute session",
      { durationSeconds: 600 },
      /durationSeconds must be a whole number of seconds from 900 to 43200/,
    ],
    ["an empty audience", { audience: "" }, /audience must be/],
    ["a plain-http endpoint", { endpoint: "http://sts.example.com/" }, /endpoint must be an https URL/],
    ["an endpoint with a query", { endpoint: "https://sts.example.com/?x=1" }, /endpoint must be/],
    ["a typo", { rolearn: ROLE_ARN }, /rolearn is not an option; known options: roleArn/],
  ];
  for (const [name, change, message] of misuses) {
    it(`refuses ${name}`, () => {
      assert.throws(
        () => resolveAwsCredentialsOptions({ ...valid, ...change }),
        (e: unknown) => e instanceof TypeError && message.test(e.message),
      );
    });
  }

  it("lists every problem at once, and awsCredentials rejects with it before any request", async () => {
    assert.throws(() => resolveAwsCredentialsOptions({}), /roleArn[\s\S]*region/);
    const issuer = new FakeIssuer(new TestClock());
    await assert.rejects(identity(issuer).awsCredentials({ roleArn: "x", region: "y" }), TypeError);
    assert.equal(issuer.calls.length, 0);
  });
});

describe("gcpAccessToken options", () => {
  const valid = { providerResourceName: PROVIDER, serviceAccountEmail: SERVICE_ACCOUNT };

  it("defaults: the provider's audience, cloud-platform, an hour, Google's endpoints", () => {
    const resolved = resolveGcpAccessTokenOptions(valid);
    assert.deepEqual(
      [resolved.audience, resolved.scopes, resolved.lifetimeSeconds, resolved.stsEndpoint, resolved.impersonationUrl],
      [
        GCP_AUDIENCE,
        ["https://www.googleapis.com/auth/cloud-platform"],
        3_600,
        "https://sts.googleapis.com/v1/token",
        `https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/${SERVICE_ACCOUNT}:generateAccessToken`,
      ],
    );
    assert.equal(resolveGcpAccessTokenOptions({ providerResourceName: PROVIDER }).impersonationUrl, undefined);
  });

  const misuses: [string, Record<string, unknown>, RegExp][] = [
    [
      "the full audience instead of the resource name",
      { providerResourceName: GCP_AUDIENCE },
      /without the leading \/\/iam.googleapis.com\//,
    ],
    [
      "a project id instead of its number",
      { providerResourceName: PROVIDER.replace("123456789012", "my-project") },
      /providerResourceName must be projects\/<number>/,
    ],
    [
      "a pool id of 3 characters",
      { providerResourceName: PROVIDER.replace("Pools/worker-identity", "Pools/wid") },
      /gcpProviderResourceName stack output/,
    ],
    [
      "a service account that is not an email",
      { serviceAccountEmail: "wid-billing" },
      /serviceAccountEmail must be a service account email/,
    ],
    ["an empty scope list", { scopes: [] }, /scopes must be a non-empty array/],
    [
      "a scope string instead of a list",
      { scopes: "https://www.googleapis.com/auth/cloud-platform" },
      /scopes must be/,
    ],
    [
      "a 13-hour lifetime",
      { lifetimeSeconds: 46_800 },
      /lifetimeSeconds must be a whole number of seconds from 60 to 43200/,
    ],
    [
      "a lifetime without a service account",
      { serviceAccountEmail: undefined, lifetimeSeconds: 600 },
      /lifetimeSeconds applies only with serviceAccountEmail/,
    ],
    ["an http STS endpoint", { stsEndpoint: "http://sts.googleapis.com/v1/token" }, /stsEndpoint must be an https URL/],
    ["a typo", { serviceAccount: SERVICE_ACCOUNT }, /serviceAccount is not an option/],
  ];
  for (const [name, change, message] of misuses) {
    it(`refuses ${name}`, () => {
      assert.throws(
        () => resolveGcpAccessTokenOptions({ ...valid, ...change }),
        (e: unknown) => e instanceof TypeError && message.test(e.message),
      );
    });
  }
});
