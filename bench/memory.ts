// Issuer isolate memory (issue #9): the issuer's V8 heap right after a full garbage collection,
// read through workerd's inspector, after 100 requests (the baseline), after 50,000 tokens +
// 50,000 refusals and after 100,000 + 100,000. Tokens are requested by every configured workload
// (each through its own entrypoint) for every audience it may ask for, with a hot set of
// lifetimes and a sweep of ~2,500 distinct (workload, audience, lifetime) keys, more than the
// token cache holds; refusals each name a distinct audience. Bounded means the second half of the
// run adds (next to) nothing: what the isolate keeps must not grow with the number of requests.

import { driver } from "./drivers.js";
import { type HeapUsage, InspectorSession } from "./inspector.js";
import type { Measurement } from "./measure.js";
import { startStack } from "./stack.js";

const BASELINE_REQUESTS = 100;
/** Operations per driver request. */
const BATCH = 5_000;
/**
 * Token requests in flight at once inside the driver: sixteen, so the run also meets refreshes of
 * the issuer's revocation list (every 10 s) and signing key (every 30 s) under concurrency, which
 * is where requests used to await each other's promises and be canceled as hung
 * (worker/isolate/shared-value.ts). It does not run faster: workerd's one thread is the bound.
 */
const CONCURRENCY = 16;
const MIB = 1_024 * 1_024;
const HEAP_LIMIT = 64 * MIB;
/** What the second half may add and still count as a plateau: GC leaves a little noise. */
const PLATEAU_SLACK = 1 * MIB;

interface MemoryCheckpoint {
  readonly tokens: number;
  readonly refusals: number;
  readonly heap: HeapUsage;
}

/**
 * The table's rows, for `total` tokens and as many refusals (a multiple of 20,000; issue #9's is
 * 100,000, which takes about a minute: ~3,500 requests/s through the issuer on these machines).
 * The inspector listens on port + 1.
 */
export async function measureIssuerMemory(port: number, total = 100_000): Promise<Measurement[]> {
  const { checkpoints, tokenCacheEntries, seconds } = await runIssuerMemory(port, total);
  const baseline = checkpoints[0]!;
  const middle = checkpoints.find((c) => c.tokens === total / 2)!;
  const end = checkpoints.at(-1)!;
  const bounded = end.heap.usedSize - middle.heap.usedSize <= PLATEAU_SLACK;
  const half = thousands(total / 2);
  const baselineName = `after ${BASELINE_REQUESTS} requests (${BASELINE_REQUESTS / 2} tokens + ${BASELINE_REQUESTS / 2} refusals)`;
  const cache = tokenCacheEntries === undefined ? "" : `; token cache ${tokenCacheEntries.join(" + ")} entries`;
  return [
    {
      name: `issuer isolate heap, ${half} tokens + ${half} refused audiences`,
      value: mib(middle.heap),
      baseline: baselineName,
      baselineValue: mib(baseline.heap),
      ratio: middle.heap.usedSize / baseline.heap.usedSize,
      target: "< 64 MiB",
      met: middle.heap.usedSize < HEAP_LIMIT,
    },
    {
      name: `issuer isolate heap, ${thousands(total)} tokens + ${thousands(total)} refused audiences (${seconds.toFixed(0)} s${cache})`,
      value: mib(end.heap),
      baseline: baselineName,
      baselineValue: mib(baseline.heap),
      ratio: end.heap.usedSize / baseline.heap.usedSize,
      target: `< 64 MiB and bounded (≤ +${PLATEAU_SLACK / MIB} MiB over the second half)`,
      met: end.heap.usedSize < HEAP_LIMIT && bounded,
    },
  ];
}

