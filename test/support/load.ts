// A load driver for the issuer in workerd (test/faults/): loops of concurrent token requests
// through the per-workload entrypoints, each answer sorted into a token, a typed refusal, a drop
// (a transport failure overlapping an abrupt restart) or an untyped failure; and, with `verify`,
// every token verified right after issuance by a relying party that sees what any could see then:
// the issuer's public /.well-known/jwks.json over HTTP (isolate mirror, edge cache, KV, key store
// fallback), kept between tokens and refetched once on an unknown kid, as the verifier in
// worker/verification/ does (jwks-cache.ts). That verifier's cache is one per Node process and
// issuer URL and outlives a load, so the relying party here is jose over an explicit fetch: each
// load starts with the JWKS served at its start, and a refetch is never held back by a cooldown.

import {
  createLocalJWKSet,
  decodeProtectedHeader,
  errors,
  type JSONWebKeySet,
  type JWTVerifyGetKey,
  jwtVerify,
} from "jose";
import type { IssuedToken, IssuerHarness, RpcOutcome } from "./issuer-harness.js";
import { AWS_AUDIENCE } from "./stack-fixture.js";

export interface LoadOptions {
  /** Request loops running at once. Default 8. */
  readonly concurrency?: number;
  /** The workloads asking, in turn (each through its own entrypoint). Default billing and ledger-sync. */
  readonly workloads?: readonly string[];
  /** The audience asked for; every workload above must allow it. Default AWS_AUDIENCE. */
  readonly audience?: string;
  /** Verify every token right after issuance. Default true. */
  readonly verify?: boolean;
  /** Milliseconds each loop waits between its requests. Default 0. */
  readonly pauseMs?: number;
  /** Milliseconds a relying party waits for the JWKS (AWS gives an issuer 5 s). Default 5000. */
  readonly jwksTimeoutMs?: number;
  /** The JWKS the relying party holds when the load starts (one it fetched earlier); default: none, it fetches one. */
  readonly initialJwks?: JSONWebKeySet;
  /**
   * How tokens are asked for: "rpc" (default), the per-workload entrypoint's `token`; or
   * "exchange", POST /token (RFC 8693) of a native token from the workload's stand-in binding
   * (the example workloads' GET /workloads/<name>/native-token), a refusal read from the
   * problem's `code`. An exchanged token is never cached: every one is signed.
   */
  readonly channel?: "rpc" | "exchange";
}

export interface IssuedRecord {
  readonly workload: string;
  readonly token: string;
  readonly kid: string;
  /** Date.now() when answered. */
  readonly at: number;
  /** The issuer's clock (Date.now() plus its test clock offset) when answered. */
  readonly issuerAt: number;
}

export interface LoadReport {
  readonly issued: readonly IssuedRecord[];
  /** Typed refusals by ERR_ code (the [ERR_…] in the RPC error message, or an HTTP problem's code). */
  readonly refusals: Readonly<Record<string, number>>;
  /** Anything neither a token nor a typed refusal (a 500, a probe failure, an error without a code). */
  readonly untyped: readonly string[];
  /** Transport failures (connection closed) of requests that overlapped an abrupt harness restart. */
  readonly dropped: number;
  readonly verified: number;
  /** Tokens the relying party could not verify when they were issued: must be empty. */
  readonly unverifiable: readonly { readonly kid: string; readonly reason: string }[];
  /** JWKS fetches the load's relying party made (its first copy and every refetch on an unknown kid). */
  readonly jwksFetches: number;
  /** The longest a token request waited for its answer (ms), a harness restart's hold included. */
  readonly slowestMs: number;
}

/**
 * The [ERR_…] an issuer message starts with (worker/errors.ts), after the error class's name that
 * RPC puts before it ("KeyStoreUnavailableError: [ERR_…] …"), or an HTTP problem's code.
 */
export function typedCode(message: string): string | undefined {
  return /^(?:[A-Za-z]+: )?\[(ERR_[A-Z0-9_]+)\]/.exec(message)?.[1];
}

/**
 * What a relying party sees: the issuer's JWKS over HTTP, kept between verifications and fetched
 * again once when a token names a kid it lacks.
 */
export class RelyingParty {
  #keys: { readonly document: JSONWebKeySet; readonly get: JWTVerifyGetKey } | undefined;
  fetches = 0;

  constructor(
    readonly issuer: IssuerHarness,
    readonly audience: string,
    readonly jwksTimeoutMs = 5_000,
    initial?: JSONWebKeySet,
  ) {
    if (initial !== undefined) this.#keys = { document: initial, get: createLocalJWKSet(initial) };
  }

  /** The JWKS the issuer serves now (as any relying party fetches it); throws when it cannot be had. */
  async fetchJwks(): Promise<JSONWebKeySet> {
    this.fetches++;
    const document = await fetchServedJwks(this.issuer, this.jwksTimeoutMs);
    this.#keys = { document, get: createLocalJWKSet(document) };
    return document;
  }

