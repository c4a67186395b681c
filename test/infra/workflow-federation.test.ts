// Workflow federation, proved on real tokens: an instance of the example workflow gets a token
// from the issuer in workerd; an independent IAM engine judges it against the workflow's role
// trust policy (StringLike on the workflow's subject prefix, never an instance id), and a CEL
// engine runs GCP's attribute mapping over it and matches the workflow's principalSet.

import assert from "node:assert/strict";
import { evaluate } from "@marcbachmann/cel-js";
import { decodeJwt, type JWTPayload } from "jose";
import { webIdentityTrustPolicy, workflowTrustPolicy } from "../../worker/trust/aws/trust-policy.js";
import { attributeMapping, principalInPool, principalSetInPool } from "../../worker/trust/gcp/workload-identity.js";
import { simulateTrust } from "../support/iam-simulator.js";
import { IssuerHarness } from "../support/issuer-harness.js";
import { ACCOUNT_ID, API_AUDIENCE, AWS_AUDIENCE } from "../support/stack-fixture.js";
import {
  createInstance,
  EXPORT_WORKFLOW,
  INTROSPECTION_SECRETS,
  instanceToken,
  workflowStackConfig,
} from "../support/workflow-fixture.js";

const HOST = "id.example.dev";
const ACCOUNT = "111122223333";
const PROVIDER_ARN = `arn:aws:iam::${ACCOUNT}:oidc-provider/${HOST}`;
const PREFIX = `workflow/${ACCOUNT_ID}/${EXPORT_WORKFLOW}/`;
const POOL = "projects/123456789012/locations/global/workloadIdentityPools/wid";

