// The AWS IAM fake refuses what IAM refuses, naming the limit: role names, paths, descriptions,
// tag keys and values (no `*`), 51 tags, a trust policy over 2,048 characters as IAM counts them
// (white space excluded), session durations outside 3,600-43,200 s, an 11th managed policy on a
// role (the default quota), inline policies over 10,240 characters together, and OIDC providers
// with a port, too many client ids or malformed thumbprints.

import assert from "node:assert/strict";
import { FakeCloud } from "./engine.js";
import type { Properties } from "./model.js";
import { refused } from "./refusal-assert.js";
import { declare, freshDeploy, NOW } from "./register.js";

const ROLE = "aws:iam/role:Role";
const OIDC = "aws:iam/openIdConnectProvider:OpenIdConnectProvider";
const ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
const INLINE = "aws:iam/rolePolicy:RolePolicy";

const trust = (padding = "") =>
  JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      { Effect: "Allow", Principal: { Federated: "x" }, Action: "sts:AssumeRoleWithWebIdentity", Sid: padding },
    ],
  });
const role = (change: Properties = {}): Properties => ({
  name: "wid-billing",
  assumeRolePolicy: trust(),
  description: "ok",
  tags: { team: "payments" },
  maxSessionDuration: 3_600,
  ...change,
});

describe("fake AWS IAM: Role", () => {
  it("accepts a plain role and answers its ARN", () => {
    assert.equal(declare(freshDeploy(), ROLE, "r", role()).arn, "arn:aws:iam::111122223333:role/wid-billing");
  });

  it("refuses a name over 64 characters or with a character outside [\\w+=,.@-]", () => {
    declare(freshDeploy(), ROLE, "r", role({ name: "r".repeat(64) }));
    refused(() => declare(freshDeploy(), ROLE, "r", role({ name: "r".repeat(65) })), /RoleName/);
    refused(() => declare(freshDeploy(), ROLE, "r", role({ name: "wid/billing" })), /RoleName "wid\/billing"/);
  });

  it("refuses a path that does not begin and end with /", () => {
    declare(freshDeploy(), ROLE, "r", role({ path: "/wid/" }));
    refused(() => declare(freshDeploy(), ROLE, "r", role({ path: "wid" })), /Path "wid"/);
  });

  it("refuses a description over 1,000 characters or with a character IAM does not take", () => {
    declare(freshDeploy(), ROLE, "r", role({ description: "d".repeat(1_000) }));
    refused(
      () => declare(freshDeploy(), ROLE, "r", role({ description: "d".repeat(1_001) })),
      /Description is 1001 characters; at most 1000/,
    );
    refused(() => declare(freshDeploy(), ROLE, "r", role({ description: "emoji 🙂" })), /Description "emoji/);
  });

  it("refuses a tag value with '*', an aws: key, and a 51st tag", () => {
    refused(
      () => declare(freshDeploy(), ROLE, "r", role({ tags: { subject: "workflow/a/b/*" } })),
      /value "workflow\/a\/b\/\*" of tag 'subject' fails to satisfy constraint/,
    );
    refused(() => declare(freshDeploy(), ROLE, "r", role({ tags: { "aws:team": "x" } })), /may not begin with 'aws:'/);
    const tags = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, "v"]));
    declare(freshDeploy(), ROLE, "r", role({ tags: tags(50) }));
    refused(() => declare(freshDeploy(), ROLE, "r", role({ tags: tags(51) })), /tags is 51 tags; at most 50/);
    refused(() => declare(freshDeploy(), ROLE, "r", role({ tags: { ["k".repeat(129)]: "v" } })), /keys are 1 to 128/);
    refused(() => declare(freshDeploy(), ROLE, "r", role({ tags: { k: "v".repeat(257) } })), /values are at most 256/);
  });

  it("counts the trust policy as IAM does, without white space: 2,048 characters at most", () => {
    const base = trust().length;
    const fits = JSON.stringify(JSON.parse(trust("s".repeat(2_048 - base))), null, 8);
    assert.ok(fits.length > 2_048, "pretty-printed, it is longer than the limit");
    declare(freshDeploy(), ROLE, "r", role({ assumeRolePolicy: fits }));
    refused(
      () => declare(freshDeploy(), ROLE, "r", role({ assumeRolePolicy: trust("s".repeat(2_049 - base)) })),
      /ACLSizePerRole: 2048 \(the trust policy is 2049 characters/,
    );
    refused(
      () => declare(freshDeploy(), ROLE, "r", role({ assumeRolePolicy: "{not json" })),
      /MalformedPolicyDocument/,
    );
  });

  it("refuses a session duration outside 3,600-43,200 seconds", () => {
    declare(freshDeploy(), ROLE, "r", role({ maxSessionDuration: 43_200 }));
    refused(() => declare(freshDeploy(), ROLE, "r", role({ maxSessionDuration: 3_599 })), /MaxSessionDuration is 3599/);
    refused(
      () => declare(freshDeploy(), ROLE, "r", role({ maxSessionDuration: 43_201 })),
      /MaxSessionDuration is 43201/,
    );
  });

  it("refuses a role that keeps its name but moves to another logical name or path: the old one still exists when Pulumi creates the new", () => {
    const cloud = new FakeCloud();
    const first = cloud.begin(NOW);
    declare(first, ROLE, "old", role());
    first.finish();
    refused(
      () => declare(cloud.begin(NOW), ROLE, "renamed", role()),
      /EntityAlreadyExists: Role with name wid-billing/,
    );
    refused(() => declare(cloud.begin(NOW), ROLE, "old", role({ path: "/wid/" })), /EntityAlreadyExists/);
    declare(cloud.begin(NOW), ROLE, "old", role({ description: "updated in place" }));
  });

  it("refuses a second role of the same name, whatever its case", () => {
    const deploy = freshDeploy();
    declare(deploy, ROLE, "a", role());
    refused(() => declare(deploy, ROLE, "b", role({ name: "WID-BILLING" })), /EntityAlreadyExists/);
  });
});

