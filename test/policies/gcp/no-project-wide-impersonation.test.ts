import assert from "node:assert/strict";
import { gcpNoProjectWideImpersonation } from "../../../policies/gcp/no-project-wide-impersonation.js";
import { grant, PRINCIPAL, TYPES } from "../fixtures.js";
import { NOT_APPLICABLE, runPolicy, violations } from "../harness.js";

const USER = "roles/iam.workloadIdentityUser";

describe("policy gcp-no-project-wide-impersonation", () => {
  it("passes the program's project roles for the service account", async () => {
    assert.deepEqual(await violations(gcpNoProjectWideImpersonation, grant(TYPES.projectMember)), []);
    assert.deepEqual(await violations(gcpNoProjectWideImpersonation, grant(TYPES.projectBinding)), []);
  });

  it("does not apply to grants on a service account", async () => {
    assert.equal(await runPolicy(gcpNoProjectWideImpersonation, grant(TYPES.saMember)), NOT_APPLICABLE);
  });

  it("refuses workloadIdentityUser on the project for a workload's principal, naming the fix", async () => {
    const messages = await violations(
      gcpNoProjectWideImpersonation,
      grant(TYPES.projectMember, (p) => {
        p.role = USER;
        p.member = PRINCIPAL;
      }),
    );
    assert.equal(messages.length, 1);
    assert.match(
      messages[0]!,
      /can then impersonate every service account in it; grant it on the workload's own service account/,
    );
  });

  it("refuses it in a project binding and in project policyData", async () => {
    assert.equal(
      (
        await violations(
          gcpNoProjectWideImpersonation,
          grant(TYPES.projectBinding, (p) => {
            p.role = USER;
            p.members = [PRINCIPAL];
          }),
        )
      ).length,
      1,
    );
    const policyData = JSON.stringify({ bindings: [{ role: USER, members: [PRINCIPAL] }] });
    assert.equal(
      (
        await violations(
          gcpNoProjectWideImpersonation,
          grant(TYPES.projectPolicy, (p) => void (p.policyData = policyData)),
        )
      ).length,
      1,
    );
  });
});
