// Trust proven end to end on the repository's dev stack: the Pulumi program (under mocks)
// generates the AWS trust policies and the GCP provider and grants; the issuer in workerd, run
// from the same Pulumi.dev.yaml, mints a token for every workload and audience (and for an
// instance of every workflow); an independent IAM engine and a CEL engine decide. Each token
// opens its own workload's (or workflow's) role or service account and nothing else.

import assert from "node:assert/strict";
import { EvaluationError, evaluate } from "@marcbachmann/cel-js";
import { decodeJwt, type JWTPayload } from "jose";
import { dev, engineConfig, runProgram } from "../support/dev-stack.js";
import { simulateTrust } from "../support/iam-simulator.js";
import { IssuerHarness } from "../support/issuer-harness.js";
import { ofType, type RecordedResource } from "../support/pulumi-mocks.js";
import { createInstance, instanceToken } from "../support/workflow-fixture.js";

interface Minted {
  readonly kind: "workload" | "workflow";
  /** The workload's or the workflow's name. */
  readonly workload: string;
  readonly claims: JWTPayload;
}

const ISSUER_HOST = String(dev.config["worker-identity:issuerHostname"]);
const WORKLOAD_USER = "roles/iam.workloadIdentityUser";

describe("end to end on Pulumi.dev.yaml: the program's trust, the issuer's tokens, independent engines", function () {
  this.timeout(120_000);
  const minted: Minted[] = [];
  let roles: RecordedResource[];
  let gcpProvider: RecordedResource;
  let gcpPool: RecordedResource;
  let grants: RecordedResource[];

  before(async () => {
    await runProgram(engineConfig());
    roles = ofType("aws:iam/role:Role");
    gcpProvider = ofType("gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider")[0]!;
    gcpPool = ofType("gcp:iam/workloadIdentityPool:WorkloadIdentityPool")[0]!;
    grants = ofType("gcp:serviceaccount/iAMMember:IAMMember").filter((g) => g.inputs.role === WORKLOAD_USER);

    const issuer = await IssuerHarness.start({ config: { ...dev.config } });
    try {
      for (const workload of issuer.config.workloads) {
        for (const audience of workload.audiences) {
          const { token } = await issuer.token(workload.name, audience);
          minted.push({ kind: "workload", workload: workload.name, claims: decodeJwt(token) });
        }
      }
      for (const workflow of issuer.config.workflows) {
        for (const audience of workflow.audiences) {
          const id = await createInstance(issuer, workflow.name, audience);
          const { token } = await instanceToken(issuer, workflow.name, id);
          minted.push({ kind: "workflow", workload: workflow.name, claims: decodeJwt(token) });
        }
      }
    } finally {
      await issuer.dispose();
    }
  });

  it("AWS: a token assumes its own workload's role, and no role for any other token", async () => {
    const providers = ofType("aws:iam/openIdConnectProvider:OpenIdConnectProvider");
    const clientIds = providers[0]!.inputs.clientIdLists as string[];
    // billing, ledger-sync and the nightly-export workflow: without roles the count below is 0 = 0.
    assert.ok(roles.length >= 3, `the dev stack declares ${roles.length} AWS roles`);
    let allowed = 0;
    for (const role of roles) {
      const policy = JSON.parse(String(role.inputs.assumeRolePolicy)) as {
        Statement: { Principal: { Federated: string } }[];
      };
      const provider = policy.Statement[0]!.Principal.Federated;
      const tags = role.inputs.tags as Record<string, string>;
      const roleWorkload = tags["worker-identity:workload"] ?? tags["worker-identity:workflow"];
      for (const token of minted) {
        const decision = await simulateTrust(policy, {
          principal: provider,
          action: "sts:AssumeRoleWithWebIdentity",
          roleArn: `arn:aws:iam::111122223333:role/${String(role.inputs.name)}`,
          account: "111122223333",
          context: {
            [`${ISSUER_HOST}:sub`]: String(token.claims.sub),
            [`${ISSUER_HOST}:aud`]: String(token.claims.aud),
          },
        });
        const owner = tags[`worker-identity:${token.kind}`];
        const expected = token.workload === owner && clientIds.includes(String(token.claims.aud));
        assert.equal(
          decision === "Allowed",
          expected,
          `${token.workload} (aud ${String(token.claims.aud)}) on ${roleWorkload}: ${decision}`,
        );
        if (expected) allowed++;
      }
    }
    assert.equal(allowed, roles.length, "every AWS workload (and workflow instance) can assume its own role");
    assert.ok(
      minted.some((t) => t.kind === "workflow"),
      "the dev stack has a workflow",
    );
  });

  it("GCP: a token maps to its own workload's principal, admitted by the condition, granted on its account only", () => {
    const oidc = gcpProvider.inputs.oidc as { allowedAudiences: string[] };
    const mapping = gcpProvider.inputs.attributeMapping as Record<string, string>;
    const condition = String(gcpProvider.inputs.attributeCondition);
    const { projectNumber } = dev.config["worker-identity:gcp"] as { projectNumber: string };
    const poolName = `projects/${projectNumber}/locations/global/workloadIdentityPools/${String(gcpPool.inputs.workloadIdentityPoolId)}`;
    const gcpTokens = minted.filter((t) => oidc.allowedAudiences.includes(String(t.claims.aud)));
    assert.ok(gcpTokens.length >= 2, "the dev stack has GCP workloads");
    for (const token of gcpTokens) {
      const subject = evaluate(mapping["google.subject"]!, { assertion: token.claims });
      assert.equal(subject, token.claims.sub);
      let admitted: boolean;
      try {
        admitted = evaluate(condition, { assertion: token.claims }) === true;
      } catch (error) {
        if (!(error instanceof EvaluationError)) throw error;
        admitted = false;
      }
      assert.ok(admitted, `${token.workload}'s token is refused by the condition`);
      const principal = `principal://iam.googleapis.com/${poolName}/subject/${String(subject)}`;
      const matching = grants.filter((g) => g.inputs.member === principal);
      assert.equal(matching.length, 1, `${token.workload}: ${matching.length} grants match ${principal}`);
      assert.match(
        String(matching[0]!.name),
        new RegExp(token.workload),
        "the grant belongs to the token's own workload",
      );
    }
    const otherTokens = minted.filter((t) => !gcpTokens.includes(t));
    assert.ok(otherTokens.length >= 1, "the dev stack mints tokens for other audiences too");
    for (const token of otherTokens) {
      assert.ok(!oidc.allowedAudiences.includes(String(token.claims.aud)), "GCP refuses the other audiences");
    }
  });
});
