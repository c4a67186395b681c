// The bindings table (worker/bindings/table.ts) is what the Pulumi program declares on the
// issuer script and what the local stack gives the issuer: names, types, the key store's class.

import assert from "node:assert/strict";
import type { WorkerOptions } from "miniflare";
import { issuerScriptBindings } from "../../infra/cloudflare/issuer-bindings.js";
import { ISSUER_BINDINGS, issuerBindingEntries } from "../../worker/bindings/table.js";
import { localStack } from "../../worker/local/stack.js";
import { engineConfig, runProgram } from "../support/dev-stack.js";
import { ofType } from "../support/pulumi-mocks.js";
import { PROJECT, rawStackConfig, STACK } from "../support/stack-fixture.js";

interface Binding {
  readonly type: string;
  readonly name: string;
  readonly className?: string;
}

/** Bound only during a KEK rotation (keyEncryptionKey.previous set). */
const ONLY_WHILE_ROTATING = "KEY_ENCRYPTION_KEY_PREVIOUS";
const ROTATING = { "worker-identity:keyEncryptionKey": { generation: 2, previous: 1 } };

/** The table's rows the program deploys, as {type, name[, className]}, in the table's order. */
function deployedRows(withOptional: boolean, rotating = false): Binding[] {
  return issuerBindingEntries()
    .filter(
      ([name, spec]) =>
        spec.deployed === "always" ||
        (spec.deployed === "when set" && (name === ONLY_WHILE_ROTATING ? rotating : withOptional)),
    )
    .map(([name, spec]) => ({
      type: spec.type,
      name,
      ...(spec.type === "durable_object_namespace" ? { className: spec.className } : {}),
    }));
}

async function issuerScriptBindingsDeployed(config: Record<string, string>): Promise<Binding[]> {
  await runProgram(config);
  const script = ofType("cloudflare:index/workersScript:WorkersScript").find(
    (s) => s.inputs.scriptName === "worker-identity",
  );
  assert.ok(script, "the program declares the issuer script");
  return (script.inputs.bindings as Binding[])
    .filter((b) => b.type !== "workflow")
    .map((b) => ({ type: b.type, name: b.name, ...(b.className === undefined ? {} : { className: b.className }) }));
}

describe("the issuer's bindings table", function () {
  this.timeout(60_000);

  it("is what the Pulumi program binds on the issuer script (Pulumi.dev.yaml, with introspection clients)", async () => {
    assert.deepEqual(await issuerScriptBindingsDeployed(engineConfig()), deployedRows(true));
  });

  it("is what the program binds without introspection clients: no INTROSPECTION_SECRETS", async () => {
    const config = engineConfig({}, ["worker-identity:edgeMiddleware", "worker-identity:introspectionClients"]);
    assert.deepEqual(await issuerScriptBindingsDeployed(config), deployedRows(false));
  });

  it("is what the program binds during a KEK rotation: KEY_ENCRYPTION_KEY_PREVIOUS too, as secret_text", async () => {
    assert.deepEqual(await issuerScriptBindingsDeployed(engineConfig(ROTATING)), deployedRows(true, true));
    const bare = engineConfig(ROTATING, ["worker-identity:edgeMiddleware", "worker-identity:introspectionClients"]);
    assert.deepEqual(await issuerScriptBindingsDeployed(bare), deployedRows(false, true));
  });

  it("puts the Workflows bindings between the bindings always deployed and those deployed when set", () => {
    const names = issuerScriptBindings(
      {
        PUBLISHED: "ns",
        KEY_ENCRYPTION_KEY: "k",
        KEY_ENCRYPTION_KEY_PREVIOUS: "p",
        ADMIN_TOKEN: "a",
        INTROSPECTION_SECRETS: "{}",
      },
      [{ type: "workflow", name: "WORKFLOW_x" }],
    ).map((b) => b.name);
    assert.deepEqual(names, [
      "PUBLISHED",
      "KEY_STORE",
      "KEY_ENCRYPTION_KEY",
      "ADMIN_TOKEN",
      "WORKFLOW_x",
      "KEY_ENCRYPTION_KEY_PREVIOUS",
      "INTROSPECTION_SECRETS",
    ]);
  });

  it("is what the local stack gives the issuer", async () => {
    const { options, config } = await localStack({
      project: PROJECT,
      stack: STACK,
      config: rawStackConfig(),
      issuerUrl: "http://127.0.0.1:8787",
      keyEncryptionKey: "kek",
      keyEncryptionKeyPrevious: "previous kek",
      adminToken: "admin",
      introspectionSecrets: {},
      clockOffsetSeconds: 0,
      exampleWorkloads: false,
      exampleWorkflows: false,
    });
    const issuer = options.workers.find((w: WorkerOptions) => w.name === config.issuer.scriptName);
    assert.ok(issuer);
    const local: Record<string, string> = {};
    for (const name of Object.keys(issuer.kvNamespaces ?? {})) local[name] = "kv_namespace";
    for (const [name, object] of Object.entries(issuer.durableObjects ?? {})) {
      assert.deepEqual(object, { className: ISSUER_BINDINGS.KEY_STORE.className, useSQLite: true });
      local[name] = "durable_object_namespace";
    }
    for (const name of Object.keys(issuer.bindings ?? {})) {
      local[name] = ISSUER_BINDINGS[name as keyof typeof ISSUER_BINDINGS]?.type ?? "not in the table";
    }
    assert.deepEqual(local, Object.fromEntries(issuerBindingEntries().map(([name, spec]) => [name, spec.type])));
  });
});
