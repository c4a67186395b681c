import assert from "node:assert/strict";
import { resolve } from "node:path";
import type { Readable } from "node:stream";
import type { JSONWebKeySet } from "jose";
import { Miniflare, Response as MiniflareResponse } from "miniflare";
import { bundleIssuerEmbedding, bundleWorker, COMPATIBILITY_DATE } from "../../worker/build/bundle.js";
import { validateStackConfig } from "../../worker/config/validate.js";
import { errorCodeOf, errorDetailOf } from "../../worker/errors.js";
import { localStack } from "../../worker/local/stack.js";
import { runtimeConfigOf } from "../../worker/runtime-config/compute.js";
import { freePort } from "../support/free-port.js";
import { IssuerHarness } from "../support/issuer-harness.js";
import { AWS_AUDIENCE, PROJECT, rawStackConfig, STACK, testStackInput } from "../support/stack-fixture.js";

describe("issuer in workerd: JWKS publication and its bound", function () {
  this.timeout(60_000);

  it("publishes the JWKS to KV, and falls back to the key store (republishing) when KV has nothing", async () => {
    const issuer = await IssuerHarness.start();
    try {
      await issuer.token("billing", AWS_AUDIENCE);
      const kv = await issuer.mf.getKVNamespace("PUBLISHED", issuer.config.issuer.scriptName);
      const published = JSON.parse((await kv.get("jwks/v1")) ?? "null") as JSONWebKeySet;
      assert.equal(published.keys.length, 1);

      await kv.delete("jwks/v1");
      const caches = await issuer.mf.getCaches();
      await caches.default.delete(`${issuer.url}/.well-known/jwks.json`);
      const response = await issuer.fetch("/.well-known/jwks.json");
      assert.equal(response.status, 200);
      assert.deepEqual(((await response.json()) as JSONWebKeySet).keys, published.keys);
      assert.ok(await kv.get("jwks/v1"), "the key store republished the JWKS to KV");
    } finally {
      await issuer.dispose();
    }
  });

  it("serves its isolate's copy of the edge entry while that entry lives, and never past it", async () => {
    const issuer = await IssuerHarness.start();
    try {
      await issuer.token("billing", AWS_AUDIENCE);
      const url = `${issuer.url}/.well-known/jwks.json`;
      const published = (await (await issuer.fetch("/.well-known/jwks.json")).json()) as JSONWebKeySet;

      // An edge entry written 61 s ago (by its put-time header): served, but not copied.
      const stale = JSON.stringify({ keys: [] });
      await issuer.restart({}); // a new isolate, without a copy
      const kv = await issuer.mf.getKVNamespace("PUBLISHED", issuer.config.issuer.scriptName);
      const caches = await issuer.mf.getCaches();
      await caches.default.put(
        url,
        new MiniflareResponse(stale, {
          headers: {
            etag: '"stale"',
            "cache-control": "public, max-age=60",
            "x-jwks-cached-at": String(Date.now() - 61_000),
          },
        }),
      );
      assert.deepEqual(await (await issuer.fetch("/.well-known/jwks.json")).json(), { keys: [] });
      await caches.default.delete(url);
      assert.deepEqual(
        ((await (await issuer.fetch("/.well-known/jwks.json")).json()) as JSONWebKeySet).keys,
        published.keys,
        "the expired entry was not kept in the isolate: KV answered",
      );

      // Now the isolate holds a copy of a fresh entry (just put from KV): it answers even with KV
      // and the edge entry gone, and the key store is not asked (it would republish to KV).
      await kv.delete("jwks/v1");
      await caches.default.delete(url);
      assert.deepEqual(
        ((await (await issuer.fetch("/.well-known/jwks.json")).json()) as JSONWebKeySet).keys,
        published.keys,
      );
      assert.equal(await kv.get("jwks/v1"), null, "the answer came from the isolate's copy");
    } finally {
      await issuer.dispose();
    }
  });

  it("refuses an emergency rotation past the bound on published keys, and revocation still works then", async () => {
    const issuer = await IssuerHarness.start();
    try {
      await issuer.token("billing", AWS_AUDIENCE);
      const rotate = () => issuer.admin("/admin/keys/rotate", { method: "POST", body: '{"emergency":true}' });
      let refused: Response | undefined;
      for (let i = 0; i < 10 && !refused; i++) {
        const response = await rotate();
        if (response.status !== 200) refused = response;
      }
      assert.ok(refused, "emergency rotation never hit the bound");
      assert.equal(refused.status, 409);
      const problem = (await refused.json()) as { code: string; detail: string };
      assert.equal(problem.code, "ERR_TOO_MANY_KEYS");
      assert.match(problem.detail, /revoke/);
      const set = (await (await issuer.fetch("/.well-known/jwks.json")).json()) as JSONWebKeySet;
      assert.ok(set.keys.length <= 6, `JWKS has ${set.keys.length} keys`);

      const active = set.keys[0]!.kid!;
      const revoked = await issuer.admin(`/admin/keys/${active}/revoke`, { method: "POST" });
      assert.equal(revoked.status, 200);
      const { token } = await issuer.token("billing", AWS_AUDIENCE, { lifetimeSeconds: 77 });
      assert.ok(token);
    } finally {
      await issuer.dispose();
    }
  });
});

