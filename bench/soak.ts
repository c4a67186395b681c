// The soak run (issue 20): the issuer in workerd under steady issuance and verification for a
// bounded time, with faults injected one after another in an order drawn from a seed. Steady
// phases alternate with fault phases of the same length; every phase runs the same load
// (test/support/load.ts: concurrent token requests through the per-workload entrypoints, each
// token verified at once against the JWKS a relying party sees over HTTP).
//
// It reports what the product promises under faults: failed calls (typed refusals by code, drops
// of requests in flight when the runtime is killed, and untyped failures, which must be 0), tokens
// that did not verify (must be 0), tokens signed by a key after its revocation answered (must be
// 0), the issuer isolate's heap after each steady phase (must stay flat within one isolate's
// life), and issuance throughput during each kind of fault against the steady phases' median.
//
//   npm run bench -- soak                          the default seed and length
//   WID_SOAK_SEED=7 WID_SOAK_PHASES=24 npm run bench -- soak

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { JSONWebKeySet } from "jose";
import { Response as RuntimeResponse } from "miniflare";
import { freePort } from "../test/support/free-port.js";
import { IssuerHarness } from "../test/support/issuer-harness.js";
import { fetchServedJwks, type LoadReport, reverify, startLoad } from "../test/support/load.js";
import { type HeapUsage, InspectorSession } from "./inspector.js";
import type { Measurement } from "./measure.js";

const DEFAULT_SEED = 20_261_204;
/** Fault phases (each preceded by a steady one): every kind at least once at the default. */
const DEFAULT_FAULT_PHASES = 14;
const PHASE_MS = 2_500;
const CONCURRENCY = 8;
const MIB = 1_024 * 1_024;
/** What one isolate's heap may grow between its first and last steady sample and count as flat. */
const FLAT_SLACK = 1 * MIB;