  /** Undefined when `token` verifies now, else why not. */
  async verify(token: string, issuerNow: number): Promise<string | undefined> {
    let refetched = false;
    try {
      if (this.#keys === undefined) {
        await this.fetchJwks();
        refetched = true;
      }
      try {
        await this.#verifyWith(token, issuerNow);
        return undefined;
      } catch (error) {
        if (!(error instanceof errors.JWKSNoMatchingKey) || refetched) throw error;
      }
      await this.fetchJwks();
      await this.#verifyWith(token, issuerNow);
      return undefined;
    } catch (error) {
      return describe(error);
    }
  }

  async #verifyWith(token: string, issuerNow: number): Promise<void> {
    const keys = this.#keys as NonNullable<RelyingParty["keys"]>;
    await jwtVerify(token, keys.get, {
      issuer: this.issuer.url,
      audience: this.audience,
      algorithms: ["RS256", "ES256"],
      currentDate: new Date(issuerNow),
      clockTolerance: 30,
    });
  }

  /** The JWKS last fetched (undefined before the first fetch). */
  get keys(): { readonly document: JSONWebKeySet; readonly get: JWTVerifyGetKey } | undefined {
    return this.#keys;
  }
}

/** GET /.well-known/jwks.json through the harness, bounded in time; throws unless 200 with keys. */
export async function fetchServedJwks(issuer: IssuerHarness, timeoutMs = 5_000): Promise<JSONWebKeySet> {
  const response = await retryDropped(issuer, () =>
    issuer.fetch("/.well-known/jwks.json", { signal: AbortSignal.timeout(timeoutMs) }),
  );
  const text = await response.text();
  if (response.status !== 200) throw new Error(`JWKS answered ${response.status}: ${text.slice(0, 200)}`);
  const document = JSON.parse(text) as JSONWebKeySet;
  if (!Array.isArray(document.keys)) throw new Error("JWKS without keys");
  return document;
}

/** Runs `request` again (up to 5 times) while it fails in transport across an abrupt restart. */
async function retryDropped<T>(issuer: IssuerHarness, request: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const begun = issuer.abruptRestarts.begun;
    try {
      return await request();
    } catch (error) {
      if (attempt >= 5 || !overlappedAbruptRestart(issuer, begun)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

function overlappedAbruptRestart(issuer: IssuerHarness, begunBefore: number): boolean {
  const { begun, ended } = issuer.abruptRestarts;
  return begun !== begunBefore || begun !== ended;
}

function describe(error: unknown): string {
  if (error instanceof errors.JOSEError) return `${error.code}: ${error.message}`;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** A transport failure: the connection closed or was refused (no answer at all). */
function isTransportFailure(message: string): boolean {
  return /fetch failed|network connection lost|socket|ECONNRE|closed|terminated|disconnected|other side/i.test(message);
}

/** POST /token of a fresh native token of `workload`: a token, or the problem's code, or (neither) the text. */
async function exchangeOnce(
  issuer: IssuerHarness,
  workload: string,
  audience: string,
): Promise<RpcOutcome<IssuedToken>> {
  const native = await issuer.fetch(`/workloads/${workload}/native-token?audience=${encodeURIComponent(issuer.url)}`);
  const minted = (await native.json()) as { token?: string; detail?: string };
  if (minted.token === undefined) {
    return { error: { name: "NativeToken", message: `no native token: ${native.status} ${minted.detail}` } };
  }
  const response = await issuer.fetch("/token", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
      subject_token: minted.token,
      subject_token_type: "urn:ietf:params:oauth:token-type:jwt",
      audience,
    }).toString(),
  });
  const text = await response.text();
  let body: { access_token?: unknown; expires_in?: unknown; code?: unknown } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    // Not JSON: reported as the text below.
  }
  if (response.status === 200 && typeof body.access_token === "string") {
    return { result: { token: body.access_token, expiresAt: Number(body.expires_in) } };
  }
  const code = typeof body.code === "string" && response.status !== 500 ? `[${body.code}] ` : "";
  return { error: { name: "Problem", message: `${code}HTTP ${response.status}: ${text.slice(0, 300)}` } };
}

/**
 * Starts `concurrency` loops of token requests (and verifications) against `issuer`; `stop()`
 * ends them, waits for the requests in flight and reports.
 */
