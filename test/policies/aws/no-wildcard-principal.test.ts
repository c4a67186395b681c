import assert from "node:assert/strict";
import { awsTrustNoWildcardPrincipal } from "../../../policies/aws/no-wildcard-principal.js";
import { PROVIDER_ARN, role } from "../fixtures.js";
import { UNKNOWN_DURING_PREVIEW, violations } from "../harness.js";

const check = (resource: ReturnType<typeof role>) => violations(awsTrustNoWildcardPrincipal, resource);

describe("policy aws-trust-no-wildcard-principal", () => {
  it("passes the program's trust policy", async () => {
    assert.deepEqual(await check(role()), []);
  });

  const refused: ReadonlyArray<readonly [string, unknown, RegExp]> = [
    ['Principal "*"', "*", /trusts Principal "\*", anyone at all/],
    ['{AWS: "*"}', { AWS: "*" }, /trusts \{AWS: "\*"\}/],
    ['{Federated: "*"}', { Federated: "*" }, /trusts \{Federated: "\*"\}/],
    ['{Service: "*"}', { Service: "*" }, /trusts \{Service: "\*"\}/],
    ['"*" in a list', { Federated: [PROVIDER_ARN, "*"] }, /trusts \{Federated: "\*"\}/],
  ];
  for (const [what, principal, reason] of refused) {
    it(`refuses ${what}, naming the fix`, async () => {
      const messages = await check(role({ edit: (s) => void (s.Principal = principal) }));
      assert.equal(messages.length, 1);
      assert.match(messages[0]!, reason);
      assert.match(messages[0]!, /name the one principal the role trusts/);
    });
  }

  it("refuses NotPrincipal with Allow", async () => {
    const messages = await check(
      role({
        edit: (s) => {
          delete s.Principal;
          s.NotPrincipal = { AWS: "arn:aws:iam::111122223333:root" };
        },
      }),
    );
    assert.equal(messages.length, 1);
    assert.match(messages[0]!, /NotPrincipal, which trusts every principal it does not name/);
  });

  it("passes a Deny statement for everyone", async () => {
    assert.deepEqual(
      await check(role({ more: [{ Effect: "Deny", Principal: "*", Action: "sts:AssumeRoleWithWebIdentity" }] })),
      [],
    );
  });

  it("still sees a known '*' next to a principal unknown during preview", async () => {
    const mixed = role({
      asObject: true,
      edit: (s) => void (s.Principal = { Federated: UNKNOWN_DURING_PREVIEW, AWS: "*" }),
    });
    assert.equal((await check(mixed)).length, 1);
    assert.deepEqual(
      await check(role({ asObject: true, edit: (s) => void (s.Principal = UNKNOWN_DURING_PREVIEW) })),
      [],
    );
  });
});
