// Switchable faults in the issuer's own bindings, for test/faults/: the PUBLISHED KV namespace and
// the key store's Durable Object namespace become wrapped bindings (Miniflare `wrappedBindings`,
// a module that runs in the issuer's isolate; test/support/failing-reads-kv.ts is the always-failing
// original) that ask a small control Worker, over a service binding, what to do with each call:
// pass it to the real binding (bound to the wrapper as INNER), fail it, or hang it. A hung call is
// real pending I/O (the control Worker holds its answer), as a KV call that never answers is, so
// workerd never cancels it as a hung promise; it fails when the fault is switched off (or after
// MAX_HANG_MS), never reaching the real binding late. The harness switches faults through the control Worker
// (IssuerHarness.setKvFault, setReplayStoreFault, setSigningKeyFault).

import type { MiniflareOptions, WorkerOptions } from "miniflare";

export const FAULT_CONTROL_WORKER = "fault-control";
export const FAULTY_KV_WORKER = "faulty-published-kv";
export const FAULTY_KEY_STORE_WORKER = "faulty-key-store";

/** What KV calls do: reads (get, getWithMetadata, list) and writes (put, delete), failing or hanging. */
export type KvFaultMode = "ok" | "fail-reads" | "fail-writes" | "fail" | "hang-reads" | "hang-writes" | "hang";
/** What one kind of key store call does: the replay claims (claimPresented) or the signing-key fetches (signingKey). */
export type KeyStoreCallFaultMode = "ok" | "fail" | "hang";

type Gate = "ok" | "fail" | "hang";

export interface FaultState {
  readonly kvReads: Gate;
  readonly kvWrites: Gate;
  readonly replayStore: Gate;
  readonly signingKey: Gate;
}

/** Calls each gate saw (by gate and what it answered), from the control Worker. */
export type FaultCounts = Readonly<Record<string, number>>;

export const NO_FAULTS: FaultState = { kvReads: "ok", kvWrites: "ok", replayStore: "ok", signingKey: "ok" };

export function kvFaultState(mode: KvFaultMode): Pick<FaultState, "kvReads" | "kvWrites"> {
  const reads: Gate =
    mode === "fail-reads" || mode === "fail" ? "fail" : mode === "hang-reads" || mode === "hang" ? "hang" : "ok";
  const writes: Gate =
    mode === "fail-writes" || mode === "fail" ? "fail" : mode === "hang-writes" || mode === "hang" ? "hang" : "ok";
  return { kvReads: reads, kvWrites: writes };
}

/** A hung call is released after this long at the latest (far beyond any deadline of the issuer). */
const MAX_HANG_MS = 600_000;

const CONTROL = `
let state = { kvReads: "ok", kvWrites: "ok", replayStore: "ok", signingKey: "ok" };
const counts = {};
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === "/state" && request.method === "PUT") {
      state = { ...state, ...(await request.json()) };
      return Response.json(state);
    }
    if (url.pathname === "/counts") return Response.json(counts);
    const gate = url.searchParams.get("gate");
    if (url.pathname !== "/gate" || !(gate in state)) return new Response("unknown gate", { status: 400 });
    let answer = state[gate];
    if (answer === "hang") {
      counts[gate + ":hung"] = (counts[gate + ":hung"] ?? 0) + 1;
      const started = Date.now();
      while (state[gate] === "hang" && Date.now() - started < ${MAX_HANG_MS}) await sleep(50);
      // A call that hung ends in an error, as a KV call abandoned by the platform does: it never
      // lands late, after calls made since.
      answer = "fail";
    }
    counts[gate + ":" + answer] = (counts[gate + ":" + answer] ?? 0) + 1;
    return new Response(answer);
  },
};
`;

const GATE = `
async function gate(env, name) {
  const answer = await (await env.CONTROL.fetch("http://fault-control/gate?gate=" + name)).text();
  if (answer !== "ok") throw new Error(name + " refused (test fault)");
}
`;

const FAULTY_KV = `${GATE}
export default function (env) {
  const read = (method) => async (...args) => {
    await gate(env, "kvReads");
    return env.INNER[method](...args);
  };
  const write = (method) => async (...args) => {
    await gate(env, "kvWrites");
    return env.INNER[method](...args);
  };
  return {
    get: read("get"),
    getWithMetadata: read("getWithMetadata"),
    list: read("list"),
    put: write("put"),
    delete: write("delete"),
  };
}
`;

