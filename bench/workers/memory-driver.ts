// The memory benchmark's driver, running in workerd beside the issuer and bound to it once per
// configured workload, through each workload's own entrypoint (ISSUER_0, ISSUER_1, … in the order
// of the WORKLOADS binding). Each request performs operations [from, from + n) of one sequence,
// ?concurrency= at a time (default 1), so the whole run is a few dozen requests. Kinds:
//   issue   token requests over every (workload, audience) pair: mostly a hot set of lifetimes
//           (the default, 60, 300 and the workload's cap), and every 25th a lifetime swept over
//           500 values, so the token cache sees ~2,500 distinct keys and must evict
//   refuse  token requests for a distinct audience each (https://refused-<k>.example), each
//           confirmed to be refused with ERR_AUDIENCE_NOT_ALLOWED
// Both answer JSON {ops}; any other outcome fails the request with 500 and the reason.

interface TokenIssuer {
  token(audience: string, options?: { lifetimeSeconds?: number }): Promise<{ token: string; expiresAt: number }>;
}

/** One entry of the WORKLOADS binding (JSON array). */
interface MemoryDriverWorkload {
  /** The name of the service binding to the workload's entrypoint. */
  readonly binding: string;
  readonly name: string;
  readonly audiences: readonly string[];
  /** The longest lifetime this workload may ask for (its cap, bounded by the issuer's). */
  readonly maxLifetimeSeconds: number;
}

interface Env {
  readonly WORKLOADS: string;
}

const SWEEP_EVERY = 25;
const SWEEP_LIFETIMES = 500;
const MIN_LIFETIME_SECONDS = 30;
const REFUSED = /^(?:[A-Za-z]+: )?\[ERR_AUDIENCE_NOT_ALLOWED\] /;

interface Pair {
  readonly issuer: TokenIssuer;
  readonly workload: MemoryDriverWorkload;
  readonly audience: string;
}

let parsed:
  | { readonly source: string; readonly workloads: readonly MemoryDriverWorkload[]; readonly pairs: readonly Pair[] }
  | undefined;

function setup(env: Env): { readonly workloads: readonly MemoryDriverWorkload[]; readonly pairs: readonly Pair[] } {
  if (parsed?.source !== env.WORKLOADS) {
    const workloads = JSON.parse(env.WORKLOADS) as MemoryDriverWorkload[];
    const pairs = workloads.flatMap((workload) =>
      workload.audiences.map((audience) => ({ issuer: issuerOf(env, workload), workload, audience })),
    );
    parsed = { source: env.WORKLOADS, workloads, pairs };
  }
  return parsed;
}

function issuerOf(env: Env, workload: MemoryDriverWorkload): TokenIssuer {
  const issuer = (env as unknown as Record<string, TokenIssuer | undefined>)[workload.binding];
  if (!issuer) throw new Error(`no service binding ${workload.binding} for workload ${workload.name}`);
  return issuer;
}

/** Operation k of the issuance sequence: which pair, and which lifetime (undefined: the default). */
function issueOperation(
  pairs: readonly Pair[],
  k: number,
): { readonly pair: Pair; readonly lifetimeSeconds: number | undefined } {
  if (k % SWEEP_EVERY === SWEEP_EVERY - 1) {
    const j = Math.floor(k / SWEEP_EVERY);
    const pair = pairs[j % pairs.length]!;
    const span = Math.min(SWEEP_LIFETIMES, pair.workload.maxLifetimeSeconds - MIN_LIFETIME_SECONDS + 1);
    return { pair, lifetimeSeconds: MIN_LIFETIME_SECONDS + (Math.floor(j / pairs.length) % span) };
  }
  const pair = pairs[k % pairs.length]!;
  const hot = [undefined, 60, 300, pair.workload.maxLifetimeSeconds];
  return { pair, lifetimeSeconds: hot[Math.floor(k / pairs.length) % hot.length] };
}

async function issue(pairs: readonly Pair[], k: number): Promise<void> {
  const { pair, lifetimeSeconds } = issueOperation(pairs, k);
  let issued: { token: string; expiresAt: number };
  try {
    issued = await pair.issuer.token(pair.audience, lifetimeSeconds === undefined ? undefined : { lifetimeSeconds });
  } catch (error) {
    throw new Error(
      `operation ${k}: ${pair.workload.name} for ${pair.audience} (${lifetimeSeconds ?? "default"} s): ${String(error)}`,
    );
  }
  if (typeof issued.token !== "string" || issued.token.split(".").length !== 3) {
    throw new Error(`operation ${k}: ${pair.workload.name} got no token for ${pair.audience}`);
  }
}

async function refuse(workloads: readonly MemoryDriverWorkload[], env: Env, k: number): Promise<void> {
  const workload = workloads[k % workloads.length]!;
  const audience = `https://refused-${k}.example`;
  const options = k % 2 === 0 ? undefined : { lifetimeSeconds: 60 };
  let issued: unknown;
  try {
    issued = await issuerOf(env, workload).token(audience, options);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (REFUSED.test(message)) return;
    throw new Error(`operation ${k}: ${workload.name} for ${audience} failed otherwise: ${message}`);
  }
  throw new Error(
    `operation ${k}: ${workload.name} got a token for ${audience}: ${JSON.stringify(issued).slice(0, 80)}`,
  );
}

/** Runs op(k) for k in [from, from + n), at most `concurrency` at once. */
async function pool(from: number, n: number, concurrency: number, op: (k: number) => Promise<void>): Promise<void> {
  let next = from;
  const end = from + n;
  const lane = async (): Promise<void> => {
    while (next < end) await op(next++);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, n)) }, lane));
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const kind = url.pathname.split("/").pop();
    const from = Number(url.searchParams.get("from") ?? "0");
    const n = Number(url.searchParams.get("n") ?? "100");
    const concurrency = Number(url.searchParams.get("concurrency") ?? "1");
    try {
      const { workloads, pairs } = setup(env);
      if (kind === "issue") await pool(from, n, concurrency, (k) => issue(pairs, k));
      else if (kind === "refuse") await pool(from, n, concurrency, (k) => refuse(workloads, env, k));
      else return new Response("unknown kind", { status: 404 });
    } catch (error) {
      return new Response(error instanceof Error ? error.message : String(error), { status: 500 });
    }
    return Response.json({ ops: n });
  },
} satisfies ExportedHandler<Env>;
