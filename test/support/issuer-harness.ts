// Runs the issuer in workerd through Miniflare for a test, the way the local stack runs it, plus
// a probe Worker holding every kind of binding to the issuer (per-workload entrypoint, props,
// no identity, unknown workload, the default export).

import { resolve } from "node:path";
import { Miniflare, type MiniflareOptions, type WorkerOptions } from "miniflare";
import { bundleWorker, COMPATIBILITY_DATE } from "../../worker/build/bundle.js";
import type { StackConfig } from "../../worker/config/types.js";
import { type LocalStackInput, localStack } from "../../worker/local/stack.js";
import {
  FAULT_CONTROL_WORKER,
  type FaultBindings,
  type FaultCounts,
  type FaultState,
  type KeyStoreCallFaultMode,
  type KvFaultMode,
  kvFaultState,
  NO_FAULTS,
  withFaultBindings,
} from "./fault-bindings.js";
import { freePort } from "./free-port.js";
import { collectRuntimeLines, settle, structuredEvents } from "./runtime-logs.js";
import { PROJECT, randomAdminToken, randomKek, rawStackConfig, STACK } from "./stack-fixture.js";

export interface RpcOutcome<T = unknown> {
  readonly result?: T;
  readonly error?: { readonly name: string; readonly message: string };
}

export interface IssuedToken {
  readonly token: string;
  readonly expiresAt: number;
}

/** One module of the issuer Worker (the bundle is one, `issuer.js`). */
export interface IssuerModule {
  readonly type: "ESModule";
  readonly path: string;
  readonly contents: string;
}

export interface RestartOptions {
  /** Kill the runtime with requests in flight instead of draining them (see restart). */
  readonly abrupt?: boolean;
  /**
   * The issuer Worker's modules in the new runtime, given its bundle: a test-only wrapper around
   * the product's own bundle (test/faults/key-store-fault-switch.ts). Lasts until the next restart.
   */
  readonly issuerModules?: (bundle: IssuerModule) => IssuerModule[];
}

export interface HarnessOptions {
  readonly config?: Record<string, unknown>;
  readonly keyEncryptionKey?: string | null;
  readonly adminToken?: string | null;
  readonly persistDir?: string;
  readonly clockOffsetSeconds?: number;
  /** INTROSPECTION_SECRETS of the issuer: {clientId: secret}. */
  readonly introspectionSecrets?: Record<string, string>;
  /** The mTLS workloads' thumbprints built into the issuer; default: the local stack's own certificates. */
  readonly mtlsThumbprints?: Readonly<Record<string, string>>;
  /** PUBLISHED through a switchable KV wrapper (setKvFault; test/support/fault-bindings.ts). */
  readonly kvFaults?: boolean;
  /** KEY_STORE through a wrapper whose replay claims (setReplayStoreFault) and signing-key fetches (setSigningKeyFault) can fail or hang. */
  readonly keyStoreFaults?: boolean;
  /** workerd's V8 inspector on this port (bench/inspector.ts reads an isolate's heap through it). */
  readonly inspectorPort?: number;
}

export class IssuerHarness {
  private constructor(
    readonly mf: Miniflare,
    readonly url: string,
    readonly config: StackConfig,
    readonly keyEncryptionKey: string | undefined,
    readonly adminToken: string | undefined,
    private input: LocalStackInput,
    /** Every line the runtime printed (the Workers' console), oldest first. */
    readonly logs: string[],
    private readonly faults: FaultBindings = { kv: false, keyStore: false },
    private readonly inspectorPort: number | undefined = undefined,
  ) {}

  /** The faults switched on (kept across restarts: the harness sets them again in the new runtime). */
  private faultState: FaultState = NO_FAULTS;

  /** Requests the harness sent that have not answered yet; a restart lets them finish first. */
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Set while the runtime restarts: requests sent meanwhile wait for the new runtime. */
  private restarting: Promise<void> | undefined;
  /**
   * Abrupt restarts begun and ended so far (test/support/load.ts counts a transport failure of a
   * request that overlapped one as dropped, not as an untyped failure).
   */
  readonly abruptRestarts = { begun: 0, ended: 0 };

  /** The issuer's clock offset (TEST_CLOCK_OFFSET_SECONDS) in the current runtime. */
  get clockOffsetSeconds(): number {
    return this.input.clockOffsetSeconds ?? 0;
  }

  /**
   * Sends one request the way a deploy on Cloudflare treats it: a request already running finishes
   * on the version it started on, and one sent during the deploy is served by the new version.
   * Miniflare's own restart closes every open connection instead, which no deploy does.
   */
  private async send<T>(request: () => Promise<T>): Promise<T> {
    while (this.restarting !== undefined) await this.restarting;
    const pending = request();
    this.inFlight.add(pending);
    try {
      return await pending;
    } finally {
      this.inFlight.delete(pending);
    }
  }

