// The native trust in the issuer's runtime config: computed from a workload's `native` settings
// (whom to trust, not the audiences its bindings use), and checked by the Worker.

import assert from "node:assert/strict";
import type { NativeTokenSettings, StackConfig } from "../../worker/config/types.js";
import { validateStackConfig } from "../../worker/config/validate.js";
import { IssuerConfigError } from "../../worker/errors.js";
import { checkRuntimeConfig } from "../../worker/runtime-config/check.js";
import { runtimeConfigOf } from "../../worker/runtime-config/compute.js";
import { ACCOUNT_ID, PROJECT, rawStackConfig, STACK } from "../support/stack-fixture.js";

const NATIVE: NativeTokenSettings = {
  issuer: "https://native.example.cloudflare.test",
  subject: `workers/${ACCOUNT_ID}/billing/1f2e3d4c`,
  audiences: ["https://id.example.dev", "sts.amazonaws.com"],
};

/** The validated test stack with `native` set on the named workloads (the validator's own reading is another change). */
function withNative(natives: Readonly<Record<string, NativeTokenSettings>>): StackConfig {
  const config = validateStackConfig(rawStackConfig(), { project: PROJECT, stack: STACK });
  return {
    ...config,
    workloads: config.workloads.map((w) => (Object.hasOwn(natives, w.name) ? { ...w, native: natives[w.name]! } : w)),
  };
}

function refusal(document: unknown): string {
  try {
    checkRuntimeConfig(JSON.parse(JSON.stringify(document)));
  } catch (error) {
    assert.ok(error instanceof IssuerConfigError, String(error));
    return error.message;
  }
  assert.fail("the runtime config was accepted");
}

describe("runtime config: native trust", () => {
  it("carries a workload's native issuer, subject and jwksUri, never its audiences", () => {
    const runtime = runtimeConfigOf(withNative({ billing: { ...NATIVE, jwksUri: "https://keys.example.test/jwks" } }));
    const billing = runtime.workloads.find((w) => w.name === "billing")!;
    assert.deepEqual(billing.native, {
      issuer: "https://native.example.cloudflare.test",
      subject: `workers/${ACCOUNT_ID}/billing/1f2e3d4c`,
      jwksUri: "https://keys.example.test/jwks",
    });
    assert.equal(runtime.workloads.find((w) => w.name === "ledger-sync")!.native, undefined);
    assert.deepEqual(checkRuntimeConfig(JSON.parse(JSON.stringify(runtime))).workloads, runtime.workloads);
  });

  it("refuses an issuer or jwksUri that is not https (http only on loopback), or ends in a slash", () => {
    for (const issuer of ["http://native.example.test", "https://native.example.test/", "native.example.test"]) {
      const runtime = runtimeConfigOf(withNative({ billing: { ...NATIVE, issuer } }));
      assert.match(refusal(runtime), /workloads\[0\]\.native\.issuer must be an https URL/);
    }
    const loopback = runtimeConfigOf(
      withNative({ billing: { ...NATIVE, issuer: "http://127.0.0.1:8787/native-issuer" } }),
    );
    assert.equal(
      checkRuntimeConfig(JSON.parse(JSON.stringify(loopback))).workloads[0]!.native!.issuer,
      "http://127.0.0.1:8787/native-issuer",
    );
    const jwks = runtimeConfigOf(withNative({ billing: { ...NATIVE, jwksUri: "http://keys.example.test" } }));
    assert.match(refusal(jwks), /workloads\[0\]\.native\.jwksUri must be an https URL/);
  });

  it("refuses an empty subject, and one native subject for two workloads", () => {
    assert.match(
      refusal(runtimeConfigOf(withNative({ billing: { ...NATIVE, subject: "" } }))),
      /native\.subject must be a non-empty string/,
    );
    const twice = runtimeConfigOf(withNative({ billing: NATIVE, "ledger-sync": NATIVE }));
    assert.match(refusal(twice), /native\.subject is the native subject of 'billing' too/);
  });

  it("refuses two jwksUri for one native issuer", () => {
    const other = {
      ...NATIVE,
      subject: `workers/${ACCOUNT_ID}/ledger-sync/9a8b`,
      jwksUri: "https://keys.example.test/b",
    };
    const split = runtimeConfigOf(
      withNative({ billing: { ...NATIVE, jwksUri: "https://keys.example.test/a" }, "ledger-sync": other }),
    );
    assert.match(refusal(split), /native\.jwksUri differs from another workload's for the same native issuer/);
    const same = runtimeConfigOf(withNative({ billing: { ...NATIVE, jwksUri: other.jwksUri }, "ledger-sync": other }));
    assert.equal(checkRuntimeConfig(JSON.parse(JSON.stringify(same))).workloads.filter((w) => w.native).length, 2);
  });
});
