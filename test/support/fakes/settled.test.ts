// settled() ends a deploy on Pulumi's own RPC accounting, not on a quiet clock: a registration
// whose input resolves later than any fixed quiet period (as under load, or behind an invoke)
// is still awaited, and one made in an apply of a resolved output too; after a refusal, the wait
// ends though what depends on the refused resource never registers.

import assert from "node:assert/strict";
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as time from "@pulumiverse/time";
import { installMocks, recorded } from "../pulumi-mocks.js";
import { NOW } from "./register.js";
import { settled } from "./settled.js";

const BYTES = "random:index/randomBytes:RandomBytes";
const later = <T>(ms: number, value: T) =>
  pulumi.output(new Promise<T>((resolve) => setTimeout(() => resolve(value), ms)));

describe("settled(): a deploy ends when nothing is in flight", () => {
  it("waits for a registration whose input resolves 200 ms later, though nothing awaits its outputs", async () => {
    installMocks("settled", "test", { nowMs: NOW });
    new random.RandomBytes("late", { length: later(200, 8) });
    await settled();
    assert.deepEqual(
      recorded.filter((r) => r.type === BYTES).map((r) => [r.name, r.inputs.length]),
      [["late", 8]],
    );
  });

  it("waits for a registration made in an apply of another resource's output, and for that one's own dependents", async () => {
    installMocks("settled", "test", { nowMs: NOW });
    const first = new random.RandomBytes("first", { length: later(100, 4) });
    first.base64.apply(() => {
      const second = new random.RandomBytes("second", { length: later(100, 6) });
      second.base64.apply(() => new random.RandomBytes("third", { length: 2 }));
    });
    await settled();
    assert.deepEqual(
      recorded.filter((r) => r.type === BYTES).map((r) => r.name),
      ["first", "second", "third"],
    );
  });

  it("after a refusal, ends once what waits on the refused resource has stopped moving", async () => {
    const deploy = installMocks("settled", "test", { nowMs: NOW });
    const others = process.listeners("unhandledRejection");
    process.removeAllListeners("unhandledRejection");
    const ignore = () => {};
    process.on("unhandledRejection", ignore);
    try {
      const refusedAccount = new gcp.serviceaccount.Account("refused", {
        project: "example-identity-dev",
        accountId: "short",
      });
      new time.Sleep("downstream", { createDuration: "1s", triggers: { email: refusedAccount.email } });
      new random.RandomBytes("independent", { length: 3 }).base64.apply(
        () => new random.RandomBytes("after-independent", { length: 2 }),
      );
      await settled(deploy.refused());
    } finally {
      process.off("unhandledRejection", ignore);
      for (const listener of others) process.on("unhandledRejection", listener);
    }
    assert.deepEqual(
      deploy.refusals.map((r) => r.resource),
      ["gcp:serviceaccount/account:Account::refused"],
    );
    assert.deepEqual(
      recorded.map((r) => r.name).sort(),
      ["after-independent", "independent"],
      "independent registrations still end; the downstream one never starts",
    );
  });

  it("returns at once when nothing was declared", async () => {
    installMocks("settled", "test", { nowMs: NOW });
    await settled();
    assert.deepEqual(recorded, []);
  });
});