  static async start(options: HarnessOptions = {}): Promise<IssuerHarness> {
    const port = await freePort();
    const keyEncryptionKey = options.keyEncryptionKey === null ? undefined : (options.keyEncryptionKey ?? randomKek());
    const adminToken = options.adminToken === null ? undefined : (options.adminToken ?? randomAdminToken());
    const input: LocalStackInput = {
      project: PROJECT,
      stack: STACK,
      config: options.config ?? rawStackConfig(),
      issuerUrl: `http://127.0.0.1:${port}`,
      ...(keyEncryptionKey !== undefined ? { keyEncryptionKey } : {}),
      ...(adminToken !== undefined ? { adminToken } : {}),
      ...(options.persistDir !== undefined ? { persistDir: options.persistDir } : {}),
      ...(options.clockOffsetSeconds !== undefined ? { clockOffsetSeconds: options.clockOffsetSeconds } : {}),
      ...(options.introspectionSecrets !== undefined ? { introspectionSecrets: options.introspectionSecrets } : {}),
      ...(options.mtlsThumbprints !== undefined ? { mtlsThumbprints: options.mtlsThumbprints } : {}),
    };
    const logs: string[] = [];
    const faults = { kv: options.kvFaults === true, keyStore: options.keyStoreFaults === true };
    const { input: full, config, mfOptions } = await IssuerHarness.build(input, logs, faults, options.inspectorPort);
    const mf = new Miniflare(mfOptions);
    await mf.ready;
    return new IssuerHarness(
      mf,
      input.issuerUrl,
      config,
      keyEncryptionKey,
      adminToken,
      full,
      logs,
      faults,
      options.inspectorPort,
    );
  }

  private static async build(
    input: LocalStackInput,
    logs: string[],
    faults: FaultBindings,
    inspectorPort: number | undefined,
  ) {
    const first = await localStack(input);
    const probeCode = bundleWorker(resolve(import.meta.dirname, "../fixtures/workers/probe.ts"));
    const issuerName = first.config.issuer.scriptName;
    const serviceBindings: NonNullable<WorkerOptions["serviceBindings"]> = {
      NO_IDENTITY: { name: issuerName, entrypoint: "Issuer" },
      UNKNOWN: { name: issuerName, entrypoint: "Issuer", props: { workload: "ghost" } },
      DEFAULT_EXPORT: { name: issuerName },
    };
    for (const workload of first.config.workloads) {
      serviceBindings[`PROPS_${workload.name}`] = {
        name: issuerName,
        entrypoint: "Issuer",
        props: { workload: workload.name },
      };
      serviceBindings[`ENTRY_${workload.name}`] = { name: issuerName, entrypoint: workload.entrypoint };
    }
    for (const workflow of first.config.workflows) {
      serviceBindings[`WORKFLOW_ENTRY_${workflow.name}`] = { name: issuerName, entrypoint: workflow.entrypoint };
      serviceBindings[`WORKFLOW_PROPS_${workflow.name}`] = {
        name: issuerName,
        entrypoint: "Issuer",
        props: { workflow: workflow.name },
      };
    }
    const probe: WorkerOptions = {
      name: "probe",
      modules: [{ type: "ESModule", path: "probe.js", contents: await probeCode }],
      compatibilityDate: COMPATIBILITY_DATE,
      serviceBindings,
      routes: ["*/__probe/*"],
    };
    const full: LocalStackInput = { ...input, extraWorkers: [probe] };
    const stack = await localStack(full);
    const mfOptions: MiniflareOptions = {
      ...withFaultBindings(stack.options, faults),
      ...(inspectorPort === undefined ? {} : { inspectorPort }),
      handleRuntimeStdio: collectRuntimeLines(logs),
    };
    return { input: full, config: stack.config, mfOptions };
  }

  /** Calls `method(...args)` on the issuer through one of the probe's bindings. */
  async call<T = IssuedToken>(binding: string, method: string, ...args: unknown[]): Promise<RpcOutcome<T>> {
    return this.send(async () => {
      const response = await this.mf.dispatchFetch(`${this.url}/__probe/rpc`, {
        method: "POST",
        body: JSON.stringify({ binding, method, args }),
      });
      if (!response.ok) throw new Error(`probe failed: ${response.status} ${await response.text()}`);
      return (await response.json()) as RpcOutcome<T>;
    });
  }

  /** A token for `workload` through its own per-workload entrypoint; throws on refusal. */
  async token(
    workload: string,
    audience: string,
    options?: { lifetimeSeconds?: number; fresh?: boolean },
  ): Promise<IssuedToken> {
    const outcome = await this.call<IssuedToken>(`ENTRY_${workload}`, "token", audience, options);
    if (!outcome.result) throw new Error(`token refused: ${outcome.error?.message}`);
    return outcome.result;
  }

  async fetch(path: string, init?: RequestInit): Promise<Response> {
    return this.send(() => fetch(`${this.url}${path}`, init));
  }

