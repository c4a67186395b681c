import assert from "node:assert/strict";
import {
  cloudflareIssuerTokenLifetimeCap,
  tokenLifetimeCapConfig,
} from "../../../policies/cloudflare/token-lifetime-cap.js";
import { runtimeConfigBanner } from "../../../worker/runtime-config/embedding.js";
import { issuerScript, issuerScriptContent, issuerStackConfig, TYPES } from "../fixtures.js";
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

  it("refuses the issuer's default (3600 s) when the bound is lower and the key is not set", async () => {
    const unset = issuerScript({ config: issuerStackConfig({ [KEY]: undefined }) });
    const messages = await violations(cloudflareIssuerTokenLifetimeCap, unset, { maxTokenLifetimeSeconds: 900 });
    assert.deepEqual(messages, [
      `the issuer caps tokens at 3600 seconds, above the 900 seconds this pack allows; set ${KEY} to at most 900`,
    ]);
  });

  it("takes its bound from the policy config", async () => {
    assert.deepEqual(
      await violations(cloudflareIssuerTokenLifetimeCap, withCap("7200"), { maxTokenLifetimeSeconds: 7200 }),
      [],
    );
    assert.throws(() => tokenLifetimeCapConfig({ maxTokenLifetimeSeconds: 10 }), /from 60 to 43200/);
  });

  it("refuses a hand-built cap the issuer itself would refuse (not whole, or above the platform's 43200 s)", async () => {
    for (const cap of [900.5, 86_400]) {
      const handBuilt = issuerScript({ issuer: { maxTokenLifetimeSeconds: cap } });
      assert.match(
        (await violations(cloudflareIssuerTokenLifetimeCap, handBuilt))[0]!,
        /issuer\.maxTokenLifetimeSeconds must be a whole number of seconds from 60 to 43200/,
        String(cap),
      );
    }
  });

  it("refuses an issuer script whose runtime config it cannot read, naming what is wrong", async () => {
    const none = await violations(cloudflareIssuerTokenLifetimeCap, issuerScript({ content: "export default {}" }));
    assert.match(none[0]!, /^the issuer bundle does not start with its runtime config .*`pulumi up`/);
    const garbled = await violations(
      cloudflareIssuerTokenLifetimeCap,
      issuerScript({ content: `${runtimeConfigBanner("{")}\nexport default {}` }),
    );
    assert.match(garbled[0]!, /^the issuer's runtime config is not JSON/);
    const stale = await violations(
      cloudflareIssuerTokenLifetimeCap,
      issuerScript({ content: `${runtimeConfigBanner('{"version":0}')}\n` }),
    );
    assert.match(stale[0]!, /^the issuer's runtime config is version 0, but this issuer reads version 2/);
    const shapeless = issuerScriptContent().replace(
      '"maxTokenLifetimeSeconds\\":3600',
      '"maxTokenLifetimeSeconds\\":\\"3600\\"',
    );
    assert.notEqual(shapeless, issuerScriptContent());
    assert.match(
      (await violations(cloudflareIssuerTokenLifetimeCap, issuerScript({ content: shapeless })))[0]!,
      /issuer\.maxTokenLifetimeSeconds must be a whole number of seconds from 60 to 43200/,
    );
  });

  it("reads the runtime config of a script that binds nothing it recognises", async () => {
    const bare = issuerScript({
      config: issuerStackConfig({ [KEY]: "7200" }),
      edit: (b) => void b.splice(0, b.length),
    });
    assert.equal((await violations(cloudflareIssuerTokenLifetimeCap, bare)).length, 1);
  });

  it("leaves other scripts alone, and skips content unknown during preview", async () => {
    assert.deepEqual(
      await violations(cloudflareIssuerTokenLifetimeCap, {
        type: TYPES.script,
        props: { bindings: [], content: "export default {}" },
      }),
      [],
    );
    assert.deepEqual(
      await violations(cloudflareIssuerTokenLifetimeCap, issuerScript({ content: UNKNOWN_DURING_PREVIEW })),
      [],
    );
  });
});