// Every call of a stub goes to the real key store, but claimPresented (the replay store) first
// passes the replayStore gate, and signingKey (an isolate fetching the active key) the signingKey gate.
const FAULTY_KEY_STORE = `${GATE}
const GATED = { claimPresented: "replayStore", signingKey: "signingKey" };
export default function (env) {
  const wrap = (stub) =>
    new Proxy(stub, {
      get(target, property) {
        const gated = GATED[property];
        if (gated !== undefined) {
          return async (...args) => {
            await gate(env, gated);
            return target[property](...args);
          };
        }
        return target[property];
      },
    });
  return {
    idFromName: (name) => env.INNER.idFromName(name),
    idFromString: (id) => env.INNER.idFromString(id),
    newUniqueId: (options) => env.INNER.newUniqueId(options),
    get: (id, options) => wrap(env.INNER.get(id, options)),
    getByName: (name, options) => wrap(env.INNER.getByName(name, options)),
  };
}
`;

export interface FaultBindings {
  /** PUBLISHED through the switchable KV wrapper. */
  readonly kv: boolean;
  /** KEY_STORE through the wrapper whose replay claims and signing-key fetches can fail or hang. */
  readonly keyStore: boolean;
}

/**
 * The local stack's Miniflare options with the issuer's (the first Worker's) PUBLISHED and/or
 * KEY_STORE bindings wrapped, and the control Worker added. The wrapped KV namespace keeps the
 * real one's id, so the key store's writes and the test's reads (`getKVNamespace("INNER",
 * FAULTY_KV_WORKER)`) meet the same data; the key store class keeps its storage, only its
 * binding's name in the issuer changes (KEY_STORE_UNWRAPPED, unused but declaring the class).
 */
export function withFaultBindings(options: MiniflareOptions, faults: FaultBindings): MiniflareOptions {
  if (!faults.kv && !faults.keyStore) return options;
  const [issuer, ...others] = (options.workers ?? []) as WorkerOptions[];
  if (issuer?.name === undefined) throw new Error("the local stack has no issuer Worker first");
  const control: WorkerOptions = {
    name: FAULT_CONTROL_WORKER,
    modules: [{ type: "ESModule", path: "control.js", contents: CONTROL }],
    compatibilityDate: issuer.compatibilityDate,
  };
  const wrapped: NonNullable<WorkerOptions["wrappedBindings"]> = {};
  const wrappers: WorkerOptions[] = [];
  let changed: WorkerOptions = issuer;
  const controlBinding = { CONTROL: { name: FAULT_CONTROL_WORKER } };
  if (faults.kv) {
    const namespaces = { ...(changed.kvNamespaces as Record<string, string> | undefined) };
    const id = namespaces.PUBLISHED;
    if (id === undefined) throw new Error("the issuer binds no PUBLISHED KV namespace");
    delete namespaces.PUBLISHED;
    changed = { ...changed, kvNamespaces: namespaces };
    wrapped.PUBLISHED = { scriptName: FAULTY_KV_WORKER };
    wrappers.push({
      name: FAULTY_KV_WORKER,
      modules: [{ type: "ESModule", path: "kv.js", contents: FAULTY_KV }],
      kvNamespaces: { INNER: id },
      serviceBindings: controlBinding,
    });
  }
  if (faults.keyStore) {
    const objects = { ...(changed.durableObjects as Record<string, { className: string; useSQLite?: boolean }>) };
    const keyStore = objects.KEY_STORE;
    if (keyStore === undefined) throw new Error("the issuer binds no KEY_STORE Durable Object namespace");
    delete objects.KEY_STORE;
    objects.KEY_STORE_UNWRAPPED = keyStore;
    changed = { ...changed, durableObjects: objects };
    wrapped.KEY_STORE = { scriptName: FAULTY_KEY_STORE_WORKER };
    wrappers.push({
      name: FAULTY_KEY_STORE_WORKER,
      modules: [{ type: "ESModule", path: "key-store.js", contents: FAULTY_KEY_STORE }],
      durableObjects: { INNER: { ...keyStore, scriptName: issuer.name } },
      serviceBindings: controlBinding,
    });
  }
  changed = { ...changed, wrappedBindings: { ...(changed.wrappedBindings ?? {}), ...wrapped } };
  return { ...options, workers: [changed, ...wrappers, control, ...others] } as MiniflareOptions;
}
