// A small client of the V8 inspector workerd exposes when Miniflare is given `inspectorPort`:
// `http://127.0.0.1:<port>/json/list` lists one target per Worker, whose websocket path is
// `/core:user:<worker name>`. Used by the bench for one Worker's isolate heap (after a full GC)
// and for CPU profiles of its hot paths.
//
// workerd specifics (workerd 2026-04-26): it answers Profiler.* and HeapProfiler.takeHeapSnapshot
// itself, echoing the command (with `result` only for Profiler.stop); V8's own
// HeapProfiler.collectGarbage answers only once the isolate next runs something (the GC is a
// posted task), so a full GC of an idle isolate is taken through a heap snapshot, which V8
// precedes with one; and Runtime.evaluate needs Runtime.enable's execution context id.
//
// Node 20 has a global WebSocket only with `--experimental-websocket`, so the bench script runs
// `tsx --experimental-websocket bench/run.ts`; Node 22 and later have it by default.

interface InspectorTarget {
  readonly id: string;
  readonly title?: string;
  readonly url?: string;
  readonly webSocketDebuggerUrl: string;
}

export interface HeapUsage {
  /** Bytes of the V8 heap in use. */
  readonly usedSize: number;
  /** Bytes the V8 heap has reserved. */
  readonly totalSize: number;
}

/** Profiler.stop's `profile` (Chrome DevTools protocol, Profiler.Profile). */
export interface CpuProfile {
  readonly nodes: readonly CpuProfileNode[];
  /** Microseconds. */
  readonly startTime: number;
  readonly endTime: number;
  readonly samples?: readonly number[];
  /** Microseconds between consecutive samples (the first from startTime). */
  readonly timeDeltas?: readonly number[];
}

export interface CpuProfileNode {
  readonly id: number;
  readonly callFrame: {
    readonly functionName: string;
    readonly scriptId: string;
    readonly url: string;
    /** 0-based. */
    readonly lineNumber: number;
    readonly columnNumber: number;
  };
  readonly hitCount?: number;
  readonly children?: readonly number[];
}

export interface ProfileEntry {
  /** `name (url:line)`, or V8's pseudo-frames such as `(garbage collector)`. */
  readonly frame: string;
  readonly selfMs: number;
  /** Share of the profile's sampled time, idle excluded. */
  readonly selfShare: number;
  /** Samples that hit the frame (a check on selfMs: few samples, little confidence). */
  readonly samples: number;
}

const COMMAND_TIMEOUT_MS = 60_000;

/** The targets (one per Worker) of the inspector on `port`. */
async function inspectorTargets(port: number, host = "127.0.0.1"): Promise<InspectorTarget[]> {
  const response = await fetch(`http://${host}:${port}/json/list`);
  if (!response.ok) throw new Error(`inspector on port ${port}: /json/list answered ${response.status}`);
  return (await response.json()) as InspectorTarget[];
}

