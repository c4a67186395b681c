// The example workload's SDK routes (what `npm start` serves), on the paths that need no cloud:
// options refused before any request, and the issuer's refusal of an audience the workload lacks.

import assert from "node:assert/strict";
import { IssuerHarness } from "../support/issuer-harness.js";
import { PROVIDER } from "./support/fixtures.js";

describe("example workload: /aws and /gcp routes", function () {
  this.timeout(120_000);
  let issuer: IssuerHarness;
  before(async () => {
    issuer = await IssuerHarness.start();
  });
  after(() => issuer?.dispose());

  async function get(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await issuer.mf.dispatchFetch(`${issuer.url}${path}`);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it("answers 400 with every misused option, before calling anything", async () => {
    const aws = await get("/workloads/billing/aws?roleArn=wid-billing&region=mars");
    assert.equal(aws.status, 400);
    assert.equal(aws.body.code, "ERR_INVALID_OPTIONS");
    assert.match(String(aws.body.detail), /roleArn must be an IAM role ARN[\s\S]*region must be an AWS region/);
    const gcp = await get("/workloads/billing/gcp");
    assert.equal(gcp.status, 400);
    assert.match(String(gcp.body.detail), /providerResourceName must be/);
  });

  it("answers 400 with the issuer's code when the workload may not have a token for that cloud", async () => {
    const gcp = await get(`/workloads/ledger-sync/gcp?provider=${encodeURIComponent(PROVIDER)}`);
    assert.equal(gcp.status, 400);
    assert.deepEqual(
      [gcp.body.code, gcp.body.service, gcp.body.issuerCode, gcp.body.retryable],
      ["ERR_ISSUER_REFUSED", "issuer", "ERR_AUDIENCE_NOT_ALLOWED", false],
    );
    const aws = await get(
      "/workloads/reports-exporter/aws?roleArn=arn:aws:iam::123456789012:role/wid-reports-exporter&region=us-east-1",
    );
    assert.equal(aws.body.issuerCode, "ERR_AUDIENCE_NOT_ALLOWED");
  });

  it("still answers the token route as before", async () => {
    const token = await get("/workloads/billing/token?audience=sts.amazonaws.com");
    assert.equal(token.status, 200);
    assert.equal(typeof token.body.token, "string");
  });
});