describe("issuer in workerd: broken configuration", function () {
  this.timeout(60_000);

  /** The local stack's issuer, its bundle built with `documentText` where the runtime config goes (or none). */
  async function issuerWithRuntimeConfig(documentText: string | undefined): Promise<{ mf: Miniflare; url: string }> {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const { options, config } = await localStack(testStackInput(url));
    const issuerWorker = options.workers[0]!;
    const contents = await bundleIssuerEmbedding(config, documentText);
    // A caller bound to billing's own entrypoint, as a deployed workload is.
    const probe = {
      name: "probe",
      modules: [
        {
          type: "ESModule" as const,
          path: "probe.js",
          contents: await bundleWorker(resolve(import.meta.dirname, "../fixtures/workers/probe.ts")),
        },
      ],
      compatibilityDate: COMPATIBILITY_DATE,
      serviceBindings: { ENTRY_billing: { name: config.issuer.scriptName, entrypoint: "Workload_billing" } },
      routes: ["*/__probe/*"],
    };
    const mf = new Miniflare({
      ...options,
      workers: [{ ...issuerWorker, modules: [{ type: "ESModule", path: "issuer.js", contents }] }, probe],
      handleRuntimeStdio: (stdout: Readable, stderr: Readable) => void [stdout.resume(), stderr.resume()],
    });
    await mf.ready;
    return { mf, url };
  }

  const runtime = runtimeConfigOf(validateStackConfig(rawStackConfig(), { project: PROJECT, stack: STACK }));
  const cases: [string, string | undefined, RegExp][] = [
    [
      "a bundle built without a runtime config",
      undefined,
      /^this issuer bundle has no runtime config \(__WID_RUNTIME_CONFIG__\); rebuild and redeploy the issuer with `pulumi up`/,
    ],
    ["a runtime config that is not JSON", "{nope", /^the issuer's runtime config is not JSON; rebuild/],
    [
      "a runtime config of another version",
      JSON.stringify({ ...runtime, version: 3 }),
      /^the issuer's runtime config is version 3, but this issuer reads version 2; rebuild/,
    ],
    [
      "a runtime config without issuer settings",
      JSON.stringify({ ...runtime, issuer: undefined }),
      /^the issuer's runtime config: issuer must be an object; rebuild/,
    ],
    [
      "a runtime config whose workload has no audience list",
      JSON.stringify({ ...runtime, workloads: [{ ...runtime.workloads[0], audiences: "sts.amazonaws.com" }] }),
      /^the issuer's runtime config: workloads\[0\]\.audiences must be a list of strings; rebuild/,
    ],
  ];
  for (const [name, binding, expected] of cases) {
    it(`answers 503 problem+json naming the problem for ${name}`, async () => {
      const { mf, url } = await issuerWithRuntimeConfig(binding);
      try {
        for (const path of ["/.well-known/openid-configuration", "/.well-known/jwks.json"]) {
          const response = await fetch(`${url}${path}`);
          assert.equal(response.status, 503);
          assert.equal(response.headers.get("content-type"), "application/problem+json");
          const problem = (await response.json()) as { code: string; detail: string };
          assert.equal(problem.code, "ERR_ISSUER_CONFIG");
          assert.match(problem.detail, expected);
        }
        // A token request over RPC is refused with the same error, its code first.
        const rpc = await mf.dispatchFetch(`${url}/__probe/rpc`, {
          method: "POST",
          body: JSON.stringify({ binding: "ENTRY_billing", method: "token", args: ["sts.amazonaws.com"] }),
        });
        const outcome = (await rpc.json()) as { result?: unknown; error?: { message: string } };
        assert.equal(outcome.result, undefined);
        const refusal = new Error(outcome.error?.message ?? "no error");
        assert.equal(errorCodeOf(refusal), "ERR_ISSUER_CONFIG");
        assert.match(errorDetailOf(refusal), expected);
      } finally {
        await mf.dispose();
      }
    });
  }
});
