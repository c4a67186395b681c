import assert from "node:assert/strict";
import {
  awsWebIdentityConditions,
  webIdentityConditionViolations,
} from "../../../policies/aws/web-identity-conditions.js";
import { dropCondition, HOST, PROVIDER_ARN, role, roleTrusting, SUBJECT, TYPES } from "../fixtures.js";
import { NOT_APPLICABLE, runPolicy, UNKNOWN_DURING_PREVIEW, violations } from "../harness.js";

const check = (resource: ReturnType<typeof role>) => violations(awsWebIdentityConditions, resource);

describe("policy aws-web-identity-conditions", () => {
  it("passes the program's trust policy, as JSON text or as an object", async () => {
    assert.deepEqual(await check(role()), []);
    assert.deepEqual(await check(role({ asObject: true })), []);
  });

  it("is a mandatory policy of roles only", async () => {
    assert.equal(awsWebIdentityConditions.enforcementLevel, "mandatory");
    assert.equal(await runPolicy(awsWebIdentityConditions, { type: TYPES.provider, props: {} }), NOT_APPLICABLE);
  });

  it("refuses a statement without a sub condition, naming the key and the fix", async () => {
    const messages = await check(role({ edit: (s) => delete s.Condition.StringEquals![`${HOST}:sub`] }));
    assert.equal(messages.length, 1);
    assert.match(messages[0]!, /statement 0 \(Sid WorkerIdentityWebIdentity\)/);
    assert.match(messages[0]!, new RegExp(`without a condition on ${HOST}:sub`));
    assert.match(
      messages[0]!,
      /add "Condition": \{"StringEquals": \{"id\.example\.dev:sub": "<the workload's exact subject/,
    );
  });

  it("refuses a statement without an aud condition", async () => {
    const messages = await check(role({ edit: (s) => delete s.Condition.StringEquals![`${HOST}:aud`] }));
    assert.equal(messages.length, 1);
    assert.match(messages[0]!, new RegExp(`without a condition on ${HOST}:aud`));
  });

  it("refuses the same conditions under StringEqualsIfExists, which pass when the key is absent", async () => {
    const messages = await check(
      role({
        edit: (s) => {
          s.Condition = { StringEqualsIfExists: s.Condition.StringEquals! };
        },
      }),
    );
    assert.equal(messages.length, 2);
    for (const message of messages)
      assert.match(
        message,
        /StringEqualsIfExists passes when the token has no such key\); add "Condition": \{"StringEquals"/,
      );
  });

  it("refuses ForAllValues:StringEquals, which passes when the request has no value", async () => {
    const messages = await check(
      role({
        edit: (s) => {
          s.Condition = { "ForAllValues:StringEquals": s.Condition.StringEquals! };
        },
      }),
    );
    assert.equal(messages.length, 2);
    assert.match(messages[0]!, /ForAllValues:StringEquals passes when the token has no such key/);
  });

  it("counts ForAnyValue:StringEquals and StringLike, keys in any case, and lists of values", async () => {
    const forAny = role({
      edit: (s) => void (s.Condition = { "ForAnyValue:StringEquals": s.Condition.StringEquals! }),
    });
    assert.deepEqual(await check(forAny), []);
    const like = role({ edit: (s) => void (s.Condition = { StringLike: s.Condition.StringEquals! }) });
    assert.deepEqual(await check(like), []);
    const upper = role({
      edit: (s) =>
        void (s.Condition = {
          StringEquals: { "ID.EXAMPLE.DEV:SUB": SUBJECT, "Id.Example.Dev:Aud": "sts.amazonaws.com" },
        }),
    });
    assert.deepEqual(await check(upper), []);
    const list = role({ edit: (s) => void (s.Condition.StringEquals![`${HOST}:sub`] = [SUBJECT, `${SUBJECT}-2`]) });
    assert.deepEqual(await check(list), []);
  });

  it("refuses conditions keyed by another host than the provider's, and says why", async () => {
    const messages = await check(
      role({
        edit: (s) =>
          void (s.Condition = {
            StringEquals: { "other.example.dev:sub": SUBJECT, "other.example.dev:aud": "sts.amazonaws.com" },
          }),
      }),
    );
    assert.equal(messages.length, 2);
    assert.match(
      messages[0]!,
      /its conditions name other\.example\.dev:aud, but AWS names the keys after the provider's URL/,
    );
  });

  it("refuses a wildcard audience", async () => {
    const messages = await check(
      role({
        edit: (s) => {
          delete s.Condition.StringEquals![`${HOST}:aud`];
          s.Condition.StringLike = { [`${HOST}:aud`]: "sts.*" };
        },
      }),
    );
    assert.equal(messages.length, 1);
    assert.match(messages[0]!, /for any audience matching "sts\.\*"; compare id\.example\.dev:aud with StringEquals/);
  });

  it("checks every provider a statement trusts", async () => {
    const other = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com";
    const messages = await check(role({ edit: (s) => void (s.Principal = { Federated: [PROVIDER_ARN, other] }) }));
    assert.equal(messages.length, 2);
    for (const message of messages) assert.match(message, /oidc-provider\/token\.actions\.githubusercontent\.com/);
  });

  it("reads provider ARNs with a path (EKS) and other partitions", async () => {
    const eks = "oidc.eks.us-east-1.amazonaws.com/id/ABC123";
    const messages = await check(
      role({
        edit: (s) => void (s.Principal = { Federated: `arn:aws-us-gov:iam::111122223333:oidc-provider/${eks}` }),
      }),
    );
    assert.equal(messages.length, 2);
    assert.match(messages[0]!, /without a condition on oidc\.eks\.us-east-1\.amazonaws\.com\/id\/ABC123:aud/);
  });

  it("treats wildcard actions and NotAction as allowing web identity", async () => {
    const wildcard = await check(
      role({
        edit: (s) => {
          s.Action = "sts:*";
          delete s.Condition.StringEquals![`${HOST}:sub`];
        },
      }),
    );
    assert.equal(wildcard.length, 1);
    const notAction = await check(
      role({
        edit: (s) => {
          delete s.Action;
          s.NotAction = "sts:AssumeRole";
          delete s.Condition.StringEquals![`${HOST}:sub`];
        },
      }),
    );
    assert.equal(notAction.length, 1);
  });

  it("ignores Deny statements and statements that do not allow web identity", async () => {
    assert.deepEqual(
      await check(
        role({
          edit: (s) => {
            s.Effect = "Deny";
            dropCondition(s);
          },
        }),
      ),
      [],
    );
    assert.deepEqual(
      await check(
        role({
          edit: (s) => {
            s.Action = "sts:AssumeRole";
            dropCondition(s);
          },
        }),
      ),
      [],
    );
  });

  it("refuses a trust policy that is not JSON", async () => {
    const messages = await check({ type: TYPES.role, props: { assumeRolePolicy: "{not json" } });
    assert.deepEqual(messages, ["assumeRolePolicy is not JSON; write it with JSON.stringify({Version, Statement})"]);
  });

  it("skips what is unknown during preview: the whole policy, or a statement with an unknown part", async () => {
    assert.deepEqual(await check({ type: TYPES.role, props: { assumeRolePolicy: UNKNOWN_DURING_PREVIEW } }), []);
    const unknownArn = role({
      asObject: true,
      edit: (s) => {
        s.Principal = { Federated: UNKNOWN_DURING_PREVIEW };
        dropCondition(s);
      },
    });
    assert.deepEqual(await check(unknownArn), []);
    const known = roleTrusting({
      Statement: [{ Effect: "Allow", Principal: { Federated: PROVIDER_ARN }, Action: "sts:AssumeRoleWithWebIdentity" }],
    });
    assert.equal(webIdentityConditionViolations(known.props).length, 2, "the same statement, known, is refused");
  });
});
