// The pure parts of workflow identity: subjects, instance id checks, status classification,
// binding resolution and claims.

import assert from "node:assert/strict";
import { instanceIdProblem } from "../../worker/config/instance-id.js";
import { validateStackConfig } from "../../worker/config/validate.js";
import { errorCodeOf } from "../../worker/errors.js";
import { refuseWorkflowBindingForToken, resolveWorkflow } from "../../worker/issuer/identity.js";
import { workflowTokenClaims } from "../../worker/workflows/claims.js";
import { instanceLife, mayIssueFor, tokensActiveFor } from "../../worker/workflows/status.js";
import { checkInstanceId, workflowSubject } from "../../worker/workflows/subject.js";
import { ACCOUNT_ID, PROJECT, STACK } from "../support/stack-fixture.js";
import { workflowStackConfig } from "../support/workflow-fixture.js";

const config = validateStackConfig(workflowStackConfig(), { project: PROJECT, stack: STACK });
const exportFlow = config.workflows.find((w) => w.name === "nightly-export")!;

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return errorCodeOf(error);
  }
  return undefined;
}

describe("workflow subjects and instance ids", () => {
  it("builds workflow/<account>/<workflow>/<instance>", () => {
    assert.equal(workflowSubject(exportFlow, "abc-123"), `workflow/${ACCOUNT_ID}/nightly-export/abc-123`);
  });

  it("accepts Cloudflare's ids up to the configured bound, and a UUID", () => {
    assert.equal(instanceIdProblem(exportFlow, crypto.randomUUID()), undefined);
    assert.equal(instanceIdProblem(exportFlow, "x".repeat(64)), undefined);
    assert.equal(instanceIdProblem(exportFlow, "_a-B_9"), undefined);
  });

  it("refuses ids over the bound, outside the charset, empty or not strings, with ERR_INVALID_REQUEST", () => {
    assert.match(instanceIdProblem(exportFlow, "x".repeat(65)) ?? "", /65 characters, more than the 64/);
    for (const bad of ["-leading", "a/b", "a b", "é", "a.b", "", 42, null]) {
      assert.notEqual(instanceIdProblem(exportFlow, bad), undefined, JSON.stringify(bad));
      assert.equal(
        codeOf(() => checkInstanceId(exportFlow, bad)),
        "ERR_INVALID_REQUEST",
      );
    }
  });

  it("keeps the longest subject the bound allows within 127 bytes", () => {
    const longest = workflowSubject(exportFlow, "x".repeat(exportFlow.maxInstanceIdLength));
    assert.ok(new TextEncoder().encode(longest).length <= 127, longest);
  });
});

describe("instance status classification", () => {
  it("issues only to executing instances", () => {
    for (const status of ["running", "waiting", "waitingForPause"]) assert.equal(mayIssueFor(status), true, status);
    for (const status of [
      "queued",
      "paused",
      "complete",
      "errored",
      "terminated",
      "unknown",
      "Running",
      "",
      undefined,
    ]) {
      assert.equal(mayIssueFor(status), false, String(status));
    }
  });

  it("keeps tokens active until the instance ends, and fails closed on anything unknown", () => {
    for (const status of ["running", "waiting", "waitingForPause", "queued", "paused"])
      assert.equal(tokensActiveFor(status), true, status);
    for (const status of ["complete", "errored", "terminated", "unknown", "toString", "__proto__", 3]) {
      assert.equal(tokensActiveFor(status), false, String(status));
    }
    assert.equal(instanceLife("paused"), "suspended");
    assert.equal(instanceLife("errored"), "ended");
    assert.equal(instanceLife("constructor"), "unknown");
  });
});

describe("workflow identity from the binding", () => {
  it("resolves the generated entrypoint and props.workflow to the same workflow", () => {
    assert.equal(
      resolveWorkflow(config, { workload: undefined, workflow: "nightly-export", props: undefined }),
      exportFlow,
    );
    assert.equal(
      resolveWorkflow(config, { workload: undefined, workflow: undefined, props: { workflow: "nightly-export" } }),
      exportFlow,
    );
  });

  it("refuses a workload binding, a binding without identity and conflicting names with ERR_NO_IDENTITY", () => {
    const cases = [
      { workload: "billing", workflow: undefined, props: undefined },
      { workload: undefined, workflow: undefined, props: { workload: "billing" } },
      { workload: undefined, workflow: undefined, props: undefined },
      { workload: undefined, workflow: "nightly-export", props: { workflow: "cleanup" } },
      { workload: undefined, workflow: undefined, props: { workflow: 7 } },
    ];
    for (const binding of cases)
      assert.equal(
        codeOf(() => resolveWorkflow(config, binding)),
        "ERR_NO_IDENTITY",
        JSON.stringify(binding),
      );
  });

  it("refuses an unregistered workflow with ERR_UNKNOWN_WORKFLOW", () => {
    assert.equal(
      codeOf(() => resolveWorkflow(config, { workload: undefined, workflow: undefined, props: { workflow: "ghost" } })),
      "ERR_UNKNOWN_WORKFLOW",
    );
  });

  it("refuses token() through a workflow's binding, naming workflowToken", () => {
    assert.throws(
      () => refuseWorkflowBindingForToken({ workload: undefined, workflow: "nightly-export", props: undefined }),
      /\[ERR_NO_IDENTITY\].*workflowToken\(event\.instanceId, audience\)/,
    );
    refuseWorkflowBindingForToken({ workload: "billing", workflow: undefined, props: undefined });
  });
});

describe("workflow token claims", () => {
  it("carry the instance's identity last, over static claims", () => {
    const claims = workflowTokenClaims({
      issuer: config.issuer,
      workflow: { ...exportFlow, claims: { team: "data", sub: "spoofed" } },
      instanceId: "i-1",
      audience: "sts.amazonaws.com",
      issuedAt: 1_000,
      lifetimeSeconds: 600,
      jti: "j",
    });
    assert.deepEqual(claims, {
      team: "data",
      iss: config.issuer.issuerUrl,
      sub: `workflow/${ACCOUNT_ID}/nightly-export/i-1`,
      aud: "sts.amazonaws.com",
      iat: 1_000,
      nbf: 1_000,
      exp: 1_600,
      jti: "j",
      account_id: ACCOUNT_ID,
      workflow: "nightly-export",
      instance_id: "i-1",
      environment: "test",
    });
  });
});
