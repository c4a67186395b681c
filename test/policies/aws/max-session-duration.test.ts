import assert from "node:assert/strict";
import { awsRoleMaxSessionDuration, maxSessionDurationConfig } from "../../../policies/aws/max-session-duration.js";
import { role, roleTrusting } from "../fixtures.js";
import { UNKNOWN_DURING_PREVIEW, violations } from "../harness.js";

describe("policy aws-role-max-session-duration", () => {
  it("passes one hour, and a role that does not say (AWS's one hour)", async () => {
    assert.deepEqual(await violations(awsRoleMaxSessionDuration, role()), []);
    const unset = role();
    delete (unset.props as Record<string, unknown>).maxSessionDuration;
    assert.deepEqual(await violations(awsRoleMaxSessionDuration, unset), []);
  });

  it("refuses a longer session than the default bound, naming the fix", async () => {
    const messages = await violations(awsRoleMaxSessionDuration, role({ maxSessionDuration: 43_200 }));
    assert.equal(messages.length, 1);
    assert.match(messages[0]!, /maxSessionDuration is 43200 seconds, above the 3600 seconds this pack allows/);
    assert.match(messages[0]!, /set maxSessionDuration to at most 3600 \(workloads: aws\.maxSessionDurationSeconds/);
  });

  it("takes its bound from the policy config", async () => {
    const config = { maxSessionDurationSeconds: 7_200 };
    assert.deepEqual(await violations(awsRoleMaxSessionDuration, role({ maxSessionDuration: 7_200 }), config), []);
    assert.equal((await violations(awsRoleMaxSessionDuration, role({ maxSessionDuration: 7_201 }), config)).length, 1);
  });

  it("declares the default it applies", () => {
    const schema = awsRoleMaxSessionDuration.configSchema?.properties.maxSessionDurationSeconds;
    assert.equal(
      typeof schema === "object" ? schema.default : undefined,
      maxSessionDurationConfig({}).maxSessionDurationSeconds,
    );
    assert.throws(
      () => maxSessionDurationConfig({ maxSessionDurationSeconds: 60 }),
      /maxSessionDurationSeconds must be a whole number from 3600 to 43200/,
    );
  });

  it("leaves roles that federate no web identity alone", async () => {
    const service = roleTrusting(
      { Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] },
      43_200,
    );
    assert.deepEqual(await violations(awsRoleMaxSessionDuration, service), []);
  });

  it("skips a duration unknown during preview", async () => {
    assert.deepEqual(
      await violations(awsRoleMaxSessionDuration, role({ maxSessionDuration: UNKNOWN_DURING_PREVIEW })),
      [],
    );
  });
});
