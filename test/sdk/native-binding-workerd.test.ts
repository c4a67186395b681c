// The SDK with a native-shaped token binding in workerd: the workload's AWS_TOKEN is a service
// binding to an entrypoint exposing getToken() (the stand-in for Cloudflare's oidc_tokens binding,
// which is not available locally), and AWS STS is the workload's outbound service. Two requests
// share one native token and one STS exchange; STS receives the binding's token.

import assert from "node:assert/strict";
import { decodeJwt } from "jose";
import type { Miniflare } from "miniflare";
import { fixtureWorker, workloadRuntime } from "./support/workload-runtime.js";

describe("the SDK with a native token binding, in workerd", function () {
  this.timeout(60_000);
  let mf: Miniflare;

  before(async () => {
    const [services, workload] = await Promise.all([
      fixtureWorker("sdk-native-binding"),
      fixtureWorker("sdk-native-workload"),
    ]);
    mf = await workloadRuntime({ workload, services, entrypoints: { AWS_TOKEN: "NativeToken" } });
  });
  after(() => mf?.dispose());

  it("exchanges the binding's token at STS once and serves the next request from the cache", async () => {
    const workload = await mf.getWorker("workload");
    const answers: { accessKeyId: string }[] = [];
    for (let i = 0; i < 2; i++) {
      const response = await workload.fetch("http://workload.test/");
      assert.equal(response.status, 200, await response.clone().text());
      answers.push((await response.json()) as { accessKeyId: string });
    }
    assert.deepEqual(answers, [{ accessKeyId: "ASIA1" }, { accessKeyId: "ASIA1" }]);
    const services = await mf.getWorker("services");
    const stats = (await (await services.fetch("http://services.test/stats")).json()) as {
      getTokenCalls: number;
      stsCalls: number;
      lastWebIdentityToken: string;
    };
    assert.equal(stats.getTokenCalls, 1);
    assert.equal(stats.stsCalls, 1);
    const claims = decodeJwt(stats.lastWebIdentityToken);
    assert.deepEqual(Object.keys(claims).sort(), ["aud", "exp", "iss", "sub"]);
    assert.equal(claims.aud, "sts.amazonaws.com");
  });
});
