import assert from "node:assert/strict";
import { gcpPrincipalSubjectFits } from "../../../policies/gcp/principal-subject-fits.js";
import { grant, POOL, PRINCIPAL, TYPES } from "../fixtures.js";
import { violations } from "../harness.js";

const principal = (subject: string) => `principal://iam.googleapis.com/${POOL}/subject/${subject}`;

describe("policy gcp-principal-subject-fits", () => {
  it("passes the program's principal, and 127 bytes exactly", async () => {
    assert.deepEqual(await violations(gcpPrincipalSubjectFits, grant()), []);
    assert.deepEqual(
      await violations(
        gcpPrincipalSubjectFits,
        grant(TYPES.saMember, (p) => void (p.member = principal("a".repeat(127)))),
      ),
      [],
    );
  });

  it("refuses a subject of 128 bytes, naming the limit and the fix", async () => {
    const messages = await violations(
      gcpPrincipalSubjectFits,
      grant(TYPES.saMember, (p) => void (p.member = principal("a".repeat(128)))),
    );
    assert.equal(messages.length, 1);
    assert.match(
      messages[0]!,
      /names a subject of 128 bytes, but google\.subject is 1 to 127 bytes, so no token can ever match it/,
    );
  });

  it("counts bytes, not characters", async () => {
    const messages = await violations(
      gcpPrincipalSubjectFits,
      grant(TYPES.saMember, (p) => void (p.member = principal("é".repeat(64)))),
    );
    assert.match(messages[0]!, /128 bytes/);
  });

  it("refuses an empty subject", async () => {
    assert.equal(
      (
        await violations(
          gcpPrincipalSubjectFits,
          grant(TYPES.saMember, (p) => void (p.member = principal(""))),
        )
      ).length,
      1,
    );
  });

  it("checks every member of bindings and policies, on projects too", async () => {
    const long = principal("b".repeat(200));
    assert.equal(
      (
        await violations(
          gcpPrincipalSubjectFits,
          grant(TYPES.saBinding, (p) => void (p.members = [PRINCIPAL, long])),
        )
      ).length,
      1,
    );
    const policyData = JSON.stringify({ bindings: [{ role: "roles/viewer", members: [long] }] });
    assert.equal(
      (
        await violations(
          gcpPrincipalSubjectFits,
          grant(TYPES.projectPolicy, (p) => void (p.policyData = policyData)),
        )
      ).length,
      1,
    );
  });
});
