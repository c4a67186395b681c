// What the issuer bundle is made of: the stack validator stays out of it (the Worker checks its
// runtime config's shape and version only), and the runtime config built into it reads back out.

import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bundleIssuer, issuerBundleInputs } from "../../worker/build/bundle.js";
import { validateStackConfig } from "../../worker/config/validate.js";
import { runtimeConfigOf } from "../../worker/runtime-config/compute.js";
import { runtimeConfigOfBundle } from "../../worker/runtime-config/embedding.js";
import { runTsx } from "../support/run-tsx.js";
import { PROJECT, rawStackConfig, STACK } from "../support/stack-fixture.js";

const config = validateStackConfig(rawStackConfig(), { project: PROJECT, stack: STACK });

describe("the issuer bundle", function () {
  this.timeout(60_000);

  it("holds no module of the stack validator: of worker/config only its constants and the instance id rule", async () => {
    const inputs = Object.keys(await issuerBundleInputs(config));
    const fromConfig = inputs.filter((path) => path.startsWith("worker/config/")).sort();
    assert.deepEqual(fromConfig, ["worker/config/instance-id.ts", "worker/config/limits.ts"]);
    // The bundle is what the issuer runs: its own modules are there, the Node-side ones are not.
    assert.ok(inputs.includes("worker/runtime-config/check.ts"), inputs.join("\n"));
    assert.ok(!inputs.includes("worker/runtime-config/compute.ts"));
  });

  it("carries the runtime config it was built with, which runtimeConfigOfBundle reads back", async () => {
    const runtime = runtimeConfigOf(config);
    const content = await bundleIssuer(config, runtime);
    assert.deepEqual(runtimeConfigOfBundle(content), JSON.parse(JSON.stringify(runtime)));
    assert.equal(runtimeConfigOfBundle(content).issuer.maxTokenLifetimeSeconds, 3600);
    assert.deepEqual(
      runtimeConfigOfBundle(content).workloads.map((w) => w.name),
      ["billing", "edge-api", "ledger-sync", "reports-exporter"],
    );
  });

  it("is built per runtime config: another document, another bundle", async () => {
    const one = await bundleIssuer(config, runtimeConfigOf(config));
    const other = await bundleIssuer(config, { ...runtimeConfigOf(config), introspectionClients: ["gateway"] });
    assert.notEqual(one, other);
    assert.deepEqual(runtimeConfigOfBundle(other).introspectionClients, ["gateway"]);
  });

  it("npm run build builds Pulumi.dev.yaml's runtime config in, and needs the mTLS workloads' thumbprints for it", async () => {
    const out = mkdtempSync(join(tmpdir(), "wid-build-"));
    try {
      const refused = await runTsx("worker/build/cli.ts", ["--out", out]);
      assert.equal(refused.code, 1);
      assert.match(
        refused.stderr,
        /^Pulumi\.dev\.yaml: workload 'billing' has mtls enabled, but no certificate thumbprint was given for it;.*\npass --thumbprints FILE/,
      );
      // "B" × 43 has bits past the 256 a SHA-256 fills: no certificate's thumbprint is spelt so.
      writeFileSync(
        join(out, "thumbprints.json"),
        JSON.stringify({ billing: "A".repeat(43), "edge-api": "B".repeat(43) }),
      );
      const malformed = await runTsx("worker/build/cli.ts", [
        "--out",
        out,
        "--thumbprints",
        join(out, "thumbprints.json"),
      ]);
      assert.equal(malformed.code, 1);
      assert.match(malformed.stderr, /the certificate thumbprint given for 'edge-api' is not an x5t#S256/);
      const thumbprints = { billing: "A".repeat(43), "edge-api": `${"B".repeat(42)}A` };
      writeFileSync(join(out, "thumbprints.json"), JSON.stringify(thumbprints));
      const built = await runTsx("worker/build/cli.ts", ["--out", out, "--thumbprints", join(out, "thumbprints.json")]);
      assert.equal(built.code, 0, built.stderr);
      const runtime = runtimeConfigOfBundle(readFileSync(join(out, "issuer.js"), "utf8"));
      assert.equal(runtime.issuer.issuerUrl, "https://id.example.dev");
      assert.deepEqual(
        runtime.workloads.filter((w) => w.certificateThumbprint).map((w) => [w.name, w.certificateThumbprint]),
        Object.entries(thumbprints),
      );
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
