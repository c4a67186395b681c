// The SDK with a native-shaped token binding in workerd: the workload's AWS_TOKEN is a service
// binding to an entrypoint exposing getToken() (the stand-in for Cloudflare's oidc_tokens binding,
// which is not available locally), and AWS STS is the workload's outbound service. Two requests
// share one native token and one STS exchange; STS receives the binding's token.

import assert from "node:assert/strict";
import { resolve } from "node:path";
import type { Readable } from "node:stream";
import { decodeJwt } from "jose";
import { Miniflare } from "miniflare";
import { bundleWorker, COMPATIBILITY_DATE } from "../../worker/build/bundle.js";

describe("the SDK with a native token binding, in workerd", function () {
  this.timeout(60_000);
  let mf: Miniflare;

  before(async () => {
    const fixture = (name: string) => bundleWorker(resolve(import.meta.dirname, `../fixtures/workers/${name}.ts`));
    const [services, workload] = await Promise.all([fixture("sdk-native-binding"), fixture("sdk-native-workload")]);
    mf = new Miniflare({
      workers: [
        {
          name: "workload",
          modules: [{ type: "ESModule", path: "workload.js", contents: workload }],
          compatibilityDate: COMPATIBILITY_DATE,
          serviceBindings: { AWS_TOKEN: { name: "services", entrypoint: "NativeToken" } },
          outboundService: "services",
        },
        {
          name: "services",
          modules: [{ type: "ESModule", path: "services.js", contents: services }],
          compatibilityDate: COMPATIBILITY_DATE,
        },
      ],
      handleRuntimeStdio: (stdout: Readable, stderr: Readable) => (stdout.resume(), stderr.resume()),
    });
    await mf.ready;
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
