import assert from "node:assert/strict";
import { checkedIamTags, checkedRoleDescription, IamLabelError } from "../../../worker/trust/aws/iam-labels.js";
import {
  issuerHost,
  providerTags,
  roleDescription,
  roleTags,
  type WebIdentityTrustPolicyInput,
  webIdentityTrustPolicy,
  workflowRoleDescription,
  workflowRoleTags,
} from "../../../worker/trust/aws/trust-policy.js";

const ACCOUNT = "0123456789abcdef0123456789abcdef";
const PROVIDER_ARN = "arn:aws:iam::111122223333:oidc-provider/id.example.dev";
const BILLING = { name: "billing", subject: `worker/${ACCOUNT}/billing` };

function input(overrides: Partial<WebIdentityTrustPolicyInput> = {}): WebIdentityTrustPolicyInput {
  return {
    providerArn: PROVIDER_ARN,
    issuerUrl: "https://id.example.dev",
    subject: BILLING.subject,
    audience: "sts.amazonaws.com",
    tagSession: false,
    ...overrides,
  };
}

describe("infra/aws trust policy builders", () => {
  describe("issuerHost", () => {
    it("returns the host AWS uses in condition key names", () => {
      assert.equal(issuerHost("https://id.example.dev"), "id.example.dev");
      assert.equal(issuerHost("https://identity.acme.workers.dev"), "identity.acme.workers.dev");
    });

    const refused: ReadonlyArray<readonly [string, RegExp]> = [
      ["http://id.example.dev", /uses http: AWS trusts only https/],
      ["https://id.example.dev:8443", /names a port/],
      ["https://id.example.dev:443", /names a port/],
      ["https://id.example.dev/", /has a path/],
      ["https://id.example.dev/issuer", /has a path/],
      ["https://id.example.dev?tenant=a", /has a query/],
      ["https://id.example.dev#x", /has a fragment/],
      ["https://user:pw@id.example.dev", /carries credentials/],
      ["https://ID.Example.dev", /is not written as https:\/\/id\.example\.dev/],
      ["id.example.dev", /is not a URL/],
      ["", /is not a URL/],
    ];
    for (const [url, reason] of refused) {
      it(`refuses ${JSON.stringify(url)} with an error that names the problem and the fix`, () => {
        assert.throws(
          () => issuerHost(url),
          (error: unknown) => {
            assert.ok(error instanceof Error);
            assert.match(error.message, reason);
            assert.match(error.message, /use https:\/\/<host>/);
            return true;
          },
        );
      });
    }
  });

  describe("webIdentityTrustPolicy", () => {
    it("builds the whole document: one statement, federated principal, exact sub and aud", () => {
      assert.deepEqual(webIdentityTrustPolicy(input()), {
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "WorkerIdentityWebIdentity",
            Effect: "Allow",
            Principal: { Federated: PROVIDER_ARN },
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: {
              StringEquals: {
                "id.example.dev:sub": "worker/0123456789abcdef0123456789abcdef/billing",
                "id.example.dev:aud": "sts.amazonaws.com",
              },
            },
          },
        ],
      });
    });

    it("allows sts:TagSession as well only when the workload's tokens carry session tags", () => {
      const tagged = webIdentityTrustPolicy(input({ tagSession: true }));
      assert.deepEqual(tagged.Statement[0]?.Action, ["sts:AssumeRoleWithWebIdentity", "sts:TagSession"]);
      const untagged = webIdentityTrustPolicy(input({ tagSession: false }));
      assert.equal(untagged.Statement[0]?.Action, "sts:AssumeRoleWithWebIdentity");
    });

    it("keys the conditions by the issuer's host and never uses a wildcard operator", () => {
      const policy = webIdentityTrustPolicy(input({ issuerUrl: "https://identity.acme.workers.dev" }));
      const condition = policy.Statement[0]?.Condition as Record<string, unknown>;
      assert.deepEqual(Object.keys(condition), ["StringEquals"]);
      assert.deepEqual(Object.keys(condition.StringEquals as object).sort(), [
        "identity.acme.workers.dev:aud",
        "identity.acme.workers.dev:sub",
      ]);
    });

    it("carries the provider ARN, subject and audience it is given, unchanged", () => {
      const other = input({
        providerArn: "arn:aws:iam::999988887777:oidc-provider/id.example.dev",
        subject: `worker/${ACCOUNT}/ledger-sync`,
        audience: "my-client-id",
      });
      const statement = webIdentityTrustPolicy(other).Statement[0];
      assert.equal(statement?.Principal.Federated, "arn:aws:iam::999988887777:oidc-provider/id.example.dev");
      assert.equal(statement?.Condition.StringEquals["id.example.dev:sub"], `worker/${ACCOUNT}/ledger-sync`);
      assert.equal(statement?.Condition.StringEquals["id.example.dev:aud"], "my-client-id");
    });

    it("refuses an issuer URL AWS could not match, and empty principal, subject or audience", () => {
      assert.throws(() => webIdentityTrustPolicy(input({ issuerUrl: "http://127.0.0.1:8787" })), /https/);
      assert.throws(() => webIdentityTrustPolicy(input({ providerArn: "" })), /provider ARN is empty/);
      assert.throws(() => webIdentityTrustPolicy(input({ subject: "" })), /subject is empty/);
      assert.throws(() => webIdentityTrustPolicy(input({ audience: "" })), /audience is empty/);
    });
  });

  describe("roleDescription", () => {
    it("names the Worker, its subject and the issuer", () => {
      assert.equal(
        roleDescription(BILLING, "https://id.example.dev"),
        "Assumed only by Cloudflare Worker billing (sub worker/0123456789abcdef0123456789abcdef/billing) " +
          "via worker-identity issuer https://id.example.dev",
      );
    });

    it("stays within IAM's 1000 characters even for a maximal host", () => {
      const host = `${Array.from({ length: 4 }, () => "a".repeat(61)).join(".")}.dev`; // 252 chars
      const description = roleDescription({ name: "x".repeat(900), subject: "worker/a/b" }, `https://${host}`);
      assert.equal(description.length, 1000);
      assert.ok(description.startsWith("Assumed only by Cloudflare Worker xxx"));
    });
  });

  describe("roleTags and providerTags", () => {
    it("tag the role with workload, subject, issuer and stack", () => {
      assert.deepEqual(roleTags(BILLING, "https://id.example.dev", "prod"), {
        "worker-identity:workload": "billing",
        "worker-identity:subject": "worker/0123456789abcdef0123456789abcdef/billing",
        "worker-identity:issuer": "https://id.example.dev",
        "worker-identity:stack": "prod",
      });
    });

    it("tag the provider with issuer and stack only", () => {
      assert.deepEqual(providerTags("https://id.example.dev", "dev"), {
        "worker-identity:issuer": "https://id.example.dev",
        "worker-identity:stack": "dev",
      });
    });

    it("keep every value within 256 characters: a too-long issuer URL becomes its host", () => {
      const host = `${Array.from({ length: 4 }, () => "b".repeat(62)).join(".")}.d`; // 253 chars
      const tags = roleTags(BILLING, `https://${host}`, "s".repeat(300));
      assert.equal(tags["worker-identity:issuer"], host);
      assert.equal(tags["worker-identity:stack"], "s".repeat(256));
      for (const value of Object.values(tags)) assert.ok(value.length <= 256, value);
    });
  });

  describe("every tag and description IAM would accept (IAM API Tag and CreateRole)", () => {
    // IAM API reference, data type Tag: [\p{L}\p{Z}\p{N}_.:/=+\-@]*, keys 1-128, values 0-256.
    const IAM_TAG = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
    const WORKFLOW = { name: "nightly-export", subjectPrefix: `workflow/${ACCOUNT}/nightly-export/` };

    it("a workflow role's tags name its subject prefix, without the trust policy's '*'", () => {
      const tags = workflowRoleTags(WORKFLOW, "https://id.example.dev", "dev");
      assert.equal(tags["worker-identity:subject-prefix"], `workflow/${ACCOUNT}/nightly-export/`);
      assert.equal(tags["worker-identity:subject"], undefined);
      for (const [key, value] of Object.entries(tags)) {
        assert.match(key, IAM_TAG);
        assert.ok(key.length >= 1 && key.length <= 128, key);
        assert.match(value, IAM_TAG, `${key} = ${value}`);
      }
    });

    it("workload and provider tags pass the same pattern", () => {
      for (const tags of [
        roleTags(BILLING, "https://id.example.dev", "prod.eu-1"),
        providerTags("https://id.example.dev", "dev"),
      ]) {
        for (const [key, value] of Object.entries(tags)) assert.match(`${key}${value}`, IAM_TAG);
      }
    });

    it("refuses a tag IAM would refuse, naming it, rather than letting pulumi up fail half-way", () => {
      assert.throws(
        () => checkedIamTags({ "worker-identity:subject": "workflow/a/b/*" }),
        (error: unknown) =>
          error instanceof IamLabelError && /worker-identity:subject = "workflow\/a\/b\/\*"/.test(error.message),
      );
      assert.throws(() => checkedIamTags({ "": "x" }), IamLabelError);
      assert.throws(() => checkedIamTags({ k: "v".repeat(257) }), IamLabelError);
      assert.doesNotThrow(() => checkedIamTags({ k: "v".repeat(256) }));
      const fiftyOne = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, "v"]));
      assert.throws(() => checkedIamTags(fiftyOne), /51 IAM tags, more than the 50/);
    });

    it("descriptions stay in CreateRole's Latin-1 set", () => {
      assert.match(workflowRoleDescription(WORKFLOW, "https://id.example.dev"), /^[\t\n\r\x20-\x7e\xa1-\xff]*$/);
      assert.throws(() => checkedRoleDescription("Worker \u{1F600}"), IamLabelError);
      assert.throws(() => checkedRoleDescription("x".repeat(1001)), IamLabelError);
    });
  });
});
