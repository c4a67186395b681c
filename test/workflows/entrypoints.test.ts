// The issuer bundle's generated per-workflow entrypoints, beside the per-workload ones.

import assert from "node:assert/strict";
import { entrypointsModuleSource } from "../../worker/build/entrypoints.js";
import { revocationBody } from "../../worker/cli/revoke.js";

describe("generated workflow entrypoints", () => {
  it("names the workflow in a static field, as a workload class names its workload", () => {
    const source = entrypointsModuleSource([{ name: "billing", entrypoint: "Workload_billing" }], "/issuer.ts", [
      { name: "nightly-export", entrypoint: "Workflow_nightly_export" },
    ]);
    assert.match(source, /export class Workload_billing extends Issuer \{\n {2}static workload = "billing";\n\}/);
    assert.match(
      source,
      /export class Workflow_nightly_export extends Issuer \{\n {2}static workflow = "nightly-export";\n\}/,
    );
  });

  it("refuses a class name twice across workloads and workflows, and unusable names", () => {
    assert.throws(
      () =>
        entrypointsModuleSource([], "/i.ts", [
          { name: "a", entrypoint: "X" },
          { name: "b", entrypoint: "X" },
        ]),
      /two workflows share the entrypoint class X/,
    );
    assert.throws(
      () => entrypointsModuleSource([], "/i.ts", [{ name: "a", entrypoint: "Issuer" }]),
      /not a usable class name/,
    );
  });
});

describe("wid revoke: the request body from the arguments", () => {
  it("builds exactly one kind of revocation", () => {
    assert.deepEqual(revocationBody({ jti: "j", exp: "1800000000" }), { jti: "j", exp: 1_800_000_000 });
    assert.deepEqual(revocationBody({ workload: "billing" }), { workload: "billing" });
    assert.deepEqual(revocationBody({ workflow: "nightly-export" }), { workflow: "nightly-export" });
  });

  it("explains a wrong combination", () => {
    assert.match(String(revocationBody({})), /exactly one of --jti/);
    assert.match(String(revocationBody({ workload: "a", workflow: "b" })), /exactly one/);
    assert.match(String(revocationBody({ jti: "j" })), /needs --exp/);
    assert.match(String(revocationBody({ workload: "a", exp: "1" })), /--exp goes with --jti only/);
  });
});
