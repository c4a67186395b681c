import assert from "node:assert/strict";
import { validateStackConfig } from "../../worker/config/validate.js";
import { MissingIdentityError, UnknownWorkloadError } from "../../worker/errors.js";
import { resolveWorkload } from "../../worker/issuer/identity.js";
import { ACCOUNT_ID, PROJECT, rawStackConfig, STACK } from "../support/stack-fixture.js";

const config = validateStackConfig(rawStackConfig(), { project: PROJECT, stack: STACK });

function noIdentity(...message: RegExp[]): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof MissingIdentityError, `expected MissingIdentityError, got ${String(error)}`);
    assert.equal(error.code, "ERR_NO_IDENTITY");
    assert.ok(error.message.startsWith("[ERR_NO_IDENTITY] "), error.message);
    for (const pattern of message) assert.match(error.message, pattern);
    return true;
  };
}

describe("resolveWorkload: the binding names one workload", () => {
  it("resolves an entrypoint-bound workload without props", () => {
    const workload = resolveWorkload(config, "reports-exporter", undefined);
    assert.equal(workload.name, "reports-exporter");
    assert.equal(workload.subject, `worker/${ACCOUNT_ID}/reports-exporter`);
    assert.equal(workload.maxTokenLifetimeSeconds, 900);
  });

  it("resolves an entrypoint-bound workload whose props carry no workload", () => {
    assert.equal(resolveWorkload(config, "ledger-sync", {}).name, "ledger-sync");
    assert.equal(resolveWorkload(config, "ledger-sync", null).name, "ledger-sync");
    assert.equal(resolveWorkload(config, "ledger-sync", { other: "x" }).name, "ledger-sync");
  });

  it("resolves a workload named by props on the generic entrypoint", () => {
    const workload = resolveWorkload(config, undefined, { workload: "billing" });
    assert.equal(workload.name, "billing");
    assert.equal(workload.subject, `worker/${ACCOUNT_ID}/billing`);
    assert.deepEqual(workload.claims, { team: "payments", tier: 1 });
  });

  it("resolves when entrypoint and props agree", () => {
    assert.equal(resolveWorkload(config, "edge-api", { workload: "edge-api" }).name, "edge-api");
  });

  it("returns the registry's own entry for the workload", () => {
    const registered = config.workloads.find((w) => w.name === "billing");
    assert.ok(registered);
    assert.equal(resolveWorkload(config, undefined, { workload: "billing" }), registered);
  });
});

describe("resolveWorkload: refusals", () => {
  it("refuses an entrypoint and props naming different workloads, naming both", () => {
    assert.throws(
      () => resolveWorkload(config, "billing", { workload: "ledger-sync" }),
      noIdentity(/'billing'/, /'ledger-sync'/, /remove props from the binding/),
    );
  });

  it("refuses a binding with neither entrypoint nor props, mentioning both ways to bind", () => {
    for (const props of [undefined, null, {}]) {
      assert.throws(
        () => resolveWorkload(config, undefined, props),
        noIdentity(/no workload identity/, /entrypoint/, /props/),
        JSON.stringify(props),
      );
    }
  });

  it("refuses props that are not an object", () => {
    for (const props of ["billing", 42, true]) {
      assert.throws(
        () => resolveWorkload(config, undefined, props),
        noIdentity(/props must be an object such as \{ workload: "billing" \}/),
        String(props),
      );
    }
  });

  it("refuses props that are not an object even when an entrypoint names the workload", () => {
    assert.throws(() => resolveWorkload(config, "billing", "billing"), noIdentity(/props must be an object/));
  });

  it("refuses a props.workload that is not a string", () => {
    for (const workload of [42, null, true, ["billing"], { name: "billing" }]) {
      assert.throws(
        () => resolveWorkload(config, undefined, { workload }),
        noIdentity(/props\.workload must be the workload's script name, a non-empty string/),
        JSON.stringify(workload),
      );
    }
  });

  it("refuses an empty props.workload", () => {
    assert.throws(() => resolveWorkload(config, undefined, { workload: "" }), noIdentity(/non-empty string/));
    assert.throws(() => resolveWorkload(config, "billing", { workload: "" }), noIdentity(/non-empty string/));
  });

  it("refuses an unregistered workload named by props, naming the stack key to add it under", () => {
    assert.throws(
      () => resolveWorkload(config, undefined, { workload: "payroll" }),
      (error: unknown) => {
        assert.ok(error instanceof UnknownWorkloadError, String(error));
        assert.equal(error.code, "ERR_UNKNOWN_WORKLOAD");
        assert.ok(error.message.startsWith("[ERR_UNKNOWN_WORKLOAD] "), error.message);
        assert.match(error.message, /"payroll"/);
        assert.match(error.message, /worker-identity:workloads/);
        assert.match(error.message, /Pulumi\.test\.yaml/);
        assert.match(error.message, /stack test/);
        return true;
      },
    );
  });

  it("refuses an unregistered workload named by an entrypoint", () => {
    assert.throws(() => resolveWorkload(config, "payroll", undefined), UnknownWorkloadError);
  });

  it("matches workload names exactly", () => {
    for (const name of ["Billing", "billing ", "billing_", "Workload_billing"]) {
      assert.throws(() => resolveWorkload(config, undefined, { workload: name }), UnknownWorkloadError, name);
    }
  });

  it("names the project of the stack config in the unknown-workload fix", () => {
    const other = validateStackConfig(
      Object.fromEntries(
        Object.entries(rawStackConfig()).map(([k, v]) => [k.replace(/^worker-identity:/, "acme-id:"), v]),
      ),
      { project: "acme-id", stack: "prod" },
    );
    assert.throws(
      () => resolveWorkload(other, undefined, { workload: "payroll" }),
      (error: unknown) =>
        error instanceof UnknownWorkloadError && /acme-id:workloads in Pulumi\.prod\.yaml/.test(error.message),
    );
  });
});
