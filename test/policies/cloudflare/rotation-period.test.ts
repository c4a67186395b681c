import assert from "node:assert/strict";
import { cloudflareIssuerRotationPeriod, rotationPeriodConfig } from "../../../policies/cloudflare/rotation-period.js";
import { cloudflareIssuerTokenLifetimeCap } from "../../../policies/cloudflare/token-lifetime-cap.js";
import { issuerScript, issuerStackConfig } from "../fixtures.js";
import { violations } from "../harness.js";

const KEY = "worker-identity:rotationPeriodDays";
const withPeriod = (value: unknown) => issuerScript({ config: issuerStackConfig({ [KEY]: value }) });

describe("policy cloudflare-issuer-rotation-period", () => {
  it("passes the program's issuer, and the issuer's default (30 days) when the key is not set", async () => {
    assert.deepEqual(await violations(cloudflareIssuerRotationPeriod, issuerScript()), []);
    assert.deepEqual(await violations(cloudflareIssuerRotationPeriod, withPeriod(undefined)), []);
    // The default is resolved into the runtime config: a bound below it refuses the unset key.
    assert.equal(
      (await violations(cloudflareIssuerRotationPeriod, withPeriod(undefined), { maxRotationPeriodDays: 29 })).length,
      1,
    );
  });

  it("refuses a period above the bound, naming the key and the range", async () => {
    assert.deepEqual(await violations(cloudflareIssuerRotationPeriod, withPeriod("365")), [
      `the issuer rotates its signing keys every 365 days; set ${KEY} to a whole number from 1 to 90`,
    ]);
  });

  it("refuses a period below the bound", async () => {
    assert.equal((await violations(cloudflareIssuerRotationPeriod, withPeriod("7"))).length, 0);
    assert.deepEqual(await violations(cloudflareIssuerRotationPeriod, withPeriod("7"), { minRotationPeriodDays: 14 }), [
      `the issuer rotates its signing keys every 7 days; set ${KEY} to a whole number from 14 to 90`,
    ]);
  });

  it("leaves a hand-built period outside the platform's bounds to the lifetime policy, which reports the document unreadable", async () => {
    for (const days of [0, 7.5]) {
      const handBuilt = issuerScript({ issuer: { rotationPeriodDays: days } });
      assert.deepEqual(await violations(cloudflareIssuerRotationPeriod, handBuilt), [], String(days));
      assert.match(
        (await violations(cloudflareIssuerTokenLifetimeCap, handBuilt))[0]!,
        /issuer\.rotationPeriodDays must be a whole number of days from 1 to 365/,
        String(days),
      );
    }
  });

  it("takes its bounds from the policy config, and checks them", async () => {
    assert.equal(
      (await violations(cloudflareIssuerRotationPeriod, issuerScript(), { maxRotationPeriodDays: 14 })).length,
      1,
    );
    assert.throws(
      () => rotationPeriodConfig({ minRotationPeriodDays: 30, maxRotationPeriodDays: 7 }),
      /minRotationPeriodDays \(30\) is above maxRotationPeriodDays \(7\)/,
    );
  });

  it("leaves an unreadable runtime config to the lifetime policy", async () => {
    assert.deepEqual(
      await violations(cloudflareIssuerRotationPeriod, issuerScript({ content: "export default {}" })),
      [],
    );
  });
});
