// Measuring in a noisy machine: every subject is measured beside its baseline in the same run,
// in alternating rounds after a warm-up, and reported as the median of the rounds. Drivers are
// Workers that perform `n` operations per request, so one request's overhead is spread over n.

import type { Miniflare } from "miniflare";

const ROUNDS = 7;
const OPS_PER_ROUND = 200;
const WARMUP_OPS = 100;

/** One row of the table: a subject, its baseline measured in the same run, and the target. */
export interface Measurement {
  readonly name: string;
  readonly value: string;
  readonly baseline: string;
  readonly baselineValue: string;
  readonly ratio: number;
  readonly target: string;
  /** Whether the ratio meets the target. */
  readonly met: boolean;
}

/** A throughput row: higher is better, the target is a minimum ratio. */
export function throughputRow(
  name: string,
  ops: number,
  baseline: string,
  baselineOps: number,
  minimum: number,
): Measurement {
  const ratio = ops / baselineOps;
  return {
    name,
    value: `${ops.toFixed(0)}/s`,
    baseline,
    baselineValue: `${baselineOps.toFixed(0)}/s`,
    ratio,
    target: `≥ ${minimum}`,
    met: ratio >= minimum,
  };
}

/** Milliseconds for one driver request performing `n` operations of `kind` (`path?n=…&query`). */
export async function timeRequest(mf: Miniflare, url: string, path: string, n: number, query = ""): Promise<number> {
  const started = performance.now();
  const response = await mf.dispatchFetch(`${url}/${path}?n=${n}${query}`);
  const body = await response.text();
  if (!response.ok) throw new Error(`${path}: ${response.status} ${body}`);
  return performance.now() - started;
}

interface Operation {
  readonly path: string;
  readonly query?: string;
}

/** Median ops/s of subject and baseline, measured in alternating rounds. */
export async function compare(
  mf: Miniflare,
  url: string,
  subject: Operation,
  baseline: Operation,
  ops = OPS_PER_ROUND,
): Promise<[number, number]> {
  await timeRequest(mf, url, subject.path, WARMUP_OPS, subject.query);
  await timeRequest(mf, url, baseline.path, WARMUP_OPS, baseline.query);
  const s: number[] = [];
  const b: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    s.push((ops / (await timeRequest(mf, url, subject.path, ops, subject.query))) * 1_000);
    b.push((ops / (await timeRequest(mf, url, baseline.path, ops, baseline.query))) * 1_000);
  }
  return [median(s), median(b)];
}

/** The median: the middle value, or the mean of the middle two. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const middle = sorted.length >> 1;
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The nearest-rank percentile (0 < p ≤ 1) of `values`. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

export function printTable(rows: readonly Measurement[]): void {
  const cells = rows.map((r) => [
    r.name,
    r.value,
    r.baseline,
    r.baselineValue,
    r.ratio.toFixed(2),
    r.target,
    r.met ? "met" : "MISSED",
  ]);
  const header = ["measurement", "value", "baseline (same run)", "baseline value", "ratio", "target", ""];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((row) => (row[i] ?? "").length)));
  const line = (row: readonly string[]) =>
    row
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  console.log(line(header));
  for (const row of cells) console.log(line(row));
}

/** "p50 0.41 ms, p99 3.20 ms" of latency samples in milliseconds. */
function latencySummary(samples: readonly number[]): string {
  return `p50 ${percentile(samples, 0.5).toFixed(2)} ms, p99 ${percentile(samples, 0.99).toFixed(2)} ms`;
}

/** A latency row: lower is better, the ratio is of the p99s, the target a maximum ratio (or none: the row only reports). */
export function latencyRow(
  name: string,
  samples: readonly number[],
  baseline: string,
  baselineSamples: readonly number[],
  maximum: number | undefined,
): Measurement {
  const ratio = percentile(samples, 0.99) / percentile(baselineSamples, 0.99);
  return {
    name,
    value: latencySummary(samples),
    baseline,
    baselineValue: latencySummary(baselineSamples),
    ratio,
    target: maximum === undefined ? "report" : `p99 ≤ ${maximum}×`,
    met: maximum === undefined || ratio <= maximum,
  };
}