/** One DevTools protocol session with one Worker's isolate. */
export class InspectorSession {
  readonly #socket: WebSocket;
  readonly #pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  readonly #listeners = new Map<string, Set<(params: unknown) => void>>();
  #nextId = 1;
  #closed: Error | undefined;

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.addEventListener("message", (event: MessageEvent) => this.#receive(event.data));
    socket.addEventListener("close", () => this.#fail(new Error("the inspector closed the session")));
    socket.addEventListener("error", () => this.#fail(new Error("the inspector session failed")));
  }

  /** A session with the isolate of the Worker named `workerName` (its `core:user:` target). */
  static async connect(port: number, workerName: string, host = "127.0.0.1"): Promise<InspectorSession> {
    if (typeof globalThis.WebSocket !== "function") {
      throw new Error(
        "no global WebSocket: run Node 20 with --experimental-websocket (tsx --experimental-websocket …)",
      );
    }
    const targets = await inspectorTargets(port, host);
    const suffix = `/core:user:${workerName}`;
    const target = targets.find((t) => new URL(t.webSocketDebuggerUrl).pathname === suffix);
    if (!target) {
      const names = targets.map((t) => new URL(t.webSocketDebuggerUrl).pathname).join(", ");
      throw new Error(`inspector on port ${port}: no target for Worker '${workerName}' (targets: ${names})`);
    }
    const socket = new WebSocket(target.webSocketDebuggerUrl);
    await new Promise<void>((resolve, reject) => {
      socket.addEventListener("open", () => resolve(), { once: true });
      socket.addEventListener("error", () => reject(new Error(`could not open ${target.webSocketDebuggerUrl}`)), {
        once: true,
      });
    });
    return new InspectorSession(socket);
  }

  /** Sends one protocol command and resolves with its result. */
  send<T = unknown>(method: string, params: Readonly<Record<string, unknown>> = {}): Promise<T> {
    if (this.#closed) return Promise.reject(this.#closed);
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`inspector: ${method} did not answer within ${COMMAND_TIMEOUT_MS} ms`));
      }, COMMAND_TIMEOUT_MS);
      this.#pending.set(id, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value as T);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.#socket.send(JSON.stringify({ id, method, params }));
    });
  }

  /** Calls `listener` with the params of every event `method` until the returned function is called. */
  on(method: string, listener: (params: unknown) => void): () => void {
    let listeners = this.#listeners.get(method);
    if (!listeners) this.#listeners.set(method, (listeners = new Set()));
    listeners.add(listener);
    return () => void listeners.delete(listener);
  }

  /**
   * V8's HeapProfiler.collectGarbage. In workerd it answers only when the isolate next runs
   * something (a request, a timer): for an idle isolate use collectGarbageNow.
   */
  async collectGarbage(): Promise<void> {
    await this.send("HeapProfiler.collectGarbage");
  }

  /**
   * A full, synchronous garbage collection of the isolate, idle or not: a heap snapshot (V8
   * collects all available garbage before taking one), whose chunks are discarded.
   */
  async collectGarbageNow(): Promise<void> {
    await this.send("HeapProfiler.takeHeapSnapshot", { reportProgress: false });
  }

  async heapUsage(): Promise<HeapUsage> {
    const { usedSize, totalSize } = await this.send<HeapUsage>("Runtime.getHeapUsage");
    return { usedSize, totalSize };
  }

  /** Heap usage right after a full garbage collection (collectGarbageNow). */
  async heapAfterGarbageCollection(): Promise<HeapUsage> {
    await this.collectGarbageNow();
    return this.heapUsage();
  }

  /**
   * Runtime.enable, and the id of the Worker's execution context, for Runtime.evaluate. Events
   * of the Runtime domain (console messages among them) flow from then on; Runtime.disable stops them.
   */
  async executionContextId(): Promise<number> {
    const created = new Promise<number>((resolve) => {
      const off = this.on("Runtime.executionContextCreated", (params) => {
        off();
        resolve((params as { context: { id: number } }).context.id);
      });
    });
    await this.send("Runtime.enable");
    return withTimeout(created, COMMAND_TIMEOUT_MS, "Runtime.executionContextCreated");
  }

  /** Starts the sampling CPU profiler (interval in microseconds; V8's default is 1,000). */
  async startProfiling(samplingIntervalMicros = 100): Promise<void> {
    await this.send("Profiler.enable");
    await this.send("Profiler.setSamplingInterval", { interval: samplingIntervalMicros });
    await this.send("Profiler.start");
  }

  async stopProfiling(): Promise<CpuProfile> {
    const answer = await this.send<{ profile?: CpuProfile } | undefined>("Profiler.stop");
    const profile = answer?.profile;
    if (!profile) throw new Error("inspector: Profiler.stop returned no profile");
    await this.send("Profiler.disable");
    return profile;
  }

  close(): void {
    this.#fail(new Error("the inspector session was closed"));
    this.#socket.close();
  }

  #receive(data: unknown): void {
    const message = JSON.parse(String(data)) as {
      id?: number;
      method?: string;
      params?: unknown;
      result?: unknown;
      error?: { message: string; code?: number };
    };
    if (message.id === undefined) {
      if (message.method !== undefined)
        for (const listener of this.#listeners.get(message.method) ?? []) listener(message.params);
      return;
    }
    const pending = this.#pending.get(message.id);
    if (!pending) return;
    this.#pending.delete(message.id);
    if (message.error) pending.reject(new Error(`inspector: ${message.error.message} (${message.error.code ?? "?"})`));
    else pending.resolve(message.result);
  }

  #fail(error: Error): void {
    this.#closed ??= error;
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
  }
}

/**
 * Self time per function of a CPU profile, most first: samples are attributed to the node they
 * hit, each lasting until the next sample (as DevTools does). Frames with the same name, script
 * and line are merged; `(idle)` is left out of the shares and of the list. workerd reports no
 * `(idle)`, so a gap in which its thread waited on I/O counts to the frame sampled before it:
 * profile a busy isolate (a driver performing many operations per request), and set the sampling
 * interval to 100 µs (startProfiling's default) for enough samples. `(program)` is native time
 * outside JavaScript (workerd's C++: RPC, serialization); `(anonymous)` without a script: builtins.
 */
export function summariseProfile(profile: CpuProfile, top = 20): ProfileEntry[] {
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  const byNode = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfMicros = new Map<string, number>();
  const hits = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < samples.length; i++) {
    const node = byNode.get(samples[i]!);
    if (!node) continue;
    // Sample i lasts until sample i + 1; the last one until the profile's end.
    const duration =
      i + 1 < samples.length ? (deltas[i + 1] ?? 0) : Math.max(0, profile.endTime - timestampOf(profile, i));
    const frame = frameName(node);
    if (frame === "(idle)") continue;
    selfMicros.set(frame, (selfMicros.get(frame) ?? 0) + duration);
    hits.set(frame, (hits.get(frame) ?? 0) + 1);
    total += duration;
  }
  return [...selfMicros]
    .sort(([, a], [, b]) => b - a)
    .slice(0, top)
    .map(([frame, micros]) => ({
      frame,
      selfMs: micros / 1_000,
      selfShare: total === 0 ? 0 : micros / total,
      samples: hits.get(frame) ?? 0,
    }));
}

/** A printable table of summariseProfile's entries. */
export function formatProfileSummary(entries: readonly ProfileEntry[]): string {
  return entries
    .map(
      (e) =>
        `${e.selfMs.toFixed(1).padStart(9)} ms ${(e.selfShare * 100).toFixed(1).padStart(5)}% ${String(e.samples).padStart(6)}  ${e.frame}`,
    )
    .join("\n");
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`inspector: no ${what} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function frameName(node: CpuProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const name = functionName || "(anonymous)";
  if (!url) return name;
  const file = url.slice(url.lastIndexOf("/") + 1);
  return `${name} (${file}:${lineNumber + 1})`;
}

function timestampOf(profile: CpuProfile, index: number): number {
  let time = profile.startTime;
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i <= index; i++) time += deltas[i] ?? 0;
  return time;
}
