// Issuance during an emergency key rotation (issue #9: "report ... the throughput during a key
// rotation"): cold issuance (every token signed) runs back to back while the admin API rotates
// (POST /admin/keys/rotate {"emergency": true}, concurrent with it). The window "during" runs
// from the admin call to the end of the first token requested after its answer, which is signed
// with the new key the issuer then fetches; its throughput is set against the steady-state cold
// throughput measured the same way in the same run, in windows alternating with the rotations.
// Issuance is driven one token at a time over the latency driver's WebSocket (bench/latency.ts),
// so each token's latency is timed too: the row gives the worst of them during the rotations,
// and how many issuance calls failed in the rotation windows (there should be none).
// Expect a deep dip with RS256: the admin call spends most of its ~100 ms generating the new key
// pair (RSA-2048 takes ~90 ms of CPU), and workerd runs the key store and the issuer on one
// thread, so tokens wait for it meanwhile. An ES256 key takes about a millisecond.

import { randomBytes } from "node:crypto";
import type { Miniflare } from "miniflare";
import { latencyDrivers, type OperationChannel, openChannel } from "./latency.js";
import { type Measurement, median } from "./measure.js";
import { type BenchAlgorithm, startStack } from "./stack.js";

/** Rotations, each beside a steady window; the key store publishes at most 6 keys at once. */
const ROTATIONS = 5;
const STEADY_MS = 600;
/** Tokens issued before the admin call in a rotation window, so that issuance is in full swing. */
const LEAD_TOKENS = 20;
const WARMUP_TOKENS = 200;
const ADMIN_TOKEN = randomBytes(24).toString("base64url");

interface Sample {
  readonly start: number;
  readonly end: number;
  readonly ok: boolean;
}

export async function measureRotation(algorithm: BenchAlgorithm, port: number): Promise<Measurement[]> {
  const stack = await startStack({ algorithm, port, adminToken: ADMIN_TOKEN, drivers: latencyDrivers });
  const { mf, issuerUrl: url } = stack;
  const channel = await openChannel(mf, url);
  try {
    await issueFor(channel, WARMUP_TOKENS);
    const steady: number[] = [];
    const during: number[] = [];
    const adminMs: number[] = [];
    let steadyWorst = 0;
    let failed = 0;
    let issued = 0;
    let worst = 0;
    for (let round = 0; round < ROTATIONS; round++) {
      const samples = await issueFor(channel, Infinity, performance.now() + STEADY_MS);
      steady.push(throughput(samples, samples[0]!.start, samples.at(-1)!.end));
      steadyWorst = Math.max(steadyWorst, ...samples.map(latency));

      const window = await rotationWindow(mf, url, channel);
      during.push(throughput(window.samples, window.from, window.to));
      adminMs.push(window.adminMs);
      failed += window.samples.filter((s) => !s.ok).length;
      issued += window.samples.length;
      worst = Math.max(worst, ...window.samples.map(latency));
    }
    const ratio = median(during) / median(steady);
    return [
      {
        name:
          `cold issuance during an emergency key rotation, ${algorithm} (${ROTATIONS} rotations, admin call median ` +
          `${median(adminMs).toFixed(0)} ms; ${failed} of ${issued} calls failed; worst latency ` +
          `${worst.toFixed(1)} ms, steady ${steadyWorst.toFixed(1)} ms)`,
        value: `${median(during).toFixed(0)}/s`,
        baseline: "steady-state cold issuance, same run",
        baselineValue: `${median(steady).toFixed(0)}/s`,
        ratio,
        target: "report; no failed call",
        met: failed === 0,
      },
    ];
  } finally {
    channel.close();
    await stack.dispose();
  }
}

function latency(sample: Sample): number {
  return sample.end - sample.start;
}

async function issueOne(channel: OperationChannel): Promise<Sample> {
  const start = performance.now();
  let ok = true;
  try {
    await channel.time("issue-cold");
  } catch {
    ok = false;
  }
  return { start, end: performance.now(), ok };
}

async function issueFor(channel: OperationChannel, count: number, untilMs = Infinity): Promise<Sample[]> {
  const samples: Sample[] = [];
  while (samples.length < count && performance.now() < untilMs) samples.push(await issueOne(channel));
  return samples;
}

/**
 * LEAD_TOKENS tokens, then the admin call concurrently with further tokens, until the first token
 * started after the call was answered is done. The window is [admin call, that token's end]; the
 * samples are the tokens issued in it.
 */
async function rotationWindow(
  mf: Miniflare,
  url: string,
  channel: OperationChannel,
): Promise<{ samples: Sample[]; from: number; to: number; adminMs: number }> {
  await issueFor(channel, LEAD_TOKENS);
  const samples: Sample[] = [];
  const from = performance.now();
  let answeredAt = Number.NaN;
  const rotation = rotate(mf, url).finally(() => void (answeredAt = performance.now()));
  rotation.catch(() => undefined);
  for (;;) {
    const sample = await issueOne(channel);
    samples.push(sample);
    if (sample.start > answeredAt) break;
  }
  await rotation;
  return { samples, from, to: samples.at(-1)!.end, adminMs: answeredAt - from };
}

/** Tokens completed in [from, to] per second. */
function throughput(samples: readonly Sample[], from: number, to: number): number {
  const done = samples.filter((s) => s.ok && s.end >= from && s.end <= to).length;
  return (done / (to - from)) * 1_000;
}

async function rotate(mf: Miniflare, url: string): Promise<void> {
  const response = await mf.dispatchFetch(`${url}/admin/keys/rotate`, {
    method: "POST",
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ emergency: true }),
  });
  const body = await response.text();
  if (!response.ok) throw new Error(`emergency rotation: ${response.status} ${body}`);
}
