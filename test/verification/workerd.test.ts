// The verifier inside workerd (no nodejs_compat flag, so no node: APIs), fetching discovery and the
// JWKS through a service binding, against the real issuer.

import assert from "node:assert/strict";
import { resolve } from "node:path";
import { Miniflare, type Request as MiniflareRequest } from "miniflare";
import { COMPATIBILITY_DATE } from "../../worker/build/bundle.js";
import { IssuerHarness } from "../support/issuer-harness.js";
import { ACCOUNT_ID, AWS_AUDIENCE, GCP_AUDIENCE } from "../support/stack-fixture.js";
import { bundledModules, toMiniflareResponse } from "../support/workerd-modules.js";

interface Answer {
  readonly ok: boolean;
  readonly subject?: string;
  readonly workload?: string;
  readonly code?: string;
  readonly status?: number;
  readonly message?: string;
}

describe("verifier in workerd", function () {
  this.timeout(120_000);
  let issuer: IssuerHarness;
  let mf: Miniflare;
  const forwarded: string[] = [];

  before(async () => {
    issuer = await IssuerHarness.start();
    mf = new Miniflare({
      modules: await bundledModules(resolve(import.meta.dirname, "../fixtures/workers/relying-party.ts")),
      compatibilityDate: COMPATIBILITY_DATE,
      bindings: { ISSUER_URL: issuer.url, AUDIENCE: AWS_AUDIENCE },
      serviceBindings: {
        // Stands in for a service binding to the issuer Worker: forwards to the running issuer.
        ISSUER: async (request: MiniflareRequest) => {
          const url = new URL(request.url);
          forwarded.push(url.pathname);
          return toMiniflareResponse(
            await issuer.fetch(url.pathname, { headers: Object.fromEntries(request.headers) }),
          );
        },
      },
    });
    await mf.ready;
  });
  after(async () => {
    await mf?.dispose();
    await issuer?.dispose();
  });

  async function ask(token: string): Promise<Answer> {
    const response = await mf.dispatchFetch("http://rp.test/", { headers: { authorization: `Bearer ${token}` } });
    return (await response.json()) as Answer;
  }

  it("verifies a token and yields the workload, fetching discovery and the JWKS once per isolate", async () => {
    for (let i = 0; i < 3; i++) {
      const { token } = await issuer.token("billing", AWS_AUDIENCE);
      assert.deepEqual(await ask(token), { ok: true, subject: `worker/${ACCOUNT_ID}/billing`, workload: "billing" });
    }
    assert.deepEqual(forwarded, ["/.well-known/openid-configuration", "/.well-known/jwks.json"]);
  });

  it("refuses a token for another audience and a malformed one, with codes and statuses", async () => {
    const { token } = await issuer.token("reports-exporter", GCP_AUDIENCE);
    const audience = await ask(token);
    assert.deepEqual([audience.ok, audience.code, audience.status], [false, "ERR_TOKEN_AUDIENCE", 401]);
    assert.ok(!audience.message?.includes(token.split(".")[1]!));
    const malformed = await ask("not-a-token");
    assert.deepEqual([malformed.code, malformed.status], ["ERR_TOKEN_MALFORMED", 401]);
  });
});
