// The isolate's shared values: no request ever awaits a load another request started (in workerd
// that request could be canceled as hung), stale copies serve while one request refreshes, and
// invalidation is never undone by a load that began before it.

import assert from "node:assert/strict";
import { type Loaded, SharedValue } from "../../worker/isolate/shared-value.js";

/** A load the test settles by hand, and the number of loads started. */
function manualLoads<T>() {
  const pending: { resolve: (loaded: Loaded<T>) => void; reject: (error: Error) => void }[] = [];
  return {
    pending,
    load: () => new Promise<Loaded<T>>((resolve, reject) => pending.push({ resolve, reject })),
  };
}

/** Whether `promise` settles within a few turns of the event loop. */
async function settlesSoon(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  void promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
  return settled;
}

describe("SharedValue", () => {
  it("hands out a fresh value without loading", async () => {
    const shared = new SharedValue<string>(1_000);
    let loads = 0;
    const load = async () => ({ value: `v${++loads}`, validUntil: 100 });
    assert.equal(await shared.get(0, load), "v1");
    assert.equal(await shared.get(99, load), "v1");
    assert.equal(loads, 1);
    assert.equal(await shared.get(100, load), "v2", "at validUntil the value is stale");
  });

  it("concurrent requests with no value each load their own: none waits on another's load", async () => {
    const shared = new SharedValue<string>(1_000);
    const { pending, load } = manualLoads<string>();
    const first = shared.get(0, load);
    const second = shared.get(0, load);
    assert.equal(pending.length, 2);
    pending[1]!.resolve({ value: "second", validUntil: 50 });
    assert.equal(await second, "second", "the second request finished while the first load still hangs");
    assert.equal(await settlesSoon(first), false);
    pending[0]!.resolve({ value: "first", validUntil: 50 });
    assert.equal(await first, "first");
  });

  it("while one request refreshes a stale value, the others take the stale value at once", async () => {
    const shared = new SharedValue<string>(1_000);
    assert.equal(await shared.get(0, async () => ({ value: "old", validUntil: 10 })), "old");
    const { pending, load } = manualLoads<string>();
    const refreshing = shared.get(20, load);
    assert.equal(pending.length, 1);
    assert.equal(await shared.get(21, load), "old");
    assert.equal(await shared.get(500, load), "old");
    assert.equal(pending.length, 1, "no second load while the first is under way");
    pending[0]!.resolve({ value: "new", validUntil: 2_000 });
    assert.equal(await refreshing, "new");
    assert.equal(await shared.get(600, load), "new");
  });

  it("a refresh that never finishes (its request canceled) stops holding others back after graceMs", async () => {
    const shared = new SharedValue<string>(1_000);
    await shared.get(0, async () => ({ value: "old", validUntil: 500 }));
    const { pending, load } = manualLoads<string>();
    void shared.get(500, load); // never settles
    assert.equal(await shared.get(1_499, load), "old");
    const retry = shared.get(1_500, load);
    assert.equal(pending.length, 2, "the timed-out refresh is presumed dead: this request loads");
    pending[1]!.resolve({ value: "new", validUntil: 5_000 });
    assert.equal(await retry, "new");
  });

  it("never hands out a value more than graceMs past its validUntil, however recent the refresh", async () => {
    const shared = new SharedValue<string>(1_000);
    await shared.get(0, async () => ({ value: "ancient", validUntil: 10 }));
    const { pending, load } = manualLoads<string>();
    // After a long idle spell a burst arrives: the first request refreshes; the second must not
    // be handed a value that expired long before.
    void shared.get(600_000, load);
    const second = shared.get(600_001, load);
    assert.equal(pending.length, 2, "the second request loads its own instead of taking the ancient value");
    pending[1]!.resolve({ value: "current", validUntil: 700_000 });
    assert.equal(await second, "current");
  });

  it("keeps the answer of the load that started last, whatever order the loads finish in", async () => {
    const shared = new SharedValue<string>(1_000);
    const { pending, load } = manualLoads<string>();
    const earlier = shared.get(0, load);
    const later = shared.get(1, load);
    pending[1]!.resolve({ value: "later", validUntil: 100 });
    assert.equal(await later, "later");
    pending[0]!.resolve({ value: "earlier", validUntil: 100 });
    assert.equal(await earlier, "earlier", "its own request still gets what it loaded");
    let loads = 0;
    assert.equal(await shared.get(50, async () => ({ value: `again${++loads}`, validUntil: 100 })), "later");
    assert.equal(loads, 0);
  });

  it("a failed refresh reaches only its own request, and the next request tries again", async () => {
    const shared = new SharedValue<string>(1_000);
    await shared.get(0, async () => ({ value: "old", validUntil: 10 }));
    await assert.rejects(
      shared.get(20, async () => Promise.reject(new Error("KV down"))),
      /KV down/,
    );
    assert.equal(await shared.get(21, async () => ({ value: "new", validUntil: 100 })), "new");
  });

  it("invalidate: the stale copy is never handed out again, and a load begun before does not store", async () => {
    const shared = new SharedValue<string>(1_000);
    await shared.get(0, async () => ({ value: "old", validUntil: 10 }));
    const { pending, load } = manualLoads<string>();
    const before = shared.get(20, load);
    shared.invalidate();
    const after = shared.get(21, load);
    assert.equal(pending.length, 2, "after invalidate a request loads even though a refresh is under way");
    pending[0]!.resolve({ value: "from before", validUntil: 1_000 });
    assert.equal(await before, "from before", "its own request still gets what it loaded");
    pending[1]!.resolve({ value: "from after", validUntil: 1_000 });
    assert.equal(await after, "from after");
    let loads = 0;
    assert.equal(await shared.get(30, async () => ({ value: `again${++loads}`, validUntil: 1_000 })), "from after");
    assert.equal(loads, 0);
  });

  it("a clock that steps back makes the value stale rather than trusted", async () => {
    const shared = new SharedValue<string>(1_000);
    await shared.get(100, async () => ({ value: "at 100", validUntil: 200 }));
    assert.equal(await shared.get(50, async () => ({ value: "at 50", validUntil: 200 })), "at 50");
  });
});
