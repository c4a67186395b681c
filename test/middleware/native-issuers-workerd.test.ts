// The middleware Worker in workerd with NATIVE_ISSUERS: a native issuer (a local one on 127.0.0.1,
// standing in for Cloudflare's, whose discovery and JWKS the middleware fetches over the network
// while the issuer's own still go through the ISSUER service binding) beside the real issuer. A
// native token of the subject mapped to edge-api reaches the route whose rule names edge-api, as
// the issuer's own edge-api token does; an unmapped subject is refused; a broken binding is a 503
// naming it.

import assert from "node:assert/strict";
import type { JWTPayload } from "jose";
import { MiddlewareHarness } from "../support/middleware-harness.js";
import { API_AUDIENCE } from "../support/stack-fixture.js";
import { LocalIssuer, type TestKey, testKey } from "../verification/local-issuer.js";

const SUBJECT = "edge-api-3f1c2a4e-0000-4000-8000-immutable";

describe("the middleware Worker with NATIVE_ISSUERS, in workerd", function () {
  this.timeout(120_000);
  let h: MiddlewareHarness;
  let native: LocalIssuer;
  let key: TestKey;

  before(async () => {
    key = await testKey("ES256");
    native = await LocalIssuer.start([key]);
    const entries = [{ issuer: native.issuer, audiences: [API_AUDIENCE], subjects: { [SUBJECT]: "edge-api" } }];
    h = await MiddlewareHarness.start({ bindings: { NATIVE_ISSUERS: JSON.stringify(entries) } });
  });
  after(async () => {
    await h?.dispose();
    await native?.stop();
  });

  const nativeToken = (sub = SUBJECT) => {
    const exp = Math.floor(Date.now() / 1_000) + 300;
    return native.sign({ iss: native.issuer, sub, aud: API_AUDIENCE, exp } as JWTPayload, key);
  };
  const get = (token: string) => h.request("/reports/1", { headers: { authorization: `Bearer ${token}` } });

  it("admits the issuer's and the native issuer's edge-api tokens to the edge-api rule", async () => {
    const ours = await get(await h.token("edge-api"));
    assert.equal(ours.status, 200, await ours.text());
    const theirs = await get(await nativeToken());
    assert.equal(theirs.status, 200, await theirs.text());
    const forwarded = h.forwarded.at(-1)!;
    const header = (name: string) => forwarded.headers.find(([n]) => n === name)?.[1];
    assert.equal(header("x-worker-identity-workload"), "edge-api");
    assert.equal(header("x-worker-identity-subject"), SUBJECT);
    assert.ok(native.counts.jwks >= 1, "the native JWKS was fetched from the native issuer");
  });

  it("refuses a native token whose subject is not mapped on the edge-api rule", async () => {
    const unmapped = await get(await nativeToken("stranger-1234"));
    assert.equal(unmapped.status, 403);
    assert.equal(((await unmapped.json()) as { code: string }).code, "ERR_RULE_REFUSED");
  });

  it("answers 503 naming NATIVE_ISSUERS when the binding is malformed", async () => {
    const broken = await MiddlewareHarness.start({ bindings: { NATIVE_ISSUERS: '[{"issuer":"nope"}]' } });
    try {
      const response = await broken.request("/reports/1");
      assert.equal(response.status, 503);
      const problem = (await response.json()) as { code: string; detail: string };
      assert.equal(problem.code, "ERR_MIDDLEWARE_CONFIG");
      assert.match(problem.detail, /NATIVE_ISSUERS\[0\]\.issuer/);
      assert.match(problem.detail, /NATIVE_ISSUERS\[0\]\.audiences/);
    } finally {
      await broken.dispose();
    }
  });
});
