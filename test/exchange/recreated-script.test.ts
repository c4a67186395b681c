// A script deleted and re-created under the same name gets a new immutable ID, so its native
// subject changes: the issuer exchanges nothing for the new subject until the config names it,
// and nothing for the old one once it does. A stack trusting no native subject exchanges nothing.

import assert from "node:assert/strict";
import { decodeJwt } from "jose";
import { ACCOUNT_ID, AWS_AUDIENCE } from "../support/stack-fixture.js";
import { ExchangeStack } from "./exchange-stack.js";

const OLD = `workers/${ACCOUNT_ID}/ledger-sync/0b1c2d3e-old-immutable-id`;
const NEW = `workers/${ACCOUNT_ID}/ledger-sync/9f8e7d6c-new-immutable-id`;

describe("token exchange: a re-created script's new subject", function () {
  this.timeout(60_000);
  let stack: ExchangeStack;

  before(async () => {
    stack = await ExchangeStack.start({ native: { subjects: { "ledger-sync": OLD } } });
  });
  after(async () => stack?.dispose());

  async function codeFor(subject: string): Promise<string | number> {
    const response = await stack.exchangeToken(await stack.signed("ledger-sync", { sub: subject }), AWS_AUDIENCE);
    const body = (await response.json()) as { code?: string; access_token?: string };
    if (response.status === 200) {
      assert.equal(decodeJwt(body.access_token!).sub, `worker/${ACCOUNT_ID}/ledger-sync`);
      return 200;
    }
    return body.code!;
  }

  it("is refused while the config names the old subject, which is exchanged", async () => {
    assert.equal(await codeFor(OLD), 200);
    assert.equal(await codeFor(NEW), "ERR_UNKNOWN_NATIVE_SUBJECT");
  });

  it("is exchanged once the config names it, and the old subject is refused", async () => {
    await stack.restart({ subjects: { "ledger-sync": NEW } });
    assert.equal(await codeFor(NEW), 200);
    assert.equal(await codeFor(OLD), "ERR_UNKNOWN_NATIVE_SUBJECT");
  });

  it("with no native subject trusted at all, the exchange is off (403)", async () => {
    await stack.restart({
      subjects: { billing: null, "reports-exporter": null, "ledger-sync": null, "edge-api": null },
    });
    const response = await stack.exchangeToken(await stack.signed("ledger-sync", { sub: NEW }), AWS_AUDIENCE);
    assert.equal(response.status, 403);
    const body = (await response.json()) as { code: string; error: string };
    assert.equal(body.code, "ERR_EXCHANGE_DISABLED");
    assert.equal(body.error, "invalid_request");
  });
});
