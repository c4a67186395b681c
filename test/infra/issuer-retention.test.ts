// What `pulumi destroy`, a changed issuer scriptName or accountId, and a certificate's expiry do to
// the Cloudflare resources, read from the options the program registers with the engine (the
// fakes' monitor records them from each RegisterResourceRequest, as the Pulumi engine sees them).
// The issuer's script and JWKS namespace are protected (a replacement or deletion stops at
// preview) and retained once unprotected: the provider deletes a script without `force`, which
// Cloudflare refuses while Workers bind it, and forcing it would delete the key store. What the
// engine then does with a rename or a destroy is in deploy-sequences/issuer-destroy.test.ts.

import assert from "node:assert/strict";
import { deployProgram, dev, engineConfig } from "../support/dev-stack.js";
import { FakeCloud } from "../support/fakes/engine.js";
import type { StoredResource } from "../support/fakes/model.js";

const SCRIPT = "cloudflare:index/workersScript:WorkersScript";
const KV = "cloudflare:index/workersKvNamespace:WorkersKvNamespace";
const MTLS = "cloudflare:index/mtlsCertificate:MtlsCertificate";
const DOMAIN = "cloudflare:index/workersCustomDomain:WorkersCustomDomain";

/** Deploys Pulumi.dev.yaml on a fresh fake cloud and returns its resources with their registered options. */
async function deployed(): Promise<FakeCloud> {
  const cloud = new FakeCloud();
  const { plan } = await deployProgram(engineConfig(), { cloud });
  assert.deepEqual(
    plan.refusals.map((r) => r.message),
    [],
  );
  return cloud;
}

const kept = (r: StoredResource | undefined) => ({
  protect: r?.options?.protect,
  retainOnDelete: r?.options?.retainOnDelete,
});

describe("the issuer's Cloudflare resources outlive a destroy or a rename (registered resource options)", function () {
  this.timeout(60_000);
  let cloud: FakeCloud;
  before(async () => {
    cloud = await deployed();
  });

  it("protects and retains the issuer script and its JWKS namespace", () => {
    assert.equal(cloud.resources(SCRIPT).filter((r) => r.name === "issuer-script").length, 1);
    assert.deepEqual(kept(cloud.resource(SCRIPT, "issuer-script")), { protect: true, retainOnDelete: true });
    assert.deepEqual(kept(cloud.resource(KV, "issuer-jwks")), { protect: true, retainOnDelete: true });
  });

  it("gives a renamed issuer its own JWKS namespace: the title, updatable in place, forces a replacement", () => {
    // A kept old script would otherwise go on publishing its own keys into the new issuer's namespace.
    assert.deepEqual(cloud.resource(KV, "issuer-jwks")?.options?.replaceOnChanges, ["title"]);
  });

  it("deletes what is safe to delete: expired certificates, the hostname", () => {
    const certificates = cloud.resources(MTLS);
    assert.ok(certificates.length >= 2, "Pulumi.dev.yaml has two mTLS workloads");
    for (const r of certificates)
      assert.deepEqual([r.name, kept(r)], [r.name, { protect: false, retainOnDelete: false }]);
    const domains = cloud.resources(DOMAIN);
    assert.equal(domains.length, 1, `${dev.stack} serves a custom hostname`);
    assert.deepEqual(kept(domains[0]), { protect: false, retainOnDelete: false });
  });
});
