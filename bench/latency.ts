// Issuance latency (issue #9): p50 and p99 of one token, warm (served from the isolate's token
// cache) and cold (signed), each against a no-op RPC over the same kind of binding.
//
// Method. workerd cannot time one operation: its clock (Date.now() === performance.now()) only
// advances across I/O and in whole milliseconds (a Spectre mitigation). Measured in this workerd
// around single awaited RPC calls: ~90% of no-op RPCs and warm issuances read 0 ms, the rest
// 1 ms, so an in-isolate p99 is 0 or 1 ms for both whatever happens (workerd's experimental
// `precise_timers` flag would give 3 ms steps). So the bench process times each operation with
// its own clock: the driver (bench/workers/latency-driver.ts) holds a WebSocket to it and
// performs exactly one operation per message. Every sample therefore includes the channel's
// round trip (~0.3 ms, the `echo` kind, given in the row name), the same for subject and
// baseline; a dispatchFetch per operation would add ~4 ms of Miniflare plumbing instead and
// flatten every ratio towards 1. Subject and baseline alternate in a random order, operation by
// operation, so the machine's noise (other processes, garbage collection in either runtime)
// falls on both alike; cold issuance is measured in its own phase so that its garbage does not
// lengthen the warm tail.

import type { Miniflare, WorkerOptions } from "miniflare";
import { driver, workloadBindings } from "./drivers.js";
import { latencyRow, type Measurement, percentile } from "./measure.js";
import { type BenchStackContext, startStack } from "./stack.js";

/** Samples of each kind per phase. */
const WARM_SAMPLES = 3_000;
const COLD_SAMPLES = 1_500;
const WARMUP = 300;

type LatencyKind = "echo" | "noop-rpc" | "issue-warm" | "issue-cold";

/** The latency driver and the no-op RPC target it binds to, beside the issuer. */
export async function latencyDrivers(context: BenchStackContext): Promise<WorkerOptions[]> {
  const { bindings, serviceBindings } = workloadBindings(context);
  return [
    await driver({
      name: "bench-latency",
      source: "latency-driver.ts",
      routes: ["*/bench-latency/*"],
      bindings,
      serviceBindings: { ...serviceBindings, NOOP: { name: "bench-latency-noop", entrypoint: "Noop" } },
    }),
    await driver({ name: "bench-latency-noop", source: "driver.ts", routes: [], bindings, serviceBindings }),
  ];
}

/** A WebSocket to the latency driver: one operation per message, timed here. */
export interface OperationChannel {
  /** Milliseconds from sending `kind` to its answer; throws if the operation failed. */
  time(kind: LatencyKind): Promise<number>;
  close(): void;
}

export async function openChannel(mf: Miniflare, url: string): Promise<OperationChannel> {
  const response = await mf.dispatchFetch(`${url}/bench-latency/ws`, { headers: { upgrade: "websocket" } });
  const ws = response.webSocket;
  if (!ws) throw new Error(`latency driver: no WebSocket (${response.status} ${await response.text()})`);
  ws.accept();
  let pending: ((answer: string) => void) | undefined;
  ws.addEventListener("message", (event) => {
    const settle = pending;
    pending = undefined;
    settle?.(String(event.data));
  });
  ws.addEventListener("close", () => pending?.("error the latency driver closed the WebSocket"));
  return {
    async time(kind) {
      if (pending) throw new Error("one operation at a time");
      const started = performance.now();
      const answer = await new Promise<string>((resolve) => {
        pending = resolve;
        ws.send(kind);
      });
      const elapsed = performance.now() - started;
      if (answer !== "ok") throw new Error(`${kind}: ${answer}`);
      return elapsed;
    },
    close: () => ws.close(),
  };
}

/** `count` samples of each kind, the kinds in a fresh random order for every sample. */
async function interleaved<K extends LatencyKind>(
  channel: OperationChannel,
  kinds: readonly K[],
  count: number,
): Promise<Record<K, number[]>> {
  const samples = Object.fromEntries(kinds.map((k) => [k, [] as number[]])) as Record<K, number[]>;
  const order = [...kinds];
  for (let i = 0; i < count; i++) {
    for (let j = order.length - 1; j > 0; j--) {
      const k = Math.floor(Math.random() * (j + 1));
      [order[j], order[k]] = [order[k]!, order[j]!];
    }
    for (const kind of order) samples[kind].push(await channel.time(kind));
  }
  return samples;
}

export async function measureIssuanceLatency(port: number): Promise<Measurement[]> {
  const stack = await startStack({ algorithm: "RS256", port, drivers: latencyDrivers });
  const channel = await openChannel(stack.mf, stack.issuerUrl);
  try {
    await interleaved(channel, ["echo", "noop-rpc", "issue-warm", "issue-cold"], WARMUP);
    const warm = await interleaved(channel, ["echo", "noop-rpc", "issue-warm"], WARM_SAMPLES);
    const cold = await interleaved(channel, ["noop-rpc", "issue-cold"], COLD_SAMPLES);
    const method = `one op per WebSocket round trip from Node; the channel alone: p50 ${percentile(warm.echo, 0.5).toFixed(2)} ms`;
    return [
      latencyRow(
        `token issuance latency, warm cache, RS256 (${method})`,
        warm["issue-warm"],
        "no-op RPC over a service binding, interleaved",
        warm["noop-rpc"],
        2,
      ),
      latencyRow(
        `token issuance latency, cold cache, RS256 (${method})`,
        cold["issue-cold"],
        "no-op RPC over a service binding, interleaved",
        cold["noop-rpc"],
        undefined,
      ),
    ];
  } finally {
    channel.close();
    await stack.dispose();
  }
}