describe("fake AWS IAM: policies on a role", () => {
  it("refuses an 11th managed policy (default quota 10), a malformed ARN and a role that does not exist", () => {
    const deploy = freshDeploy();
    declare(deploy, ROLE, "r", role());
    for (let i = 0; i < 10; i++)
      declare(deploy, ATTACHMENT, `a${i}`, {
        role: "wid-billing",
        policyArn: `arn:aws:iam::111122223333:policy/p${i}`,
      });
    refused(
      () =>
        declare(deploy, ATTACHMENT, "a10", {
          role: "wid-billing",
          policyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess",
        }),
      /PoliciesPerRole: 10/,
    );
    refused(
      () => declare(deploy, ATTACHMENT, "bad", { role: "wid-billing", policyArn: "ReadOnlyAccess" }),
      /PolicyArn "ReadOnlyAccess"/,
    );
    refused(
      () =>
        declare(deploy, ATTACHMENT, "ghost", { role: "ghost", policyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" }),
      /NoSuchEntity.*ghost/,
    );
  });

  it("refuses inline policies over 10,240 characters together (white space not counted)", () => {
    const deploy = freshDeploy();
    declare(deploy, ROLE, "r", role());
    const policy = (size: number) => {
      const empty = JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "" }],
      }).length;
      return JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "r".repeat(size - empty) }],
      });
    };
    declare(deploy, INLINE, "p1", { role: "wid-billing", name: "one", policy: policy(6_000) });
    declare(deploy, INLINE, "p2", { role: "wid-billing", name: "two", policy: policy(4_240) });
    refused(
      () => declare(deploy, INLINE, "p3", { role: "wid-billing", name: "three", policy: policy(200) }),
      /Maximum policy size of 10240.*10440 characters/,
    );
    refused(
      () => declare(deploy, INLINE, "p4", { role: "wid-billing", name: "bad name", policy: policy(200) }),
      /PolicyName "bad name"/,
    );
  });
});

describe("fake AWS IAM: a trust policy's federated principal", () => {
  const naming = (arn: string) =>
    role({
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Principal: { Federated: "arn:aws:iam::111122223333:oidc-provider/id.example.dev" } },
          { Effect: "Allow", Principal: { Federated: arn }, Action: "sts:AssumeRoleWithWebIdentity" },
        ],
      }),
    });

  it("accepts providers the account holds and refuses one it does not", () => {
    const deploy = freshDeploy();
    declare(deploy, OIDC, "own", { url: "https://id.example.dev", clientIdLists: ["sts.amazonaws.com"] });
    declare(deploy, OIDC, "native", { url: "https://oidc.cloudflare.example/a", clientIdLists: ["sts.amazonaws.com"] });
    declare(deploy, ROLE, "r", naming("arn:aws:iam::111122223333:oidc-provider/oidc.cloudflare.example/a"));
    refused(
      () => declare(deploy, ROLE, "r2", naming("arn:aws:iam::111122223333:oidc-provider/oidc.cloudflare.example/b")),
      /MalformedPolicyDocument: Invalid principal in policy: "Federated":"arn:aws:iam::111122223333:oidc-provider\/oidc\.cloudflare\.example\/b"/,
    );
  });
});

describe("fake AWS IAM: OpenIdConnectProvider", () => {
  const provider = (change: Properties = {}) => ({
    url: "https://id.example.dev",
    clientIdLists: ["sts.amazonaws.com"],
    ...change,
  });

  it("names the provider after the URL without its scheme", () => {
    assert.equal(
      declare(freshDeploy(), OIDC, "p", provider()).arn,
      "arn:aws:iam::111122223333:oidc-provider/id.example.dev",
    );
  });

  it("refuses a URL that is not https, or has a port, query or fragment", () => {
    for (const url of [
      "http://id.example.dev",
      "https://id.example.dev:8443",
      "https://id.example.dev/?x=1",
      "https://id.example.dev/#f",
    ]) {
      refused(
        () => declare(freshDeploy(), OIDC, "p", provider({ url })),
        /must begin with https:\/\/ and have no port, query or fragment/,
      );
    }
  });

  it("refuses a 101st client id and a 6th or malformed thumbprint", () => {
    const ids = (n: number) => Array.from({ length: n }, (_, i) => `aud-${i}`);
    declare(freshDeploy(), OIDC, "p", provider({ clientIdLists: ids(100) }));
    refused(
      () => declare(freshDeploy(), OIDC, "p", provider({ clientIdLists: ids(101) })),
      /clientIdLists is 101 client ids; at most 100/,
    );
    const thumbprint = "a".repeat(40);
    declare(freshDeploy(), OIDC, "p", provider({ thumbprintLists: Array(5).fill(thumbprint) }));
    refused(
      () => declare(freshDeploy(), OIDC, "p", provider({ thumbprintLists: Array(6).fill(thumbprint) })),
      /at most 5/,
    );
    refused(
      () => declare(freshDeploy(), OIDC, "p", provider({ thumbprintLists: ["a".repeat(39)] })),
      /thumbprint "a{39}"/,
    );
  });
});
