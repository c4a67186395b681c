// The SDK in a workload Worker serving many requests at once, in workerd, with values that renew
// every few tens of milliseconds. workerd cancels a request that awaits a promise created by
// another request (another I/O context) as hung, so the caches must never hand one request's
// renewal to another. With a cache that shares its renewal promise, this test fails within
// seconds: requests are canceled as hung, or are woken so late that the value has expired.

import assert from "node:assert/strict";
import type { Miniflare } from "miniflare";
import { COMPATIBILITY_DATE } from "../../worker/build/bundle.js";
import { fixtureWorker, workloadRuntime } from "./support/workload-runtime.js";

/** What the caller Worker (sdk-load-caller.ts) reports. */
interface LoadReport {
  readonly calls: number;
  readonly expired: number;
}

describe("the SDK in a workload Worker under concurrent requests", function () {
  this.timeout(60_000);
  let mf: Miniflare;

  before(async () => {
    const [services, workload, caller] = await Promise.all([
      fixtureWorker("sdk-fake-services"),
      fixtureWorker("sdk-workload"),
      fixtureWorker("sdk-load-caller"),
    ]);
    mf = await workloadRuntime({
      workload,
      services,
      entrypoints: { ISSUER: "FakeIssuer" },
      front: [
        {
          name: "caller",
          modules: [{ type: "ESModule", path: "caller.js", contents: caller }],
          compatibilityDate: COMPATIBILITY_DATE,
          serviceBindings: { WORKLOAD: { name: "workload", entrypoint: "Workload" } },
        },
      ],
    });
  });
  after(() => mf?.dispose());

  it("16 concurrent callers across many renewals: no request hangs, no expired value is handed out", async function () {
    this.timeout(20_000);
    const started = Date.now();
    let calls = 0;
    while (Date.now() - started < 6_000) {
      const response = await mf.dispatchFetch("http://caller.test/?calls=500&loops=16");
      const text = await response.text();
      assert.equal(response.status, 200, `after ${calls} calls: ${text}`);
      const report = JSON.parse(text) as LoadReport;
      assert.equal(report.calls, 500);
      assert.equal(report.expired, 0, "an expired token or expired credentials reached a caller");
      calls += report.calls;
    }
    const services = await mf.getWorker("services");
    const stats = (await (await services.fetch("http://services.test/stats")).json()) as {
      tokens: number;
      credentials: number;
    };
    // Renewed often (a token every ~50 ms, credentials every second or so), and the values are
    // shared: far fewer issued than calls made.
    assert.ok(stats.tokens >= 20 && stats.credentials >= 3, JSON.stringify(stats));
    assert.ok(stats.tokens < calls / 20, `${stats.tokens} tokens for ${calls} calls`);
  });
});