/** The run behind measureIssuerMemory, with every checkpoint (each quarter of `total`). */
async function runIssuerMemory(
  port: number,
  total = 100_000,
): Promise<{
  readonly checkpoints: readonly MemoryCheckpoint[];
  /** Sizes of the issuer's token caches (Maps keyed workload\0audience\0lifetime), if found. */
  readonly tokenCacheEntries: readonly number[] | undefined;
  readonly seconds: number;
}> {
  if (total % 20_000 !== 0 || total <= 0) throw new Error(`total must be a positive multiple of 20,000, not ${total}`);
  const started = performance.now();
  const inspectorPort = port + 1;
  const stack = await startStack({
    algorithm: "RS256",
    port,
    miniflare: { inspectorPort },
    drivers: async (context) => {
      const cap = context.config.issuer.maxTokenLifetimeSeconds;
      const workloads = context.config.workloads.map((w, i) => ({
        binding: `ISSUER_${i}`,
        name: w.name,
        audiences: w.audiences,
        maxLifetimeSeconds: Math.min(cap, w.maxTokenLifetimeSeconds),
      }));
      const serviceBindings = Object.fromEntries(
        context.config.workloads.map((w, i) => [
          `ISSUER_${i}`,
          { name: context.issuerBinding.name, entrypoint: w.entrypoint },
        ]),
      );
      return [
        await driver({
          name: "bench-memory",
          source: "memory-driver.ts",
          routes: ["*/bench-memory/*"],
          bindings: { WORKLOADS: JSON.stringify(workloads) },
          serviceBindings,
        }),
      ];
    },
  });
  let session: InspectorSession | undefined;
  try {
    const run = async (kind: "issue" | "refuse", from: number, n: number): Promise<void> => {
      const response = await stack.mf.dispatchFetch(
        `${stack.issuerUrl}/bench-memory/${kind}?from=${from}&n=${n}&concurrency=${CONCURRENCY}`,
      );
      const body = await response.text();
      if (!response.ok) throw new Error(`bench-memory ${kind} [${from}, ${from + n}): ${response.status} ${body}`);
    };
    session = await InspectorSession.connect(inspectorPort, stack.config.issuer.scriptName);
    const checkpoints: MemoryCheckpoint[] = [];
    const checkpoint = async (done: number): Promise<void> => {
      checkpoints.push({ tokens: done, refusals: done, heap: await session!.heapAfterGarbageCollection() });
    };

    let done = BASELINE_REQUESTS / 2;
    await run("issue", 0, done);
    await run("refuse", 0, done);
    await checkpoint(done);
    while (done < total) {
      const n = Math.min(BATCH - (done % BATCH), total - done);
      await run("issue", done, n);
      await run("refuse", done, n);
      done += n;
      if (done % (total / 4) === 0) await checkpoint(done);
    }
    const tokenCacheEntries = await tokenCacheSizes(session);
    return { checkpoints, tokenCacheEntries, seconds: (performance.now() - started) / 1_000 };
  } finally {
    session?.close();
    await stack.dispose();
  }
}

/**
 * The sizes of the Maps in the isolate keyed like the token cache (workload\0audience\0lifetime),
 * found with Runtime.queryObjects over Map.prototype: nothing in the issuer needs to expose them.
 * Undefined when the inspector cannot answer.
 */
async function tokenCacheSizes(session: InspectorSession): Promise<number[] | undefined> {
  const objectGroup = "bench-memory";
  try {
    const contextId = await session.executionContextId();
    const { result: prototype } = await session.send<{ result: { objectId?: string } }>("Runtime.evaluate", {
      expression: "Map.prototype",
      contextId,
      objectGroup,
    });
    if (prototype.objectId === undefined) return undefined;
    const { objects } = await session.send<{ objects: { objectId?: string } }>("Runtime.queryObjects", {
      prototypeObjectId: prototype.objectId,
      objectGroup,
    });
    if (objects.objectId === undefined) return undefined;
    const { result } = await session.send<{ result: { value?: unknown } }>("Runtime.callFunctionOn", {
      objectId: objects.objectId,
      returnByValue: true,
      functionDeclaration: `function () {
        const keyed = (m) => { for (const k of m.keys()) return typeof k === "string" && /^[^\\0]+\\0[^\\0]+\\0\\d+$/.test(k); return false; };
        return this.filter(keyed).map((m) => m.size);
      }`,
    });
    return Array.isArray(result.value) ? (result.value as number[]) : undefined;
  } catch {
    return undefined;
  } finally {
    await session.send("Runtime.releaseObjectGroup", { objectGroup }).catch(() => undefined);
    await session.send("Runtime.disable").catch(() => undefined);
  }
}

function mib(heap: HeapUsage): string {
  return `${(heap.usedSize / MIB).toFixed(1)} MiB`;
}

function thousands(n: number): string {
  return n % 1_000 === 0 ? `${n / 1_000}k` : String(n);
}
