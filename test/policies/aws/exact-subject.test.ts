import assert from "node:assert/strict";
import { awsWebIdentityExactSubject, subjectPatternProblem } from "../../../policies/aws/exact-subject.js";
import { ACCOUNT, HOST, role, SUBJECT } from "../fixtures.js";
import { UNKNOWN_DURING_PREVIEW, violations } from "../harness.js";

const SUB = `${HOST}:sub`;

/** The program's role with its sub condition moved to StringLike with `value`. */
function likeSubject(value: unknown, operator = "StringLike") {
  return role({
    asObject: true,
    edit: (s) => {
      delete s.Condition.StringEquals![SUB];
      s.Condition[operator] = { [SUB]: value };
    },
  });
}

describe("policy aws-web-identity-exact-subject", () => {
  it("passes an exact subject, and a whole-path wildcard after a '/'", async () => {
    assert.deepEqual(await violations(awsWebIdentityExactSubject, role()), []);
    assert.deepEqual(await violations(awsWebIdentityExactSubject, likeSubject(SUBJECT)), []);
    assert.deepEqual(await violations(awsWebIdentityExactSubject, likeSubject(`worker/${ACCOUNT}/*`)), []);
    assert.deepEqual(await violations(awsWebIdentityExactSubject, likeSubject(`workflow/${ACCOUNT}/nightly/*`)), []);
  });

  it("leaves * and ? alone under StringEquals, where they are plain characters", async () => {
    const literal = role({ edit: (s) => void (s.Condition.StringEquals![SUB] = `worker/${ACCOUNT}/bill*`) });
    assert.deepEqual(await violations(awsWebIdentityExactSubject, literal), []);
  });

  const refused: ReadonlyArray<readonly [string, unknown, RegExp]> = [
    [
      "a prefix wildcard that also admits billing-export",
      `worker/${ACCOUNT}/bill*`,
      /also admits every subject that merely starts with "worker\/0123456789abcdef0123456789abcdef\/bill"/,
    ],
    ["a bare *", "*", /merely starts with ""/],
    [
      "a * inside the subject",
      `worker/*/billing`,
      /has a \* before its end, which matches any text there, \/ included/,
    ],
    ["a doubled * at the end", `worker/${ACCOUNT}/**`, /has a \* before its end/],
    ["'/*' with no prefix", "/*", /merely starts with "\/"/],
    ["a ?", `worker/${ACCOUNT}/billin?`, /uses \?, which matches any one character/],
    ["one bad value in a list", [SUBJECT, `worker/${ACCOUNT}/ledger*`], /ledger\*" also admits/],
  ];
  for (const [what, value, reason] of refused) {
    it(`refuses ${what}, naming the fix`, async () => {
      const messages = await violations(awsWebIdentityExactSubject, likeSubject(value));
      assert.equal(messages.length, 1);
      assert.match(messages[0]!, reason);
      assert.match(
        messages[0]!,
        /name the exact subject \(worker\/<account_id>\/<script_name>\), or end a prefix with "\/\*"/,
      );
    });
  }

  it("refuses a wildcard under ForAnyValue:StringLike", async () => {
    const messages = await violations(
      awsWebIdentityExactSubject,
      likeSubject(`worker/${ACCOUNT}/b*`, "ForAnyValue:StringLike"),
    );
    assert.equal(messages.length, 1);
    assert.match(messages[0]!, /ForAnyValue:StringLike id\.example\.dev:sub/);
  });

  it("refuses a policy variable, under StringEquals too", async () => {
    const messages = await violations(
      awsWebIdentityExactSubject,
      role({ edit: (s) => void (s.Condition.StringEquals![SUB] = `\${${SUB}}`) }),
    );
    assert.equal(messages.length, 1);
    assert.match(messages[0]!, /uses a policy variable, which the request itself supplies/);
  });

  it("skips a sub value unknown during preview, and still judges the known ones", async () => {
    assert.deepEqual(await violations(awsWebIdentityExactSubject, likeSubject(UNKNOWN_DURING_PREVIEW)), []);
    const mixed = likeSubject([UNKNOWN_DURING_PREVIEW, `worker/${ACCOUNT}/bill*`]);
    assert.equal((await violations(awsWebIdentityExactSubject, mixed)).length, 1);
  });

  describe("subjectPatternProblem", () => {
    it("admits exact subjects and '/*' endings only", () => {
      assert.equal(subjectPatternProblem("worker/a/b", true), undefined);
      assert.equal(subjectPatternProblem("worker/a/*", true), undefined);
      assert.equal(subjectPatternProblem("a/*", true), undefined);
      assert.notEqual(subjectPatternProblem("worker/a/b*", true), undefined);
      assert.notEqual(subjectPatternProblem("*/a", true), undefined);
      assert.notEqual(subjectPatternProblem("worker/a/b?", true), undefined);
      // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, literally
      assert.notEqual(subjectPatternProblem("worker/${x}", false), undefined);
      assert.equal(subjectPatternProblem("worker/a/b*", false), undefined);
    });
  });
});
