// An outage of both KV and the key store, in workerd: PUBLISHED's reads fail (a wrapped binding)
// and the key store's key-encryption key is malformed, so it cannot make the first signing key
// and has no JWKS to give. No true answer about the keys exists then: the JWKS endpoint and introspection
// answer 503 ERR_JWKS_UNAVAILABLE with Retry-After, and introspection never says `active: false`.

import assert from "node:assert/strict";
import type { Miniflare } from "miniflare";
import { startWithFailingKvReads } from "../support/failing-reads-kv.js";
import { freePort } from "../support/free-port.js";
import { testStackInput } from "../support/stack-fixture.js";
import {
  basicAuthorization,
  INTROSPECTION_CLIENT,
  INTROSPECTION_SECRETS,
  workflowStackConfig,
} from "../support/workflow-fixture.js";

describe("issuer in workerd: KV and the key store both failing", function () {
  this.timeout(60_000);
  let mf: Miniflare;
  let url: string;

  before(async () => {
    url = `http://127.0.0.1:${await freePort()}`;
    const input = testStackInput(url, {
      config: workflowStackConfig(),
      introspectionSecrets: INTROSPECTION_SECRETS,
      keyEncryptionKey: "not a key-encryption key",
    });
    mf = await startWithFailingKvReads(input, []);
  });
  after(async () => {
    await mf?.dispose();
  });

  async function unavailable(response: Response): Promise<void> {
    const body = (await response.json()) as { code?: string; active?: unknown };
    assert.equal(response.status, 503, JSON.stringify(body));
    assert.equal(body.code, "ERR_JWKS_UNAVAILABLE");
    assert.equal(body.active, undefined);
    assert.equal(response.headers.get("retry-after"), "5");
  }

  it("answers the JWKS endpoint 503 ERR_JWKS_UNAVAILABLE with Retry-After", async () => {
    await unavailable(await fetch(`${url}/.well-known/jwks.json`));
  });

  it("answers introspection 503 ERR_JWKS_UNAVAILABLE, never active: false", async () => {
    const response = await fetch(`${url}/introspect`, {
      method: "POST",
      headers: {
        authorization: basicAuthorization(INTROSPECTION_CLIENT, INTROSPECTION_SECRETS[INTROSPECTION_CLIENT]!),
        "content-type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams({ token: "eyJhbGciOiJFUzI1NiJ9.e30.c2ln" }).toString(),
    });
    await unavailable(response);
  });
});