  async admin(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.adminToken) headers.set("authorization", `Bearer ${this.adminToken}`);
    return this.fetch(path, { ...init, headers });
  }

  /**
   * Restarts the runtime (isolates and their caches) with changed inputs; persisted state stays.
   * Like a deploy, it lets the harness's requests in flight finish first and holds those sent
   * meanwhile until the new runtime is up (`send`). Moving the clock forward also empties the edge
   * cache, whose entries live 60 s of real time and so would outlive any virtual jump.
   * `abrupt` kills the runtime with requests in flight instead, as a crash or a Durable Object
   * reset does: those requests fail with a closed connection (the caller sees a transport error,
   * never an answer), and persisted state is whatever the last committed write left.
   */
  async restart(
    changes: Partial<
      Pick<
        LocalStackInput,
        "clockOffsetSeconds" | "keyEncryptionKey" | "keyEncryptionKeyPrevious" | "config" | "mtlsThumbprints"
      >
    >,
    restartOptions: RestartOptions = {},
  ): Promise<void> {
    const jumped = (changes.clockOffsetSeconds ?? 0) !== (this.input.clockOffsetSeconds ?? 0);
    const built = await IssuerHarness.build({ ...this.input, ...changes }, this.logs, this.faults, this.inspectorPort);
    const { input, config } = built;
    const mfOptions =
      restartOptions.issuerModules === undefined
        ? built.mfOptions
        : withIssuerModules(built.mfOptions, config.issuer.scriptName, restartOptions.issuerModules);
    while (this.restarting !== undefined) await this.restarting;
    let restarted = (): void => {};
    this.restarting = new Promise((resolve) => {
      restarted = resolve;
    });
    const abrupt = restartOptions.abrupt === true;
    if (abrupt) this.abruptRestarts.begun++;
    try {
      if (!abrupt) await Promise.allSettled([...this.inFlight]);
      await this.mf.setOptions(mfOptions);
      if (this.faults.kv || this.faults.keyStore) await this.putFaultState(this.faultState);
      if (jumped) {
        const caches = await this.mf.getCaches();
        await caches.default.delete(`${this.url}/.well-known/jwks.json`);
      }
    } finally {
      if (abrupt) this.abruptRestarts.ended++;
      this.restarting = undefined;
      restarted();
    }
    this.input = input;
    (this as { config: StackConfig }).config = config;
  }

  /** Makes the issuer's KV reads and writes fail or hang from now on ("ok" ends the fault). Needs `kvFaults`. */
  async setKvFault(mode: KvFaultMode): Promise<void> {
    if (!this.faults.kv) throw new Error("start the harness with kvFaults: true to inject KV faults");
    await this.putFaultState({ ...this.faultState, ...kvFaultState(mode) });
  }

  /** Makes the exchange's replay claims fail or hang from now on. Needs `keyStoreFaults`. */
  async setReplayStoreFault(mode: KeyStoreCallFaultMode): Promise<void> {
    if (!this.faults.keyStore) throw new Error("start the harness with keyStoreFaults: true");
    await this.putFaultState({ ...this.faultState, replayStore: mode });
  }

  /** Makes isolates' fetches of the active signing key (the key store's signingKey) fail or hang from now on. Needs `keyStoreFaults`. */
  async setSigningKeyFault(mode: KeyStoreCallFaultMode): Promise<void> {
    if (!this.faults.keyStore) throw new Error("start the harness with keyStoreFaults: true");
    await this.putFaultState({ ...this.faultState, signingKey: mode });
  }

  /** How many calls each fault gate passed, failed or hung ("kvReads:ok", "kvWrites:hung", ...). */
  async faultCounts(): Promise<FaultCounts> {
    const control = await this.mf.getWorker(FAULT_CONTROL_WORKER);
    return (await (await control.fetch("http://fault-control/counts")).json()) as FaultCounts;
  }

  private async putFaultState(state: FaultState): Promise<void> {
    const control = await this.mf.getWorker(FAULT_CONTROL_WORKER);
    const response = await control.fetch("http://fault-control/state", { method: "PUT", body: JSON.stringify(state) });
    if (!response.ok) throw new Error(`the fault control refused ${JSON.stringify(state)}: ${response.status}`);
    await response.arrayBuffer();
    this.faultState = state;
  }

  /** The structured log events (JSON lines with an `event` field) of one kind. */
  events(kind: string): Record<string, unknown>[] {
    return structuredEvents(this.logs, kind);
  }

  /** Waits until the runtime's output has caught up (log lines arrive asynchronously). */
  async settleLogs(): Promise<void> {
    await settle();
  }

  async dispose(): Promise<void> {
    await this.mf.dispose();
  }
}

/** `options` with the issuer Worker's one bundle module replaced by `modules(bundle)`. */
function withIssuerModules(
  options: MiniflareOptions,
  issuerName: string,
  modules: (bundle: IssuerModule) => IssuerModule[],
): MiniflareOptions {
  const workers = (options as { workers: WorkerOptions[] }).workers.map((worker) => {
    if (worker.name !== issuerName) return worker;
    const current = worker.modules as IssuerModule[];
    const bundle = current.find((m) => m.path === "issuer.js");
    if (!bundle || current.length !== 1) throw new Error("the issuer Worker is no longer one issuer.js module");
    return { ...worker, modules: modules(bundle) } satisfies WorkerOptions;
  });
  return { ...options, workers } as MiniflareOptions;
}
