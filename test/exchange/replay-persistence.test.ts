// The replay table is the key store's durable state, not an isolate's memory: a token exchanged
// before the runtime restarts is still a replay after it, and one that has expired meanwhile is
// refused as expired (its row may go).

import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AWS_AUDIENCE } from "../support/stack-fixture.js";
import { ExchangeStack } from "./exchange-stack.js";

describe("token exchange: replays across a restart", function () {
  this.timeout(60_000);
  let stack: ExchangeStack;
  let persistDir: string;

  before(async () => {
    persistDir = await mkdtemp(join(tmpdir(), "wid-exchange-"));
    stack = await ExchangeStack.start({ persistDir });
  });
  after(async () => {
    await stack?.dispose();
    await rm(persistDir, { recursive: true, force: true });
  });

  it("refuses a token exchanged before the restart, and exchanges a new one after it", async () => {
    const native = await stack.nativeToken("billing");
    assert.equal((await stack.exchangeToken(native, AWS_AUDIENCE)).status, 200);
    await stack.restart({ clockOffsetSeconds: 1 });
    const again = await stack.exchangeToken(native, AWS_AUDIENCE);
    assert.equal(again.status, 400);
    assert.equal(((await again.json()) as { code: string }).code, "ERR_SUBJECT_TOKEN_REPLAYED");
    assert.equal((await stack.exchangeToken(await stack.nativeToken("billing"), AWS_AUDIENCE)).status, 200);
  });

  it("refuses it as expired once its exp (and the leeway) has passed", async () => {
    const native = await stack.nativeToken("ledger-sync");
    assert.equal((await stack.exchangeToken(native, AWS_AUDIENCE)).status, 200);
    await stack.restart({ clockOffsetSeconds: 400 });
    const later = await stack.exchangeToken(native, AWS_AUDIENCE);
    assert.equal(((await later.json()) as { code: string }).code, "ERR_SUBJECT_TOKEN_EXPIRED");
  });
});
