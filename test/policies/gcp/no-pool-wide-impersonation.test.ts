import assert from "node:assert/strict";
import { gcpNoPoolWideImpersonation } from "../../../policies/gcp/no-pool-wide-impersonation.js";
import { grant, POOL, PRINCIPAL, TYPES } from "../fixtures.js";
import { NOT_APPLICABLE, runPolicy, UNKNOWN_DURING_PREVIEW, violations } from "../harness.js";

const POOL_SET = `principalSet://iam.googleapis.com/${POOL}/*`;
const USER = "roles/iam.workloadIdentityUser";

describe("policy gcp-no-pool-wide-impersonation", () => {
  it("passes the program's grant to one principal, in each form", async () => {
    for (const type of [TYPES.saMember, TYPES.saBinding, TYPES.saPolicy]) {
      assert.deepEqual(await violations(gcpNoPoolWideImpersonation, grant(type)), [], type);
    }
  });

  it("applies to IAM grants only", async () => {
    assert.equal(await runPolicy(gcpNoPoolWideImpersonation, { type: TYPES.provider, props: {} }), NOT_APPLICABLE);
  });

  it("refuses a service account member that is the whole pool, naming the fix", async () => {
    const messages = await violations(
      gcpNoPoolWideImpersonation,
      grant(TYPES.saMember, (p) => void (p.member = POOL_SET)),
    );
    assert.equal(messages.length, 1);
    assert.match(
      messages[0]!,
      /roles\/iam\.workloadIdentityUser on this service account is granted to principalSet:\/\//,
    );
    assert.match(
      messages[0]!,
      /grant it to principal:\/\/iam\.googleapis\.com\/<pool name>\/subject\/worker\/<account_id>\/<script_name>/,
    );
  });

  it("refuses an attribute set (every Worker with some attribute)", async () => {
    const set = `principalSet://iam.googleapis.com/${POOL}/attribute.environment/dev`;
    assert.equal(
      (
        await violations(
          gcpNoPoolWideImpersonation,
          grant(TYPES.saMember, (p) => void (p.member = set)),
        )
      ).length,
      1,
    );
  });

  it("passes the set of one Workflow's instances, the program's grant for a workflow", async () => {
    const set = `principalSet://iam.googleapis.com/${POOL}/attribute.workflow/nightly-export`;
    assert.deepEqual(
      await violations(
        gcpNoPoolWideImpersonation,
        grant(TYPES.saMember, (p) => void (p.member = set)),
      ),
      [],
    );
  });

  it("refuses a workflow set with a wildcard, or a workflow attribute of another shape", async () => {
    for (const tail of [
      "attribute.workflow/*",
      "attribute.workflow/",
      "attribute.workflow/Nightly",
      "attribute.workflows/nightly",
    ]) {
      const set = `principalSet://iam.googleapis.com/${POOL}/${tail}`;
      assert.equal(
        (
          await violations(
            gcpNoPoolWideImpersonation,
            grant(TYPES.saMember, (p) => void (p.member = set)),
          )
        ).length,
        1,
        tail,
      );
    }
  });

  it("refuses allUsers among a binding's members", async () => {
    const messages = await violations(
      gcpNoPoolWideImpersonation,
      grant(TYPES.saBinding, (p) => void (p.members = [PRINCIPAL, "allUsers"])),
    );
    assert.equal(messages.length, 1);
    assert.match(messages[0]!, /allUsers \(anyone on the internet\)/);
  });

  it("refuses a principalSet in a service account's policyData", async () => {
    const policyData = JSON.stringify({ bindings: [{ role: USER, members: [POOL_SET] }] });
    assert.equal(
      (
        await violations(
          gcpNoPoolWideImpersonation,
          grant(TYPES.saPolicy, (p) => void (p.policyData = policyData)),
        )
      ).length,
      1,
    );
  });

  it("refuses project-level grants to a principalSet or allAuthenticatedUsers", async () => {
    const member = grant(TYPES.projectMember, (p) => {
      p.role = USER;
      p.member = POOL_SET;
    });
    assert.match((await violations(gcpNoPoolWideImpersonation, member))[0]!, /on this project/);
    const binding = grant(TYPES.projectBinding, (p) => {
      p.role = USER;
      p.members = ["allAuthenticatedUsers"];
    });
    assert.equal((await violations(gcpNoPoolWideImpersonation, binding)).length, 1);
    const policyData = JSON.stringify({ bindings: [{ role: USER, members: [POOL_SET] }] });
    assert.equal(
      (
        await violations(
          gcpNoPoolWideImpersonation,
          grant(TYPES.projectPolicy, (p) => void (p.policyData = policyData)),
        )
      ).length,
      1,
    );
  });

  it("refuses serviceAccountTokenCreator to the pool as well", async () => {
    const creator = grant(TYPES.saMember, (p) => {
      p.role = "roles/iam.serviceAccountTokenCreator";
      p.member = POOL_SET;
    });
    assert.equal((await violations(gcpNoPoolWideImpersonation, creator)).length, 1);
  });

  it("leaves other roles alone", async () => {
    const viewer = grant(TYPES.projectMember, (p) => void (p.member = POOL_SET));
    assert.deepEqual(await violations(gcpNoPoolWideImpersonation, viewer), []);
  });

  it("refuses policyData that is not JSON", async () => {
    const messages = await violations(
      gcpNoPoolWideImpersonation,
      grant(TYPES.saPolicy, (p) => void (p.policyData = "{")),
    );
    assert.match(messages[0]!, /policyData is not JSON/);
  });

  it("skips members and policies unknown during preview", async () => {
    assert.deepEqual(
      await violations(
        gcpNoPoolWideImpersonation,
        grant(TYPES.saMember, (p) => void (p.member = UNKNOWN_DURING_PREVIEW)),
      ),
      [],
    );
    assert.deepEqual(
      await violations(
        gcpNoPoolWideImpersonation,
        grant(TYPES.saBinding, (p) => void (p.members = UNKNOWN_DURING_PREVIEW)),
      ),
      [],
    );
    assert.deepEqual(
      await violations(
        gcpNoPoolWideImpersonation,
        grant(TYPES.saPolicy, (p) => void (p.policyData = UNKNOWN_DURING_PREVIEW)),
      ),
      [],
    );
    const unknownRole = grant(TYPES.saMember, (p) => {
      p.role = UNKNOWN_DURING_PREVIEW;
      p.member = POOL_SET;
    });
    assert.deepEqual(await violations(gcpNoPoolWideImpersonation, unknownRole), []);
  });
});
