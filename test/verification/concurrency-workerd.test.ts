// The verifier under concurrency in workerd, through the edge middleware: many verifications in one
// isolate, each a request of its own (its own I/O context). workerd never lets a request await a
// promise of another request safely: if that request is canceled (its client went away) the promise
// never settles, and workerd may cancel the waiting request as hung. So the per-isolate caches must
// share values between requests, never in-flight promises (jwks-cache.ts, revocation-check.ts).

import assert from "node:assert/strict";
import { resolve } from "node:path";
import { Miniflare, type Request as MiniflareRequest } from "miniflare";
import { COMPATIBILITY_DATE } from "../../worker/build/bundle.js";
import { bundledModules, toMiniflareResponse } from "../support/workerd-modules.js";
import { AUDIENCE, deferred, LocalIssuer, testKey } from "./local-issuer.js";

interface Setup {
  readonly issuer: string;
  readonly mode: "jwks" | "list";
  readonly clockOffsetMs?: number;
}

interface Outcome {
  readonly statuses: Record<string, number>;
  readonly errors: string[];
}

/** Past the verifier's 5 s fetch timeout: a refresh marked under way that long ago was abandoned. */
const PAST_FETCH_TIMEOUT_MS = 6_000;

describe("verifier in workerd: no verification waits for another request's fetch", function () {
  this.timeout(60_000);
  let mf: Miniflare;
  const started: LocalIssuer[] = [];

  before(async () => {
    mf = new Miniflare({
      name: "rp",
      modules: await bundledModules(resolve(import.meta.dirname, "../fixtures/workers/concurrent-verifier.ts")),
      compatibilityDate: COMPATIBILITY_DATE,
      bindings: { AUDIENCE },
      serviceBindings: {
        EDGE: { name: "rp", entrypoint: "Edge" },
        // Stands in for a service binding to the issuer: real I/O, answered by a local issuer.
        ISSUER: async (request: MiniflareRequest) => {
          const headers: Record<string, string> = {};
          for (const name of ["accept", "if-none-match"]) {
            const value = request.headers.get(name);
            if (value !== null) headers[name] = value;
          }
          return toMiniflareResponse(await fetch(request.url, { headers }));
        },
      },
    });
    await mf.ready;
  });
  after(async () => {
    await mf?.dispose();
    await Promise.all(started.map((local) => local.stop()));
  });

  async function issuer(): Promise<LocalIssuer> {
    const local = await LocalIssuer.start([await testKey("ES256")]);
    local.revocationCacheControl = "public, max-age=0"; // every verification finds the list expired
    started.push(local);
    return local;
  }

  async function send(command: Record<string, unknown>): Promise<unknown> {
    const response = await mf.dispatchFetch("http://rp.test/", { method: "POST", body: JSON.stringify(command) });
    const text = await response.text();
    assert.equal(response.status, 200, text.slice(0, 500));
    return JSON.parse(text);
  }

  /** `calls` verifications by `concurrency` loops within one request; one not answered in `deadlineMs` is "hung". */
  async function run(
    local: LocalIssuer,
    setup: Setup,
    calls: number,
    concurrency: number,
    deadlineMs = 3_000,
  ): Promise<Outcome> {
    const tokens = await Promise.all(Array.from({ length: 4 }, () => local.sign(local.claims(Date.now()))));
    return (await send({ op: "run", setup, tokens, calls, concurrency, deadlineMs })) as Outcome;
  }

  /** Starts a verification and cancels it 500 ms later, with whatever it has in flight. */
  async function abandon(local: LocalIssuer, setup: Setup): Promise<void> {
    await send({ op: "abandon", setup, token: await local.sign(local.claims(Date.now())), afterMs: 500 });
  }

  const allVerified = (calls: number): Outcome => ({ statuses: { "200": calls }, errors: [] });

  // These loops keep the isolate busy with in-process calls, and workerd then services socket I/O
  // (the refresh's answer) late, possibly only after the run; hence the long deadline. What counts is
  // that every verification answers, and that callers holding a copy do not pile on fetches.
  it("verifies 16 concurrent streams while the JWKS expires on every verification", async () => {
    const local = await issuer();
    const setup: Setup = { issuer: local.issuer, mode: "jwks" };
    assert.deepEqual(await run(local, setup, 1, 1), allVerified(1));
    assert.deepEqual(await run(local, setup, 2_000, 16, 15_000), allVerified(2_000));
    assert.ok(local.counts.jwks >= 2, "the expired JWKS was refreshed");
    assert.ok(local.counts.jwks < 500, `callers holding a copy do not each fetch (${local.counts.jwks} JWKS requests)`);
  });

  it("verifies 16 concurrent streams while the revocation list expires on every verification", async () => {
    const local = await issuer();
    const setup: Setup = { issuer: local.issuer, mode: "list" };
    assert.deepEqual(await run(local, setup, 1, 1), allVerified(1));
    assert.deepEqual(await run(local, setup, 2_000, 16, 15_000), allVerified(2_000));
    assert.ok(local.revocationRequests >= 2, "the expired list was refreshed");
    assert.ok(
      local.revocationRequests < 500,
      `callers holding a copy do not each fetch (${local.revocationRequests} list requests)`,
    );
  });

  it("a verification canceled while refreshing the JWKS holds up no other: they use the copy, then refresh", async () => {
    const local = await issuer();
    const setup: Setup = { issuer: local.issuer, mode: "jwks" };
    assert.deepEqual(await run(local, setup, 1, 1), allVerified(1));
    const gate = deferred();
    local.gate = gate.promise;
    await abandon(local, setup);
    assert.equal(local.counts.jwks, 2, "the canceled verification's refresh had reached the issuer");
    local.gate = undefined;
    gate.resolve();

    assert.deepEqual(await run(local, setup, 64, 16), allVerified(64));
    assert.equal(local.counts.jwks, 2, "within the fetch timeout the refresh counts as under way: the copy serves");
    assert.deepEqual(await run(local, { ...setup, clockOffsetMs: PAST_FETCH_TIMEOUT_MS }, 1, 1), allVerified(1));
    assert.equal(local.counts.jwks, 3, "past the fetch timeout the canceled refresh no longer holds refreshes back");
  });

  it("a verification canceled while fetching the first JWKS holds up no other: each fetches for itself", async () => {
    const local = await issuer();
    const setup: Setup = { issuer: local.issuer, mode: "jwks" };
    const gate = deferred();
    local.gate = gate.promise;
    await abandon(local, setup);
    assert.deepEqual(
      [local.counts.discovery, local.counts.jwks],
      [1, 1],
      "the canceled verification was fetching the JWKS",
    );
    local.gate = undefined;
    gate.resolve();

    assert.deepEqual(await run(local, setup, 16, 4), allVerified(16));
    assert.ok(local.counts.jwks > 1);
  });

  it("a verification canceled while refreshing the revocation list holds up no other: they use the copy, then refresh", async () => {
    const local = await issuer();
    const setup: Setup = { issuer: local.issuer, mode: "list" };
    assert.deepEqual(await run(local, setup, 1, 1), allVerified(1));
    assert.equal(local.revocationRequests, 1);
    const gate = deferred();
    local.revocationGate = gate.promise;
    await abandon(local, setup);
    assert.equal(local.revocationRequests, 2, "the canceled verification's refresh had reached the issuer");
    local.revocationGate = undefined;
    gate.resolve();

    assert.deepEqual(await run(local, setup, 64, 16), allVerified(64));
    assert.equal(
      local.revocationRequests,
      2,
      "within the fetch timeout the refresh counts as under way: the copy serves",
    );
    assert.deepEqual(await run(local, { ...setup, clockOffsetMs: PAST_FETCH_TIMEOUT_MS }, 1, 1), allVerified(1));
    assert.equal(
      local.revocationRequests,
      3,
      "past the fetch timeout the canceled refresh no longer holds refreshes back",
    );
  });
});
