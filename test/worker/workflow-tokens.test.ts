// Workflow instance tokens in the real runtime: example workflow Workers (real Workflows, in
// workerd through Miniflare) get tokens for their own instances through their script's binding;
// the issuer checks each instance through its own Workflows binding; introspection, the verifier
// and the edge middleware refuse a token once its instance has ended.

import assert from "node:assert/strict";
import { createMiddleware } from "@worker-identity/middleware";
import { createVerifier, VerificationError } from "@worker-identity/verifier";
import { createRemoteJWKSet, decodeJwt, jwtVerify } from "jose";
import { parseRules } from "../../worker/rules/rules.js";
import { IssuerHarness } from "../support/issuer-harness.js";
import { ACCOUNT_ID, API_AUDIENCE, AWS_AUDIENCE } from "../support/stack-fixture.js";
import {
  createInstance,
  EXPORT_WORKFLOW,
  INTROSPECTION_CLIENT,
  INTROSPECTION_SECRETS,
  instanceToken,
  introspect,
  OTHER_WORKFLOW,
  steer,
  waitForStatus,
  workflowStackConfig,
} from "../support/workflow-fixture.js";

describe("workflow tokens in workerd, bound to the instance's life", function () {
  this.timeout(120_000);
  let issuer: IssuerHarness;
  /** The relying parties' clock: moved past the 10 s an introspection answer may be cached. */
  let skewMs = 0;

  before(async () => {
    issuer = await IssuerHarness.start({ config: workflowStackConfig(), introspectionSecrets: INTROSPECTION_SECRETS });
  });
  after(async () => {
    await issuer?.dispose();
  });

  const verifier = () =>
    createVerifier({
      issuer: issuer.url,
      audience: [AWS_AUDIENCE, API_AUDIENCE],
      now: () => Date.now() + skewMs,
      introspection: {
        url: `${issuer.url}/introspect`,
        clientId: INTROSPECTION_CLIENT,
        clientSecret: INTROSPECTION_SECRETS[INTROSPECTION_CLIENT]!,
      },
    });

  async function refusalCode(token: string): Promise<string> {
    try {
      await verifier().verify(token);
    } catch (error) {
      assert.ok(error instanceof VerificationError, String(error));
      return error.code;
    }
    assert.fail("the verifier accepted the token");
  }

  async function running(audience = AWS_AUDIENCE): Promise<{ id: string; token: string }> {
    const id = await createInstance(issuer, EXPORT_WORKFLOW, audience);
    const { token } = await instanceToken(issuer, EXPORT_WORKFLOW, id);
    return { id, token };
  }

  it("gives a running instance a token for its own instance id, which verifies against the JWKS", async () => {
    const { id, token } = await running();
    const { payload, protectedHeader } = await jwtVerify(
      token,
      createRemoteJWKSet(new URL(`${issuer.url}/.well-known/jwks.json`)),
      {
        issuer: issuer.url,
        audience: AWS_AUDIENCE,
      },
    );
    assert.equal(protectedHeader.typ, "JWT");
    assert.equal(payload.sub, `workflow/${ACCOUNT_ID}/${EXPORT_WORKFLOW}/${id}`);
    assert.equal(payload.workflow, EXPORT_WORKFLOW);
    assert.equal(payload.instance_id, id);
    assert.equal(payload.account_id, ACCOUNT_ID);
    assert.equal(payload.environment, "test");
    assert.equal(payload.team, "data");
    assert.equal(payload.worker, undefined, "a workflow token names no workload");
    assert.equal((payload.exp ?? 0) - (payload.iat ?? 0), 600);
    const identity = await verifier().verify(token);
    assert.deepEqual([identity.workflow, identity.instanceId, identity.workload], [EXPORT_WORKFLOW, id, undefined]);
  });

  for (const [end, status, action, body] of [
    ["completes", "complete", "finish", { outcome: "complete" }],
    ["errors", "errored", "finish", { outcome: "error" }],
    ["is terminated", "terminated", "terminate", undefined],
  ] as const) {
    it(`introspects active while the instance runs and inactive once it ${end}; the verifier then refuses it`, async () => {
      const { id, token } = await running();
      const live = await introspect(issuer, token);
      assert.equal(live.response.status, 200);
      assert.equal(live.response.headers.get("cache-control"), "private, max-age=10");
      assert.equal(live.body.active, true);
      assert.equal(live.body.token_type, "Bearer");
      assert.equal(live.body.instance_id, id);
      await verifier().verify(token);

      await steer(issuer, EXPORT_WORKFLOW, id, action, body);
      await waitForStatus(issuer, EXPORT_WORKFLOW, id, [status]);
      const ended = await introspect(issuer, token);
      assert.deepEqual(ended.body, { active: false });
      assert.equal(ended.response.headers.get("cache-control"), "private, max-age=10");
      skewMs += 11_000; // past the cached "active" answer
      assert.equal(await refusalCode(token), "ERR_TOKEN_INACTIVE");
    });
  }

  it("lets the edge middleware (with introspection) forward a running instance's token, then refuse it with 401", async () => {
    const forwarded: Request[] = [];
    const middleware = createMiddleware({
      issuer: issuer.url,
      audiences: [API_AUDIENCE],
      rules: parseRules({ rules: [{ methods: ["GET"], path: "/jobs/*", allow: "authenticated" }] }),
      forward: async (request) => (forwarded.push(request), new Response("ok")),
      now: () => Date.now() + skewMs,
      introspection: {
        url: `${issuer.url}/introspect`,
        clientId: INTROSPECTION_CLIENT,
        clientSecret: INTROSPECTION_SECRETS[INTROSPECTION_CLIENT]!,
      },
      log: () => undefined,
    });
    const { id, token } = await running(API_AUDIENCE);
    const call = () =>
      middleware(new Request("https://api.example.dev/jobs/1", { headers: { authorization: `Bearer ${token}` } }));
    assert.equal((await call()).status, 200);
    await steer(issuer, EXPORT_WORKFLOW, id, "finish", { outcome: "complete" });
    await waitForStatus(issuer, EXPORT_WORKFLOW, id, ["complete"]);
    skewMs += 11_000;
    const refused = await call();
    assert.equal(refused.status, 401);
    assert.equal(((await refused.json()) as { code: string }).code, "ERR_TOKEN_INACTIVE");
    assert.match(refused.headers.get("www-authenticate") ?? "", /invalid_token/);
    assert.equal(forwarded.length, 1);
  });

  it("gives nothing for an instance id that does not exist, or that belongs to another workflow", async () => {
    const ghost = await issuer.call(
      `WORKFLOW_ENTRY_${EXPORT_WORKFLOW}`,
      "workflowToken",
      "no-such-instance",
      AWS_AUDIENCE,
    );
    assert.match(ghost.error?.message ?? "", /\[ERR_UNKNOWN_INSTANCE\]/);
    const other = await createInstance(issuer, OTHER_WORKFLOW, API_AUDIENCE);
    await instanceToken(issuer, OTHER_WORKFLOW, other);
    const borrowed = await issuer.call(`WORKFLOW_ENTRY_${EXPORT_WORKFLOW}`, "workflowToken", other, API_AUDIENCE);
    assert.match(borrowed.error?.message ?? "", /\[ERR_UNKNOWN_INSTANCE\]/);
    const own = await issuer.call<{ token: string }>(
      `WORKFLOW_PROPS_${OTHER_WORKFLOW}`,
      "workflowToken",
      other,
      API_AUDIENCE,
    );
    assert.equal(decodeJwt(own.result?.token ?? "").workflow, OTHER_WORKFLOW, JSON.stringify(own));
  });

  it("gives an ended instance nothing more, and signs nothing for it", async () => {
    const { id } = await running();
    await steer(issuer, EXPORT_WORKFLOW, id, "terminate");
    await waitForStatus(issuer, EXPORT_WORKFLOW, id, ["terminated"]);
    const outcome = await issuer.call(`WORKFLOW_ENTRY_${EXPORT_WORKFLOW}`, "workflowToken", id, AWS_AUDIENCE, {
      lifetimeSeconds: 60,
    });
    assert.match(outcome.error?.message ?? "", /\[ERR_INSTANCE_NOT_RUNNING\] .*"terminated"/);
    await issuer.settleLogs();
    assert.equal(issuer.events("token.issued").filter((e) => e.instance === id).length, 1, "only the token of its run");
  });

  it("refuses instance ids over the bound or outside Cloudflare's charset, and audiences not allowed", async () => {
    const { id } = await running();
    const call = (...args: unknown[]) => issuer.call(`WORKFLOW_ENTRY_${EXPORT_WORKFLOW}`, "workflowToken", ...args);
    assert.match(
      (await call("x".repeat(65), AWS_AUDIENCE)).error?.message ?? "",
      /\[ERR_INVALID_REQUEST\] .*maxInstanceIdLength/,
    );
    assert.match((await call("../etc", AWS_AUDIENCE)).error?.message ?? "", /\[ERR_INVALID_REQUEST\]/);
    assert.match(
      (await call(id, "https://elsewhere")).error?.message ?? "",
      /\[ERR_AUDIENCE_NOT_ALLOWED\] .*workflows\.nightly-export\.audiences/,
    );
    assert.match(
      (await call(id, AWS_AUDIENCE, { workflow: "cleanup" })).error?.message ?? "",
      /\[ERR_INVALID_REQUEST\] .*unknown option/,
    );
  });

  it("keeps workload and workflow bindings apart: each refuses the other's method with ERR_NO_IDENTITY", async () => {
    const { id } = await running();
    const workloadCalling = await issuer.call("ENTRY_billing", "workflowToken", id, AWS_AUDIENCE);
    assert.match(workloadCalling.error?.message ?? "", /\[ERR_NO_IDENTITY\] .*workload's identity/);
    const propsCalling = await issuer.call("PROPS_billing", "workflowToken", id, AWS_AUDIENCE);
    assert.match(propsCalling.error?.message ?? "", /\[ERR_NO_IDENTITY\]/);
    const workflowCalling = await issuer.call(`WORKFLOW_ENTRY_${EXPORT_WORKFLOW}`, "token", AWS_AUDIENCE);
    assert.match(workflowCalling.error?.message ?? "", /\[ERR_NO_IDENTITY\] .*workflowToken/);
    const anonymous = await issuer.call("NO_IDENTITY", "workflowToken", id, AWS_AUDIENCE);
    assert.match(anonymous.error?.message ?? "", /\[ERR_NO_IDENTITY\]/);
  });
});