describe("workflow federation on real instance tokens (IAM and CEL engines)", function () {
  this.timeout(120_000);
  let issuer: IssuerHarness;
  let workflowClaims: JWTPayload;
  let workloadClaims: JWTPayload;

  before(async () => {
    issuer = await IssuerHarness.start({ config: workflowStackConfig(), introspectionSecrets: INTROSPECTION_SECRETS });
    const id = await createInstance(issuer, EXPORT_WORKFLOW, AWS_AUDIENCE);
    workflowClaims = decodeJwt((await instanceToken(issuer, EXPORT_WORKFLOW, id)).token);
    workloadClaims = decodeJwt((await issuer.token("ledger-sync", AWS_AUDIENCE)).token);
  });
  after(async () => {
    await issuer?.dispose();
  });

  describe("AWS: the workflow's role", () => {
    const policy = workflowTrustPolicy({
      providerArn: PROVIDER_ARN,
      issuerUrl: `https://${HOST}`,
      subjectPrefix: PREFIX,
      audience: AWS_AUDIENCE,
    });
    const decide = (sub: string, aud = AWS_AUDIENCE) =>
      simulateTrust(policy, {
        principal: PROVIDER_ARN,
        action: "sts:AssumeRoleWithWebIdentity",
        roleArn: `arn:aws:iam::${ACCOUNT}:role/wid-${EXPORT_WORKFLOW}`,
        account: ACCOUNT,
        context: { [`${HOST}:sub`]: sub, [`${HOST}:aud`]: aud },
      });

    it("trusts the prefix with a wildcard right after its last '/', and the exact audience; never an instance id", () => {
      assert.deepEqual(policy.Statement[0]?.Condition, {
        StringEquals: { [`${HOST}:aud`]: AWS_AUDIENCE },
        StringLike: { [`${HOST}:sub`]: `${PREFIX}*` },
      });
      assert.ok(!JSON.stringify(policy).includes(String(workflowClaims.instance_id)));
      assert.throws(
        () =>
          workflowTrustPolicy({
            providerArn: PROVIDER_ARN,
            issuerUrl: `https://${HOST}`,
            subjectPrefix: `${PREFIX}x`,
            audience: AWS_AUDIENCE,
          }),
        /not workflow\/<account_id>\/<name>\//,
      );
    });

    it("admits any instance of the workflow, as its real token names it", async () => {
      assert.equal(workflowClaims.aud, AWS_AUDIENCE);
      assert.equal(await decide(String(workflowClaims.sub)), "Allowed");
      assert.equal(await decide(`${PREFIX}${crypto.randomUUID()}`), "Allowed");
    });

    it("refuses other workflows (even one whose name extends this one's), workloads, and other audiences", async () => {
      assert.equal(await decide(String(workloadClaims.sub)), "ImplicitlyDenied");
      assert.equal(
        await decide(`workflow/${ACCOUNT_ID}/${EXPORT_WORKFLOW}-x/${workflowClaims.instance_id}`),
        "ImplicitlyDenied",
      );
      assert.equal(await decide(`workflow/${ACCOUNT_ID}/cleanup/${workflowClaims.instance_id}`), "ImplicitlyDenied");
      assert.equal(await decide(`workflow/${"f".repeat(32)}/${EXPORT_WORKFLOW}/x`), "ImplicitlyDenied");
      assert.equal(await decide(String(workflowClaims.sub), API_AUDIENCE), "ImplicitlyDenied");
    });

    it("and a workload's exact-subject role refuses the workflow's token", async () => {
      const workloadPolicy = webIdentityTrustPolicy({
        providerArn: PROVIDER_ARN,
        issuerUrl: `https://${HOST}`,
        subject: String(workloadClaims.sub),
        audience: AWS_AUDIENCE,
        tagSession: false,
      });
      const decision = await simulateTrust(workloadPolicy, {
        principal: PROVIDER_ARN,
        action: "sts:AssumeRoleWithWebIdentity",
        roleArn: `arn:aws:iam::${ACCOUNT}:role/wid-ledger-sync`,
        account: ACCOUNT,
        context: { [`${HOST}:sub`]: String(workflowClaims.sub), [`${HOST}:aud`]: AWS_AUDIENCE },
      });
      assert.equal(decision, "ImplicitlyDenied");
    });
  });

  describe("GCP: the workflow's principalSet", () => {
    const map = (claims: JWTPayload) =>
      Object.fromEntries(
        Object.entries(attributeMapping({ workflows: true })).map(([k, e]) => [k, evaluate(e, { assertion: claims })]),
      );

    it("maps a workflow token's subject (within 127 bytes) and its workflow; a workload token's workflow is '-'", () => {
      const mapped = map(workflowClaims);
      assert.equal(mapped["google.subject"], workflowClaims.sub);
      assert.ok(Buffer.byteLength(String(mapped["google.subject"])) <= 127);
      assert.equal(mapped["attribute.workflow"], EXPORT_WORKFLOW);
      assert.equal(mapped["attribute.worker"], "-");
      const workload = map(workloadClaims);
      assert.equal(workload["attribute.workflow"], "-");
      assert.equal(workload["attribute.worker"], "ledger-sync");
    });

    it("grants every instance of the workflow through attribute.workflow, and nothing else", () => {
      const member = principalSetInPool(POOL, EXPORT_WORKFLOW);
      assert.equal(member, `principalSet://iam.googleapis.com/${POOL}/attribute.workflow/${EXPORT_WORKFLOW}`);
      const memberOf = (claims: JWTPayload) =>
        `principalSet://iam.googleapis.com/${POOL}/attribute.workflow/${String(map(claims)["attribute.workflow"])}`;
      assert.equal(memberOf(workflowClaims), member);
      assert.notEqual(memberOf(workloadClaims), member);
      assert.notEqual(principalInPool(POOL, String(workloadClaims.sub)), member);
      assert.throws(() => principalSetInPool(POOL, "-"), /not a Workflow name/);
    });

    it("leaves the mapping of a stack without workflows as it was", () => {
      assert.deepEqual(Object.keys(attributeMapping()), [
        "google.subject",
        "attribute.account_id",
        "attribute.worker",
        "attribute.environment",
      ]);
    });
  });
});
