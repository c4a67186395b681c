import assert from "node:assert/strict";
import { cloudflareIssuerTokenLifetimeCap, tokenLifetimeCapConfig } from "../../../policies/cloudflare/token-lifetime-cap.js";
import { TYPES, bindingNamed, issuerScript, issuerStackConfig } from "../fixtures.js";
import { UNKNOWN_DURING_PREVIEW, violations } from "../harness.js";

const KEY = "worker-identity:maxTokenLifetimeSeconds";
const withCap = (value: unknown) => issuerScript({ config: issuerStackConfig({ [KEY]: value }) });

describe("policy cloudflare-issuer-token-lifetime-cap", () => {
  it("passes the program's issuer (the cap as text, as Pulumi hands it over)", async () => {
    assert.deepEqual(await violations(cloudflareIssuerTokenLifetimeCap, issuerScript()), []);
    assert.deepEqual(await violations(cloudflareIssuerTokenLifetimeCap, withCap(900)), []);
  });

  it("refuses a cap above the bound, naming the key to change", async () => {
    const messages = await violations(cloudflareIssuerTokenLifetimeCap, withCap("43200"));
    assert.deepEqual(messages, [
      `the issuer caps tokens at 43200 seconds, above the 3600 seconds this pack allows; set ${KEY} to at most 3600`,
    ]);
  });

  it("refuses the issuer's default when the bound is lower and the key is not set", async () => {
    const unset = issuerScript({ config: issuerStackConfig({ [KEY]: undefined }) });
    const messages = await violations(cloudflareIssuerTokenLifetimeCap, unset, { maxTokenLifetimeSeconds: 900 });
    assert.equal(messages.length, 1);
    assert.match(messages[0]!, /3600 seconds \(the issuer's default, since worker-identity:maxTokenLifetimeSeconds is not set\), above the 900/);
  });

  it("takes its bound from the policy config", async () => {
    assert.deepEqual(await violations(cloudflareIssuerTokenLifetimeCap, withCap("7200"), { maxTokenLifetimeSeconds: 7200 }), []);
    assert.throws(() => tokenLifetimeCapConfig({ maxTokenLifetimeSeconds: 10 }), /from 60 to 43200/);
  });

  it("refuses a cap that is not a whole number", async () => {
    assert.match((await violations(cloudflareIssuerTokenLifetimeCap, withCap("1h")))[0]!, /is not a whole number of seconds/);
  });

  it("refuses an ISSUER_CONFIG it cannot read", async () => {
    const garbled = issuerScript({ edit: (b) => void (bindingNamed(b, "ISSUER_CONFIG").text = "{") });
    assert.match((await violations(cloudflareIssuerTokenLifetimeCap, garbled))[0]!, /the ISSUER_CONFIG binding is not JSON/);
    const shapeless = issuerScript({ edit: (b) => void (bindingNamed(b, "ISSUER_CONFIG").text = "[]") });
    assert.match((await violations(cloudflareIssuerTokenLifetimeCap, shapeless))[0]!, /is not \{project, stack, config\}/);
  });

  it("reads a json-typed ISSUER_CONFIG too", async () => {
    const json = issuerScript({ config: issuerStackConfig({ [KEY]: "7200" }), edit: (b) => {
      const binding = bindingNamed(b, "ISSUER_CONFIG");
      binding.type = "json";
      binding.json = binding.text;
      delete binding.text;
    } });
    assert.equal((await violations(cloudflareIssuerTokenLifetimeCap, json)).length, 1);
  });

  it("leaves scripts without ISSUER_CONFIG alone, and skips an unknown one", async () => {
    assert.deepEqual(await violations(cloudflareIssuerTokenLifetimeCap, { type: TYPES.script, props: { bindings: [] } }), []);
    const unknown = issuerScript({ edit: (b) => void (bindingNamed(b, "ISSUER_CONFIG").text = UNKNOWN_DURING_PREVIEW) });
    assert.deepEqual(await violations(cloudflareIssuerTokenLifetimeCap, unknown), []);
  });
});