/** The faults the soak draws from; each runs for one phase under load. */
export const FAULT_KINDS = [
  "kv-fail-reads",
  "kv-fail-writes",
  "kv-hang-reads",
  "kv-hang-writes",
  "stale-edge-cache",
  "rotation",
  "emergency-rotation",
  "revocation",
  "runtime-killed",
  "clock-jump",
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** mulberry32: a small seeded generator, so a run's order of faults can be repeated. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * The order of `phases` faults for `seed`: every kind once in a shuffled round, then further
 * rounds, so a short run still meets each kind and a long one meets each as often.
 */
export function faultSchedule(seed: number, phases: number): FaultKind[] {
  const random = seededRandom(seed);
  const schedule: FaultKind[] = [];
  while (schedule.length < phases) {
    const round = [...FAULT_KINDS];
    for (let i = round.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [round[i], round[j]] = [round[j] as FaultKind, round[i] as FaultKind];
    }
    schedule.push(...round.slice(0, phases - schedule.length));
  }
  return schedule;
}

interface PhaseResult {
  readonly kind: FaultKind | "steady";
  readonly ms: number;
  readonly report: LoadReport;
  /** Kids revoked in this phase, and when (Date.now()) the revocation answered. */
  readonly revoked: readonly { readonly kid: string; readonly answeredAt: number }[];
  /** Typed answers of the admin calls the fault made (e.g. 409 for too many keys). */
  readonly adminRefusals: readonly string[];
}

interface HeapSample {
  readonly phase: number;
  /** Which isolate life the sample belongs to (a restart starts a new one). */
  readonly life: number;
  readonly heap: HeapUsage;
}

export interface SoakResult {
  readonly seed: number;
  readonly schedule: readonly FaultKind[];
  readonly phases: readonly PhaseResult[];
  readonly heap: readonly HeapSample[];
  /** Tokens that did not verify when issued, except those of a key revoked in between on purpose. */
  readonly unverifiable: readonly { readonly kid: string; readonly reason: string }[];
  /** Tokens of the whole run that no longer verify against the final JWKS (revoked keys left out). */
  readonly unverifiableAtEnd: number;
  readonly tokens: number;
  /** Tokens signed by a key after its revocation had answered. */
  readonly signedAfterRevocation: number;
  readonly seconds: number;
}

export async function runSoak(
  options: { seed?: number; faultPhases?: number; phaseMs?: number } = {},
): Promise<SoakResult> {
  const seed = options.seed ?? DEFAULT_SEED;
  const schedule = faultSchedule(seed, options.faultPhases ?? DEFAULT_FAULT_PHASES);
  const phaseMs = options.phaseMs ?? PHASE_MS;
  const started = performance.now();
  const dir = await mkdtemp(join(tmpdir(), "wid-soak-"));
  const inspectorPort = await freePort();
  const issuer = await IssuerHarness.start({ persistDir: dir, kvFaults: true, inspectorPort });
  let session: InspectorSession | undefined;
  let life = 0;
  const phases: PhaseResult[] = [];
  const heap: HeapSample[] = [];
  try {
    const connect = async (): Promise<void> => {
      session?.close();
      session = await InspectorSession.connect(inspectorPort, issuer.config.issuer.scriptName);
    };
    await connect();
    // Warm up: the first key exists and the isolate has compiled its paths.
    await runPhase(issuer, "steady", phaseMs / 2);

    for (const kind of schedule) {
      phases.push(await runPhase(issuer, "steady", phaseMs));
      heap.push({
        phase: phases.length - 1,
        life,
        heap: await (session as InspectorSession).heapAfterGarbageCollection(),
      });
      phases.push(await runPhase(issuer, kind, phaseMs));
      if (kind === "runtime-killed" || kind === "clock-jump") {
        life++;
        await connect();
      }
    }
    phases.push(await runPhase(issuer, "steady", phaseMs));
    heap.push({
      phase: phases.length - 1,
      life,
      heap: await (session as InspectorSession).heapAfterGarbageCollection(),
    });

    const revoked = new Map(phases.flatMap((p) => p.revoked).map((r) => [r.kid, r.answeredAt]));
    const issued = phases.flatMap((p) => p.report.issued);
    const unverifiable = phases.flatMap((p) => p.report.unverifiable).filter((u) => !revoked.has(u.kid));
    const signedAfterRevocation = issued.filter((t) => {
      const answeredAt = revoked.get(t.kid);
      return answeredAt !== undefined && t.at > answeredAt;
    }).length;
    const atEnd = await reverify(issuer, { issued }, { excludeKids: revoked.keys() });
    return {
      seed,
      schedule,
      phases,
      heap,
      unverifiable,
      unverifiableAtEnd: atEnd.unverifiable.length,
      tokens: issued.length,
      signedAfterRevocation,
      seconds: (performance.now() - started) / 1_000,
    };
  } finally {
    session?.close();
    await issuer.dispose();
    await rm(dir, { recursive: true, force: true });
  }
}

/** One phase: the load for `ms`, with the fault of `kind` injected at its start (or mid-way). */
async function runPhase(issuer: IssuerHarness, kind: FaultKind | "steady", ms: number): Promise<PhaseResult> {
  const revoked: { kid: string; answeredAt: number }[] = [];
  const adminRefusals: string[] = [];
  const admin = async (path: string, body?: unknown): Promise<Response | undefined> => {
    const response = await issuer.admin(path, {
      method: "POST",
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (response.ok) return response;
    adminRefusals.push(`${path}: ${response.status} ${(await response.text()).slice(0, 200)}`);
    return undefined;
  };
  const started = performance.now();
  const load = startLoad(issuer, { concurrency: CONCURRENCY });
  const half = () => new Promise((resolve) => setTimeout(resolve, ms / 2));
  switch (kind) {
    case "steady":
      await new Promise((resolve) => setTimeout(resolve, ms));
      break;
    case "kv-fail-reads":
    case "kv-fail-writes":
    case "kv-hang-reads":
    case "kv-hang-writes": {
      await issuer.setKvFault(kind.slice(3) as "fail-reads" | "fail-writes" | "hang-reads" | "hang-writes");
      // A rotation while KV is down: the key store must not sign with what it could not publish.
      await half();
      await admin("/admin/keys/rotate");
      await half();
      await issuer.setKvFault("ok");
      break;
    }
    case "stale-edge-cache":
      await putStaleJwks(issuer);
      await new Promise((resolve) => setTimeout(resolve, ms));
      break;
    case "rotation":
      await half();
      await admin("/admin/keys/rotate");
      await half();
      break;
    case "emergency-rotation":
      await half();
      await admin("/admin/keys/rotate", { emergency: true });
      await half();
      break;
    case "revocation": {
      await half();
      const active = await activeKid(issuer);
      if (active !== undefined && (await admin(`/admin/keys/${encodeURIComponent(active)}/revoke`)) !== undefined)
        revoked.push({ kid: active, answeredAt: Date.now() });
      await half();
      break;
    }
    case "runtime-killed":
      await half();
      await issuer.restart({}, { abrupt: true });
      await half();
      break;
    case "clock-jump": {
      await half();
      // Past the key store's next planned step, so the jump lands on work it must catch up on.
      const listing = (await (await issuer.admin("/admin/keys")).json()) as { now: number; nextCheckAt: number };
      const ahead = Math.ceil((listing.nextCheckAt - listing.now) / 1_000) + 60;
      await issuer.restart({ clockOffsetSeconds: issuer.clockOffsetSeconds + ahead });
      await half();
      break;
    }
  }
  const report = await load.stop();
  return { kind, ms: performance.now() - started, report, revoked, adminRefusals };
}

async function activeKid(issuer: IssuerHarness): Promise<string | undefined> {
  const listing = (await (await issuer.admin("/admin/keys")).json()) as {
    keys: { kid: string; state: string }[];
  };
  return listing.keys.find((k) => k.state === "active")?.kid;
}

/**
 * An edge cache entry older than the newest key: the JWKS served now without the keys that do
 * not sign yet, put where the JWKS endpoint looks first, as another location's cache would hold.
 */
async function putStaleJwks(issuer: IssuerHarness): Promise<void> {
  const served: JSONWebKeySet = await fetchServedJwks(issuer);
  const listing = (await (await issuer.admin("/admin/keys")).json()) as {
    keys: { kid: string; state: string }[];
  };
  const notSigning = new Set(listing.keys.filter((k) => k.state === "next").map((k) => k.kid));
  const stale = { keys: served.keys.filter((k) => !notSigning.has(String(k.kid))) };
  const caches = await issuer.mf.getCaches();
  await caches.default.put(
    `${issuer.url}/.well-known/jwks.json`,
    // Miniflare's own Response: the runtime's cache takes no other.
    new RuntimeResponse(JSON.stringify(stale), {
      headers: {
        "content-type": "application/json",
        etag: '"stale"',
        "cache-control": "public, max-age=60",
        "x-jwks-cached-at": String(Date.now()),
      },
    }),
  );
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

const rate = (p: PhaseResult): number => p.report.issued.length / (p.ms / 1_000);
const slowest = (phases: readonly PhaseResult[]): number => Math.max(0, ...phases.map((p) => p.report.slowestMs));

/** The table's rows for one soak run. */
export async function measureSoak(): Promise<Measurement[]> {
  const seed = Number(process.env.WID_SOAK_SEED ?? DEFAULT_SEED);
  const faultPhases = Number(process.env.WID_SOAK_PHASES ?? DEFAULT_FAULT_PHASES);
  const result = await runSoak({ seed, faultPhases });
  const steady = result.phases.filter((p) => p.kind === "steady");
  const steadyRate = median(steady.map(rate));
  const all = result.phases.map((p) => p.report);
  const sum = (f: (r: LoadReport) => number) => all.reduce((n, r) => n + f(r), 0);
  const calls =
    sum((r) => r.issued.length + r.dropped + r.untyped.length) +
    sum((r) => Object.values(r.refusals).reduce((a, b) => a + b, 0));
  const untyped = sum((r) => r.untyped.length);
  const dropped = sum((r) => r.dropped);
  const refusals = new Map<string, number>();
  for (const r of all)
    for (const [code, n] of Object.entries(r.refusals)) refusals.set(code, (refusals.get(code) ?? 0) + n);
  const refused = [...refusals.values()].reduce((a, b) => a + b, 0);
  const codes = [...refusals].map(([code, n]) => `${code} ${n}`).join(", ") || "none";

  // Flat heap: within each isolate life, the last steady sample against its first.
  const lives = new Map<number, HeapSample[]>();
  for (const sample of result.heap) lives.set(sample.life, [...(lives.get(sample.life) ?? []), sample]);
  const growth = Math.max(
    0,
    ...[...lives.values()].map(
      (samples) => (samples.at(-1) as HeapSample).heap.usedSize - (samples[0] as HeapSample).heap.usedSize,
    ),
  );
  const first = result.heap[0] as HeapSample;
  const peak = Math.max(...result.heap.map((s) => s.heap.usedSize));
  const run = `seed ${result.seed}, ${result.schedule.length} faults, ${result.seconds.toFixed(0)} s`;

  const rows: Measurement[] = [
    {
      name: `soak: tokens that did not verify (${run})`,
      value: `${result.unverifiable.length} at issuance, ${result.unverifiableAtEnd} at the end`,
      baseline: "tokens issued",
      baselineValue: String(result.tokens),
      ratio: (result.unverifiable.length + result.unverifiableAtEnd) / Math.max(1, result.tokens),
      target: "0",
      met: result.unverifiable.length === 0 && result.unverifiableAtEnd === 0,
    },
    {
      name: "soak: tokens signed by a key after its revocation answered",
      value: String(result.signedAfterRevocation),
      baseline: "tokens issued",
      baselineValue: String(result.tokens),
      ratio: result.signedAfterRevocation / Math.max(1, result.tokens),
      target: "0",
      met: result.signedAfterRevocation === 0,
    },
    {
      name: `soak: failed calls (typed: ${codes}; dropped by a killed runtime: ${dropped})`,
      value: `${untyped} untyped, ${refused} typed, ${dropped} dropped`,
      baseline: "token calls",
      baselineValue: String(calls),
      ratio: (untyped + refused + dropped) / Math.max(1, calls),
      target: "0 untyped",
      met: untyped === 0,
    },
    {
      name: `soak: issuer isolate heap after each steady phase (${result.heap.length} samples, ${lives.size} isolate lives)`,
      value: `peak ${(peak / MIB).toFixed(1)} MiB, most growth in one life +${(growth / MIB).toFixed(2)} MiB`,
      baseline: "first sample",
      baselineValue: `${(first.heap.usedSize / MIB).toFixed(1)} MiB`,
      ratio: peak / first.heap.usedSize,
      target: `flat (≤ +${FLAT_SLACK / MIB} MiB per life)`,
      met: growth <= FLAT_SLACK,
    },
  ];
  for (const kind of FAULT_KINDS) {
    const during = result.phases.filter((p) => p.kind === kind);
    if (during.length === 0) continue;
    const faultRate = median(during.map(rate));
    const refusedAdmin = during.flatMap((p) => p.adminRefusals).length;
    rows.push({
      name: `soak: issuance during ${kind} (${during.length}×${refusedAdmin > 0 ? `, ${refusedAdmin} admin calls refused` : ""})`,
      value: `${faultRate.toFixed(0)}/s, slowest call ${slowest(during).toFixed(0)} ms`,
      baseline: "steady phases, median",
      baselineValue: `${steadyRate.toFixed(0)}/s, slowest call ${slowest(steady).toFixed(0)} ms`,
      ratio: faultRate / steadyRate,
      target: "report",
      met: true,
    });
  }
  return rows;
}
