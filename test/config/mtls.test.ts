// The `mtls` stack key and each workload's `mtls` section: what they resolve to, and one error each.

import assert from "node:assert/strict";
import { validateStackConfig } from "../../worker/config/validate.js";
import { ACCOUNT_ID, expectOneIssue, happyRaw, OPTIONS, PROJECT, withKey, withWorkload } from "./fixtures.js";

const stackKey = (path = "") => `${PROJECT}:mtls${path}`;
const workloadKey = (path: string) => `${PROJECT}:workloads.edge-api.mtls${path}`;
const withMtls = (mtls: unknown, stack?: unknown) => {
  const raw = withWorkload("edge-api", (w) => {
    w.mtls = mtls;
  });
  if (stack !== undefined) raw[stackKey()] = stack;
  return raw;
};

describe("validateStackConfig: mtls", () => {
  it("gives an opted-in workload a SPIFFE ID in the issuer's hostname, with the defaults", () => {
    const config = validateStackConfig(withMtls({ enabled: true }), OPTIONS);
    assert.deepEqual(config.mtls, { trustDomain: "id.example.dev", caValidityDays: 365 });
    const edge = config.workloads.find((w) => w.name === "edge-api");
    assert.deepEqual(edge?.mtls, {
      spiffeId: `spiffe://id.example.dev/worker/${ACCOUNT_ID}/edge-api`,
      validityDays: 30,
    });
    assert.equal(config.workloads.find((w) => w.name === "billing")?.mtls, undefined);
  });

  it("reads the stack key as a map or as the JSON text `pulumi config set` stores, and strings for booleans", () => {
    for (const stack of [
      { trustDomain: "mesh.example.org", caValidityDays: 730 },
      '{"trustDomain":"mesh.example.org","caValidityDays":"730"}',
    ]) {
      const config = validateStackConfig(withMtls({ enabled: "true", validityDays: "14" }, stack), OPTIONS);
      assert.deepEqual(config.mtls, { trustDomain: "mesh.example.org", caValidityDays: 730 });
      assert.equal(
        config.workloads.find((w) => w.name === "edge-api")?.mtls?.spiffeId,
        `spiffe://mesh.example.org/worker/${ACCOUNT_ID}/edge-api`,
      );
    }
  });

  it("defaults the trust domain to the deployed hostname, also on the local stack", () => {
    const raw = withMtls({ enabled: true });
    delete raw[`${PROJECT}:issuerHostname`];
    raw[`${PROJECT}:workersDevSubdomain`] = "acme";
    raw[`${PROJECT}:issuerScriptName`] = "identity-issuer";
    assert.equal(validateStackConfig(raw, OPTIONS).mtls?.trustDomain, "identity-issuer.acme.workers.dev");
    const local = validateStackConfig(withMtls({ enabled: true }), {
      ...OPTIONS,
      localIssuerUrl: "http://127.0.0.1:8787",
    });
    assert.equal(local.mtls?.trustDomain, "id.example.dev");
  });

  it("resolves nothing for enabled: false or no mtls anywhere, and keeps the CA of a stack key set on its own", () => {
    const disabled = validateStackConfig(withMtls({ enabled: false, validityDays: 7 }), OPTIONS);
    assert.equal(disabled.mtls, undefined);
    assert.ok(disabled.workloads.every((w) => w.mtls === undefined));
    assert.equal(validateStackConfig(happyRaw(), OPTIONS).mtls, undefined);
    assert.deepEqual(validateStackConfig(withKey("mtls", {}), OPTIONS).mtls, {
      trustDomain: "id.example.dev",
      caValidityDays: 365,
    });
  });

  describe("one error each", () => {
    it("stack key that is not a map", () => {
      expectOneIssue(
        withKey("mtls", ["id.example.dev"]),
        stackKey(),
        /is a list, but must be a map: \{\} for the defaults/,
      );
    });

    it("stack key written empty", () => {
      expectOneIssue(withKey("mtls", null), stackKey(), /is empty; write mtls: \{\} for the defaults/);
    });

    it("stack key whose JSON text is not JSON", () => {
      expectOneIssue(
        withKey("mtls", "{trustDomain:"),
        stackKey(),
        /not valid JSON.*write it in the stack file as a map/,
      );
    });

    it("unknown stack field, with a suggestion", () => {
      expectOneIssue(withKey("mtls", { trustdomain: "x" }), stackKey(".trustdomain"), /did you mean 'trustDomain'\?/);
    });

    it("trust domain with the spiffe:// scheme", () => {
      expectOneIssue(
        withKey("mtls", { trustDomain: "spiffe://id.example.dev" }),
        stackKey(".trustDomain"),
        /write the trust domain alone: 'id\.example\.dev'/,
      );
    });

    it("trust domain in capitals", () => {
      expectOneIssue(
        withKey("mtls", { trustDomain: "ID.Example.dev" }),
        stackKey(".trustDomain"),
        /must be lowercase: 'id\.example\.dev'/,
      );
    });

    it("trust domain with a port", () => {
      expectOneIssue(
        withKey("mtls", { trustDomain: "id.example.dev:443" }),
        stackKey(".trustDomain"),
        /lowercase letters, digits, '\.', '-' and '_' \(no scheme, port or path\)/,
      );
    });

    it("trust domain empty", () => {
      expectOneIssue(
        withKey("mtls", { trustDomain: "" }),
        stackKey(".trustDomain"),
        /is empty; remove it to use the issuer's hostname/,
      );
    });

    it("trust domain too long", () => {
      expectOneIssue(
        withKey("mtls", { trustDomain: `${"a".repeat(250)}.example` }),
        stackKey(".trustDomain"),
        /more than the 255/,
      );
    });

    it("trust domain not a string", () => {
      expectOneIssue(withKey("mtls", { trustDomain: 42 }), stackKey(".trustDomain"), /quote it in the stack file/);
    });

    it("CA validity out of range", () => {
      expectOneIssue(
        withKey("mtls", { caValidityDays: 5000 }),
        stackKey(".caValidityDays"),
        /between 30 and 3650; set it to 365/,
      );
    });

    it("workload section that is not a map", () => {
      expectOneIssue(withMtls(true), workloadKey(""), /must be a map like \{enabled: true\}/);
    });

    it("workload section written empty", () => {
      expectOneIssue(withMtls(null), workloadKey(""), /is empty; write mtls: \{enabled: true\}/);
    });

    it("workload section without enabled", () => {
      expectOneIssue(withMtls({ validityDays: 30 }), workloadKey(".enabled"), /is missing; write enabled: true/);
    });

    it("enabled that is not a boolean", () => {
      expectOneIssue(withMtls({ enabled: "yes" }), workloadKey(".enabled"), /is "yes", but must be true or false/);
    });

    it("unknown workload field, with a suggestion", () => {
      expectOneIssue(
        withMtls({ enabled: true, validity: 30 }),
        workloadKey(".validity"),
        /did you mean 'validityDays'\?/,
      );
    });

    it("certificate validity out of range", () => {
      expectOneIssue(
        withMtls({ enabled: true, validityDays: 365 }),
        workloadKey(".validityDays"),
        /between 3 and 90; set it to 30/,
      );
    });

    it("certificate validity the CA cannot outlive three times", () => {
      expectOneIssue(
        withMtls({ enabled: true, validityDays: 60 }, { caValidityDays: 120 }),
        workloadKey(".validityDays"),
        /lives 120 days.*lower it to at most 40, or raise caValidityDays to at least 180/,
      );
    });
  });
});
