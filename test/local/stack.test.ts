// The local stack builds the issuer as `pulumi up` does: the runtime config of the validated
// stack, with the local issuer URL and the local certificates' thumbprints, in the bundle, and no
// text binding carrying the stack.

import assert from "node:assert/strict";
import { validateStackConfig } from "../../worker/config/validate.js";
import { localMtlsSeed, localWorkloadCertificates } from "../../worker/local/mtls.js";
import { localStack } from "../../worker/local/stack.js";
import { runtimeConfigOfBundle } from "../../worker/runtime-config/embedding.js";
import { ACCOUNT_ID, PROJECT, randomKek, rawStackConfig, STACK } from "../support/stack-fixture.js";

const ISSUER_URL = "http://127.0.0.1:8799";

describe("localStack: the issuer's runtime config", function () {
  this.timeout(60_000);
  const raw = rawStackConfig({
    "worker-identity:mtls": {},
    "worker-identity:workloads": {
      billing: { audiences: ["sts.amazonaws.com"], mtls: { enabled: true } },
      "ledger-sync": { audiences: ["sts.amazonaws.com"] },
    },
  });

  async function issuerOf(keyEncryptionKey: string): Promise<{ content: string; bindings: Record<string, unknown> }> {
    const { options } = await localStack({
      project: PROJECT,
      stack: STACK,
      config: raw,
      issuerUrl: ISSUER_URL,
      keyEncryptionKey,
      exampleWorkloads: false,
    });
    const issuer = options.workers[0]!;
    const modules = issuer.modules as { contents: string }[];
    return { content: modules[0]!.contents, bindings: issuer.bindings as Record<string, unknown> };
  }

  it("builds in the local issuer URL and the thumbprints of the certificates it issued", async () => {
    const kek = randomKek();
    const { content, bindings } = await issuerOf(kek);
    const runtime = runtimeConfigOfBundle(content);
    assert.equal(runtime.issuer.issuerUrl, ISSUER_URL);
    assert.equal(runtime.workloads[0]!.subject, `worker/${ACCOUNT_ID}/billing`);
    const config = validateStackConfig(raw, { project: PROJECT, stack: STACK, localIssuerUrl: ISSUER_URL });
    const local = localWorkloadCertificates(config, localMtlsSeed(kek), Date.now());
    assert.equal(
      runtime.workloads.find((w) => w.name === "billing")?.certificateThumbprint,
      local?.thumbprints.billing,
    );
    assert.equal(runtime.workloads.find((w) => w.name === "ledger-sync")?.certificateThumbprint, undefined);
    assert.deepEqual(
      Object.keys(bindings).sort(),
      ["KEY_ENCRYPTION_KEY"],
      "the stack is in the bundle, not in a binding",
    );
  });
});