export function startLoad(issuer: IssuerHarness, options: LoadOptions = {}): { stop(): Promise<LoadReport> } {
  const concurrency = options.concurrency ?? 8;
  const workloads = options.workloads ?? ["billing", "ledger-sync"];
  const audience = options.audience ?? AWS_AUDIENCE;
  const verify = options.verify ?? true;
  const pauseMs = options.pauseMs ?? 0;
  const channel = options.channel ?? "rpc";
  const relyingParty = new RelyingParty(issuer, audience, options.jwksTimeoutMs, options.initialJwks);

  const issued: IssuedRecord[] = [];
  const refusals: Record<string, number> = {};
  const untyped: string[] = [];
  const unverifiable: { kid: string; reason: string }[] = [];
  let dropped = 0;
  let verified = 0;
  let running = true;
  let sequence = 0;
  let slowestMs = 0;
  // One relying party verifies one token at a time, in the order issued: a loop waits for its
  // token's verification before asking again, so verification never lags issuance by more than
  // the other loops' verifications.
  let verifying: Promise<void> = Promise.resolve();

  const verifyInTurn = (record: IssuedRecord): Promise<void> => {
    const turn = verifying.then(async () => {
      const reason = await relyingParty.verify(record.token, issuer.clockOffsetSeconds * 1_000 + Date.now());
      if (reason === undefined) verified++;
      else unverifiable.push({ kid: record.kid, reason });
    });
    verifying = turn;
    return turn;
  };

  const once = async (): Promise<void> => {
    const n = sequence++;
    const workload = workloads[n % workloads.length] as string;
    // Half the requests fresh (always signed), half for one of many lifetimes (signed or taken
    // from the isolate's token cache): the cache never answers everything.
    const tokenOptions = n % 2 === 0 ? { fresh: true } : { lifetimeSeconds: 120 + (n % 480) };
    const begun = issuer.abruptRestarts.begun;
    const sentAt = Date.now();
    let outcome: RpcOutcome<IssuedToken>;
    try {
      outcome =
        channel === "exchange"
          ? await exchangeOnce(issuer, workload, audience)
          : await issuer.call<IssuedToken>(`ENTRY_${workload}`, "token", audience, tokenOptions);
      slowestMs = Math.max(slowestMs, Date.now() - sentAt);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (overlappedAbruptRestart(issuer, begun) && isTransportFailure(message)) dropped++;
      else untyped.push(`${workload}: ${message}`);
      // No answer at all (the runtime restarting, or gone): ask again a little later, not in a spin.
      await new Promise((resolve) => setTimeout(resolve, 50));
      return;
    }
    if (outcome.result !== undefined) {
      const { token } = outcome.result;
      const record: IssuedRecord = {
        workload,
        token,
        kid: String(decodeProtectedHeader(token).kid),
        at: Date.now(),
        issuerAt: Date.now() + issuer.clockOffsetSeconds * 1_000,
      };
      issued.push(record);
      if (verify) await verifyInTurn(record);
      return;
    }
    const message = outcome.error?.message ?? "an answer with neither a result nor an error";
    const code = typedCode(message);
    if (code !== undefined) refusals[code] = (refusals[code] ?? 0) + 1;
    else if (overlappedAbruptRestart(issuer, begun) && isTransportFailure(message)) dropped++;
    else untyped.push(`${workload}: ${message}`);
  };

  const loop = async (): Promise<void> => {
    while (running) {
      await once();
      if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  };
  const loops = Array.from({ length: concurrency }, () => loop());

  return {
    async stop(): Promise<LoadReport> {
      running = false;
      await Promise.all(loops);
      await verifying;
      const jwksFetches = relyingParty.fetches;
      return { issued, refusals, untyped, dropped, verified, unverifiable, jwksFetches, slowestMs };
    },
  };
}

export interface Reverification {
  /** Distinct tokens checked (tokens of excluded kids left out). */
  readonly checked: number;
  readonly unverifiable: readonly { readonly kid: string; readonly reason: string }[];
}

/**
 * Verifies every distinct token of `report` against the JWKS the issuer serves now (one fetch), at
 * the instant each was issued (so a token is judged on its signature and claims, not on having
 * expired since), leaving out the tokens of `excludeKids` (keys a test revoked on purpose).
 */
export async function reverify(
  issuer: IssuerHarness,
  report: Pick<LoadReport, "issued">,
  options: { readonly excludeKids?: Iterable<string>; readonly audience?: string } = {},
): Promise<Reverification> {
  const excluded = new Set(options.excludeKids ?? []);
  const relyingParty = new RelyingParty(issuer, options.audience ?? AWS_AUDIENCE);
  const document = await relyingParty.fetchJwks();
  const get = createLocalJWKSet(document);
  const seen = new Set<string>();
  const unverifiable: { kid: string; reason: string }[] = [];
  for (const record of report.issued) {
    if (excluded.has(record.kid) || seen.has(record.token)) continue;
    seen.add(record.token);
    try {
      await jwtVerify(record.token, get, {
        issuer: issuer.url,
        audience: options.audience ?? AWS_AUDIENCE,
        algorithms: ["RS256", "ES256"],
        currentDate: new Date(record.issuerAt),
        clockTolerance: 30,
      });
    } catch (error) {
      unverifiable.push({ kid: record.kid, reason: describe(error) });
    }
  }
  return { checked: seen.size, unverifiable };
}

/** The kids of the report's tokens, with how many tokens each signed. */
export function tokensByKid(report: Pick<LoadReport, "issued">): Map<string, number> {
  const counts = new Map<string, number>();
  for (const { kid } of report.issued) counts.set(kid, (counts.get(kid) ?? 0) + 1);
  return counts;
}
