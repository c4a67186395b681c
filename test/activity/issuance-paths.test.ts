// Every issuance path reports to the issuance log: a workflow's workflowToken (channel
// "workflow") and the token exchange, POST /token (channel "exchange"), beside the RPC token()
// that issuance-log.test.ts covers.

import assert from "node:assert/strict";
import { ExchangeStack } from "../exchange/exchange-stack.js";
import { IssuerHarness } from "../support/issuer-harness.js";
import { AWS_AUDIENCE, GCP_AUDIENCE, rawStackConfig } from "../support/stack-fixture.js";
import { EXPORT_WORKFLOW, workflowStackConfig } from "../support/workflow-fixture.js";
import { activityWhen, adminViewOf, countOf } from "./key-store-view.js";

const SCRIPT = "wid-activity-paths";

describe("issuance log in workerd: the workflow and token exchange paths", function () {
  this.timeout(90_000);

  it("counts a workflow's refusal under the workflow, on the workflow channel", async () => {
    const issuer = await IssuerHarness.start({ config: workflowStackConfig() });
    try {
      const outcome = await issuer.call(
        `WORKFLOW_ENTRY_${EXPORT_WORKFLOW}`,
        "workflowToken",
        "no-such-instance",
        AWS_AUDIENCE,
      );
      assert.ok(outcome.error, JSON.stringify(outcome));
      const activity = await activityWhen(issuer.mf, issuer.config.issuer.scriptName, (a) => a.recent.length >= 1);
      const [event] = activity.recent;
      assert.deepEqual(
        { ...event, at: 0 },
        {
          at: 0,
          channel: "workflow",
          requester: "workflow",
          name: EXPORT_WORKFLOW,
          audience: AWS_AUDIENCE,
          outcome: "refused",
          code: /\[(ERR_[A-Z_]+)\]/.exec(outcome.error.message)?.[1],
        },
      );
      assert.ok(!JSON.stringify(activity).includes("no-such-instance"), "the instance id is caller input");
    } finally {
      await issuer.dispose();
    }
  });

  it("counts an exchanged token and an exchange refused for an audience outside the allow-list", async () => {
    const stack = await ExchangeStack.start({
      config: rawStackConfig({ "worker-identity:issuerScriptName": SCRIPT }),
    });
    try {
      const native = await stack.nativeToken("ledger-sync");
      assert.equal((await stack.exchangeToken(native, GCP_AUDIENCE)).status, 400);
      assert.equal((await stack.exchangeToken(native, AWS_AUDIENCE)).status, 200);
      const activity = await activityWhen(stack.mf, SCRIPT, (a) => countOf(a, { name: "ledger-sync" }) >= 2);
      assert.equal(countOf(activity, { name: "ledger-sync", audience: AWS_AUDIENCE, outcome: "issued" }), 1);
      assert.equal(
        countOf(activity, { name: "ledger-sync", audience: "(other)", outcome: "refused", code: "ERR_INVALID_TARGET" }),
        1,
      );
      assert.ok(activity.recent.every((e) => e.channel === "exchange"));
      const stored = JSON.stringify(await adminViewOf(stack.mf, SCRIPT));
      assert.ok(!stored.includes(native.split(".")[1]!), "the subject token is stored");
    } finally {
      await stack.dispose();
    }
  });
});
