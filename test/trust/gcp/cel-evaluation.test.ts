// The security proof for GCP: real tokens minted by the issuer in workerd, run through the
// provider's attribute mapping and condition by an independent CEL engine, then matched against
// every workload's workloadIdentityUser binding. A token maps to its own workload's principal
// and to no other; a token of another account (or without a proper account_id) is refused.

import assert from "node:assert/strict";
import { EvaluationError, evaluate } from "@marcbachmann/cel-js";
import { decodeJwt, type JWTPayload } from "jose";
import { attributeCondition, attributeMapping, principalInPool } from "../../../worker/trust/gcp/workload-identity.js";
import { IssuerHarness } from "../../support/issuer-harness.js";
import { ACCOUNT_ID, GCP_AUDIENCE } from "../../support/stack-fixture.js";
import { accountIdLookAlikes } from "../look-alikes.js";

/** The pool's resource name as GCP spells it, read off the audience rather than built by the code. */
const POOL_RESOURCE = GCP_AUDIENCE.replace("//iam.googleapis.com/", "").replace(/\/providers\/[^/]+$/, "");
const GCP_WORKLOADS = ["billing", "reports-exporter"];

/** What GCP STS does with a token's claims: every mapping expression evaluated over `assertion`. */
function mapAttributes(claims: JWTPayload): Record<string, unknown> {
  const mapped: Record<string, unknown> = {};
  for (const [attribute, expression] of Object.entries(attributeMapping())) {
    mapped[attribute] = evaluate(expression, { assertion: claims });
  }
  return mapped;
}

/** GCP accepts a token only when the condition is true; false or an evaluation error refuses it. */
function admits(condition: string, claims: Record<string, unknown>): boolean {
  try {
    return evaluate(condition, { assertion: claims }) === true;
  } catch (error) {
    if (error instanceof EvaluationError) return false;
    throw error; // a parse error is a broken condition, not a refusal
  }
}

describe("GCP attribute mapping and condition on real tokens (CEL)", function () {
  this.timeout(120_000);
  let harness: IssuerHarness;
  const claimsOf = new Map<string, JWTPayload>();
  let condition: string;
  /** Every workload's workloadIdentityUser member, as the federation grants it. */
  let bindings: { workload: string; member: string }[];

  before(async () => {
    harness = await IssuerHarness.start();
    for (const workload of GCP_WORKLOADS) {
      const { token } = await harness.token(workload, GCP_AUDIENCE);
      claimsOf.set(workload, decodeJwt(token));
    }
    assert.equal(harness.config.issuer.accountId, ACCOUNT_ID);
    condition = attributeCondition(harness.config.issuer.accountId);
    bindings = harness.config.workloads.map((w) => ({
      workload: w.name,
      member: principalInPool(POOL_RESOURCE, w.subject),
    }));
    assert.equal(bindings.length, 4, "all four fixture workloads take part");
  });

  after(async () => {
    await harness?.dispose();
  });

  for (const workload of GCP_WORKLOADS) {
    describe(`a token of ${workload}`, () => {
      it("maps google.subject to its sub, within 127 bytes, and its identity claims to attributes", () => {
        const claims = claimsOf.get(workload)!;
        assert.equal(claims.aud, GCP_AUDIENCE);
        const mapped = mapAttributes(claims);
        assert.deepEqual(mapped, {
          "google.subject": `worker/${ACCOUNT_ID}/${workload}`,
          "attribute.account_id": ACCOUNT_ID,
          "attribute.worker": workload,
          "attribute.environment": "test",
        });
        assert.equal(mapped["google.subject"], claims.sub);
        assert.ok(Buffer.byteLength(String(mapped["google.subject"]), "utf8") <= 127);
      });

      it("is admitted by the condition", () => {
        assert.equal(evaluate(condition, { assertion: claimsOf.get(workload)! }), true);
      });

      it("is refused with another account's id", () => {
        const claims = claimsOf.get(workload)!;
        for (const wrong of accountIdLookAlikes(ACCOUNT_ID).sameType) {
          assert.equal(admits(condition, { ...claims, account_id: wrong }), false, wrong);
        }
      });

      it("is refused without an account_id", () => {
        const { account_id: _dropped, ...claims } = claimsOf.get(workload)!;
        assert.ok(!("account_id" in claims));
        assert.equal(admits(condition, claims), false);
      });

      it("is refused with an account_id of the wrong type", () => {
        const claims = claimsOf.get(workload)!;
        for (const wrong of accountIdLookAlikes(ACCOUNT_ID).otherTypes) {
          assert.equal(
            admits(condition, { ...claims, account_id: wrong }),
            false,
            `account_id = ${JSON.stringify(wrong)}`,
          );
        }
      });

      it("becomes the principal of its own binding and of no other workload's", () => {
        const subject = String(mapAttributes(claimsOf.get(workload)!)["google.subject"]);
        const principal = `principal://iam.googleapis.com/${POOL_RESOURCE}/subject/${subject}`;
        const matching = bindings.filter((b) => b.member === principal).map((b) => b.workload);
        assert.deepEqual(matching, [workload]);
      });
    });
  }

  it("gives every workload a distinct principal", () => {
    assert.equal(new Set(bindings.map((b) => b.member)).size, bindings.length);
    assert.ok(bindings.every((b) => b.member.startsWith("principal://") && !b.member.includes("principalSet")));
  });

  it("quotes the account id so a hostile value cannot widen the condition", () => {
    const hostile = 'x" || true || "';
    const guarded = attributeCondition(hostile);
    assert.equal(admits(guarded, { account_id: "someone-else" }), false);
    assert.equal(admits(guarded, { account_id: hostile }), true);
    const unicode = attributeCondition("é\n😀\\");
    assert.equal(admits(unicode, { account_id: "é\n😀\\" }), true);
    assert.equal(admits(unicode, { account_id: "e\n😀\\" }), false);
  });
});
