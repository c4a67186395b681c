// What `pulumi destroy`, a changed issuer scriptName or accountId, and a certificate's expiry do to
// the Cloudflare resources, read from the options the program registers with the engine (the
// mock monitor's registerResource sees the same request the Pulumi engine would). The issuer's
// script and JWKS namespace are protected (a replacement or deletion stops at preview) and
// retained once unprotected: the provider deletes a script without `force`, which Cloudflare
// refuses while Workers bind it, and forcing it would delete the key store.

import assert from "node:assert/strict";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks.js";
import { dev, engineConfig, runProgram } from "../support/dev-stack.js";

interface RegisteredOptions {
  readonly type: string;
  readonly name: string;
  readonly protect: boolean;
  readonly retainOnDelete: boolean;
  readonly replaceOnChanges: readonly string[];
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getProtect(): boolean;
  getRetainondelete(): boolean;
  getReplaceonchangesList(): string[];
}

type Register = (this: MockMonitor, req: RegisterRequest, callback: unknown) => unknown;

/** Runs the program on Pulumi.dev.yaml and returns every resource's registered options. */
async function registeredOptions(overrides: Record<string, unknown> = {}): Promise<RegisteredOptions[]> {
  const seen: RegisteredOptions[] = [];
  const prototype = MockMonitor.prototype as unknown as { registerResource: Register };
  const original = prototype.registerResource;
  prototype.registerResource = function (req, callback) {
    seen.push({
      type: req.getType(),
      name: req.getName(),
      protect: req.getProtect(),
      retainOnDelete: req.getRetainondelete(),
      replaceOnChanges: req.getReplaceonchangesList(),
    });
    return original.call(this, req, callback);
  };
  try {
    await runProgram(engineConfig(overrides));
  } finally {
    prototype.registerResource = original;
  }
  return seen;
}

const only = (all: readonly RegisteredOptions[], type: string) => all.filter((r) => r.type === type);

describe("the issuer's Cloudflare resources outlive a destroy or a rename (resource options under mocks)", function () {
  this.timeout(60_000);

  it("protects and retains the issuer script and its JWKS namespace", async () => {
    const all = await registeredOptions();
    const [script, ...otherScripts] = only(all, "cloudflare:index/workersScript:WorkersScript").filter((r) => r.name === "issuer-script");
    assert.equal(otherScripts.length, 0);
    assert.deepEqual({ protect: script!.protect, retainOnDelete: script!.retainOnDelete }, { protect: true, retainOnDelete: true });
    const [jwks] = only(all, "cloudflare:index/workersKvNamespace:WorkersKvNamespace").filter((r) => r.name === "issuer-jwks");
    assert.deepEqual({ protect: jwks!.protect, retainOnDelete: jwks!.retainOnDelete }, { protect: true, retainOnDelete: true });
  });

  it("gives a renamed issuer its own JWKS namespace: the title, updatable in place, forces a replacement", async () => {
    const all = await registeredOptions();
    const [jwks] = only(all, "cloudflare:index/workersKvNamespace:WorkersKvNamespace").filter((r) => r.name === "issuer-jwks");
    // A kept old script would otherwise go on publishing its own keys into the new issuer's namespace.
    assert.deepEqual(jwks!.replaceOnChanges, ["title"]);
  });

  it("deletes what is safe to delete: expired certificates, the hostname", async () => {
    const all = await registeredOptions();
    const certificates = only(all, "cloudflare:index/mtlsCertificate:MtlsCertificate");
    assert.ok(certificates.length >= 2, "Pulumi.dev.yaml has two mTLS workloads");
    for (const r of certificates) assert.deepEqual([r.name, r.protect, r.retainOnDelete], [r.name, false, false]);
    const domains = only(all, "cloudflare:index/workersCustomDomain:WorkersCustomDomain");
    assert.equal(domains.length, 1, `${dev.stack} serves a custom hostname`);
    assert.deepEqual([domains[0]!.protect, domains[0]!.retainOnDelete], [false, false]);
  });
});
