// Options that are not plain objects, sent through the real RPC boundary: a caller Worker in
// workerd builds each shape (test/fixtures/workers/option-shapes.ts) and hands it to the issuer's
// per-workload and per-workflow entrypoints. Whatever structured clone turns it into on the way,
// the issuer must either refuse it as ERR_INVALID_REQUEST or (for a real plain object) honour it;
// it must never accept it and silently drop the requested lifetime.

import assert from "node:assert/strict";
import { resolve } from "node:path";
import { decodeJwt } from "jose";
import { Miniflare, type WorkerOptions } from "miniflare";
import { COMPATIBILITY_DATE } from "../../worker/build/bundle.js";
import { localStack } from "../../worker/local/stack.js";
import { freePort } from "../support/free-port.js";
import { AWS_AUDIENCE, PROJECT, randomAdminToken, randomKek, STACK } from "../support/stack-fixture.js";
import { bundledModules } from "../support/workerd-modules.js";
import { EXPORT_WORKFLOW, workflowStackConfig } from "../support/workflow-fixture.js";

interface Outcome {
  readonly result?: { token: string; expiresAt: number };
  readonly error?: { name: string; message: string };
}

/**
 * Shapes that workerd's RPC delivers to the issuer as they are (structured clone keeps a Map a Map,
 * a Date a Date, a boxed number boxed; a function or RpcTarget arrives as a stub): the issuer
 * itself must refuse each.
 */
const DELIVERED = [
  "map",
  "set",
  "date",
  "array",
  "uint8array",
  "regexp",
  "error",
  "boxed-number",
  "function",
  "rpc-target",
];
/** Shapes the caller's side of RPC cannot serialize at all: the issuer never sees them. */
const UNSERIALIZABLE = ["null-prototype", "class-instance"];

describe("RPC options in workerd: plain objects or nothing", function () {
  this.timeout(120_000);
  let mf: Miniflare;
  let url: string;

  before(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const input = {
      project: PROJECT,
      stack: STACK,
      config: workflowStackConfig(),
      issuerUrl: url,
      keyEncryptionKey: randomKek(),
      adminToken: randomAdminToken(),
    };
    const { config } = await localStack(input);
    const workflow = config.workflows.find((w) => w.name === EXPORT_WORKFLOW)!;
    const caller: WorkerOptions = {
      name: "option-shapes",
      modules: await bundledModules(resolve(import.meta.dirname, "../fixtures/workers/option-shapes.ts")),
      compatibilityDate: COMPATIBILITY_DATE,
      serviceBindings: {
        WORKLOAD: {
          name: config.issuer.scriptName,
          entrypoint: config.workloads.find((w) => w.name === "billing")!.entrypoint,
        },
        WORKFLOW: { name: config.issuer.scriptName, entrypoint: workflow.entrypoint },
      },
      routes: ["*/__shapes/*"],
    };
    const stack = await localStack({ ...input, extraWorkers: [caller] });
    mf = new Miniflare({ ...stack.options, handleRuntimeStdio: () => {} });
    await mf.ready;
  });
  after(async () => {
    await mf?.dispose();
  });

  async function send(body: Record<string, unknown>): Promise<Outcome> {
    const response = await mf.dispatchFetch(`${url}/__shapes/call`, { method: "POST", body: JSON.stringify(body) });
    assert.equal(response.status, 200, await response.clone().text());
    return (await response.json()) as Outcome;
  }

  const token = (shape: string) =>
    send({ binding: "WORKLOAD", method: "token", leading: [], slot: "options", audience: AWS_AUDIENCE, shape });
  // A well-formed id of no instance: the arguments are checked before the instance is looked up,
  // so a refusal here is about the options, and acceptance would go on to ERR_UNKNOWN_INSTANCE.
  const workflowToken = (shape: string) =>
    send({
      binding: "WORKFLOW",
      method: "workflowToken",
      leading: ["no-such-instance"],
      slot: "options",
      audience: AWS_AUDIENCE,
      shape,
    });

  function refusedAsInvalid(outcome: Outcome, shape: string): string {
    assert.equal(outcome.result, undefined, `${shape}: a token was issued`);
    assert.match(outcome.error?.message ?? "", /\[ERR_INVALID_REQUEST\] /, `${shape}: ${outcome.error?.message}`);
    return outcome.error!.message;
  }

  it("token(): honours lifetimeSeconds 60 in a plain object", async () => {
    const outcome = await token("plain");
    assert.ok(outcome.result, JSON.stringify(outcome.error));
    const claims = decodeJwt(outcome.result.token);
    assert.equal(claims.exp! - claims.iat!, 60);
  });

  for (const shape of DELIVERED) {
    it(`token(): refuses options that are a ${shape}, saying to pass { lifetimeSeconds: N }`, async () => {
      const message = refusedAsInvalid(await token(shape), shape);
      assert.match(
        message,
        /token\(audience, options\): options must be a plain object such as \{ lifetimeSeconds: \d+ \}/,
      );
    });

    it(`workflowToken(): refuses options that are a ${shape}, saying to pass { lifetimeSeconds: N }`, async () => {
      const message = refusedAsInvalid(await workflowToken(shape), shape);
      assert.match(
        message,
        /workflowToken\(instanceId, audience, options\): options must be a plain object such as \{ lifetimeSeconds: \d+ \}/,
      );
    });
  }

  for (const shape of UNSERIALIZABLE) {
    it(`token(): a ${shape} never leaves the caller (RPC cannot serialize it), so nothing is issued`, async () => {
      const outcome = await token(shape);
      assert.equal(outcome.result, undefined);
      assert.match(outcome.error?.message ?? "", /Could not serialize object of type/);
    });
  }

  it("token(): refuses an audience that is a String object, not a string", async () => {
    const outcome = await send({
      binding: "WORKLOAD",
      method: "token",
      leading: [],
      slot: "audience",
      audience: AWS_AUDIENCE,
      shape: "boxed-string",
    });
    refusedAsInvalid(outcome, "boxed-string audience");
  });

  it("workflowToken(): refuses an audience that is a String object", async () => {
    const outcome = await send({
      binding: "WORKFLOW",
      method: "workflowToken",
      leading: ["no-such-instance"],
      slot: "audience",
      audience: AWS_AUDIENCE,
      shape: "boxed-string",
    });
    refusedAsInvalid(outcome, "boxed-string audience");
  });
});
