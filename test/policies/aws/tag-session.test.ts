import assert from "node:assert/strict";
import { awsTagSessionWithWebIdentity } from "../../../policies/aws/tag-session.js";
import { PROVIDER_ARN, role, roleTrusting } from "../fixtures.js";
import { UNKNOWN_DURING_PREVIEW, violations } from "../harness.js";

const check = (resource: ReturnType<typeof role>) => violations(awsTagSessionWithWebIdentity, resource);

describe("policy aws-tag-session-with-web-identity", () => {
  it("passes sts:TagSession in the web identity statement, and sts:* there", async () => {
    assert.deepEqual(await check(role()), []);
    assert.deepEqual(await check(role({ edit: (s) => void (s.Action = "sts:*") })), []);
  });

  it("refuses sts:TagSession in a statement of its own for the same provider", async () => {
    const messages = await check(
      role({ more: [{ Effect: "Allow", Principal: { Federated: PROVIDER_ARN }, Action: "sts:TagSession" }] }),
    );
    assert.equal(messages.length, 1);
    assert.match(
      messages[0]!,
      /^statement 1 allows sts:TagSession without sts:AssumeRoleWithWebIdentity; move sts:TagSession into the Action list of the web identity statement/,
    );
  });

  it("refuses another principal that may tag sessions of a federated role", async () => {
    const other = {
      Effect: "Allow",
      Principal: { AWS: "arn:aws:iam::111122223333:root" },
      Action: ["sts:AssumeRole", "sts:TagSession"],
    };
    assert.equal((await check(role({ more: [other] }))).length, 1);
  });

  it("leaves roles that federate no web identity alone", async () => {
    const service = roleTrusting({
      Statement: [
        {
          Effect: "Allow",
          Principal: { Service: "lambda.amazonaws.com" },
          Action: ["sts:AssumeRole", "sts:TagSession"],
        },
      ],
    });
    assert.deepEqual(await check(service), []);
  });

  it("skips a statement whose actions are unknown during preview, not one with another unknown part", async () => {
    const actions = role({
      asObject: true,
      more: [
        { Effect: "Allow", Principal: { Federated: PROVIDER_ARN }, Action: ["sts:TagSession", UNKNOWN_DURING_PREVIEW] },
      ],
    });
    assert.deepEqual(await check(actions), []);
    const principal = role({
      asObject: true,
      more: [{ Effect: "Allow", Principal: { Federated: UNKNOWN_DURING_PREVIEW }, Action: "sts:TagSession" }],
    });
    assert.equal((await check(principal)).length, 1);
  });
});
