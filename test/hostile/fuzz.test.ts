// Property-based fuzzing of the edge middleware in workerd: random Authorization values, random
// three-segment base64url tokens and mutations of valid tokens. Whatever arrives, the answer is a
// 401 or 403 problem+json that does not echo the token, and the origin is never reached. The seed
// is fixed (FUZZ_SEED overrides it, to explore); fast-check prints it with any counterexample.

import assert from "node:assert/strict";
import fc from "fast-check";
import { decodeJwt } from "jose";
import { segmentsOf } from "./forge.js";
import { AUTHENTICATED_ROUTE, type HostileStack, startHostileStack, WORKLOAD_ROUTE } from "./hostile-stack.js";
import { authorizationValue, isUnmodified, mutatedToken, threeSegmentToken } from "./mutations.js";
import { type Answer, refusalOf, secretsOf } from "./refusal-checks.js";

const SEED = Number(process.env.FUZZ_SEED ?? 0x4_0003);
const RUNS = 300;
/** Requests sent at once: one run is a small batch. */
const BATCH = 4;

describe(`fuzzing the edge middleware in workerd (seed ${SEED}, ${RUNS} runs of ${BATCH} per property)`, function () {
  this.timeout(120_000);
  let s: HostileStack;
  let originals: string[];

  before(async () => {
    s = await startHostileStack();
    originals = [s.valid, await s.trustedToken({ exp: Math.floor(Date.now() / 1_000) + 3_600 })];
  });
  after(async () => s?.h.dispose());

  async function send(route: string, authorization: string): Promise<Answer> {
    const response = await s.h.request(route, { headers: { authorization } });
    return {
      status: response.status,
      contentType: response.headers.get("content-type"),
      wwwAuthenticate: response.headers.get("www-authenticate"),
      body: await response.text(),
    };
  }

  /** Sends each value in parallel; every answer must be a refusal, and nothing may reach the origin. */
  async function allRefused(
    batch: readonly { readonly route: string; readonly authorization: string }[],
  ): Promise<void> {
    const forwarded = s.h.forwarded.length;
    const answers = await Promise.all(batch.map(({ route, authorization }) => send(route, authorization)));
    answers.forEach((answer, i) => {
      const { route, authorization } = batch[i]!;
      try {
        refusalOf(answer, [401, 403], undefined, secretsOf({ authorization: [authorization] }));
      } catch (error) {
        throw new Error(`${route} with Authorization ${JSON.stringify(authorization.slice(0, 400))}: ${String(error)}`);
      }
    });
    assert.equal(s.h.forwarded.length, forwarded, "a fuzzed request reached the origin");
  }

  const route = fc.constantFrom(WORKLOAD_ROUTE, AUTHENTICATED_ROUTE);
  const check = <T>(property: fc.IAsyncProperty<[T]>) =>
    fc.assert(property, { seed: SEED, numRuns: RUNS, endOnFailure: true });

  it("control: the unmodified tokens are admitted, so the fuzz below starts from tokens that pass", async () => {
    for (const token of originals)
      assert.equal((await s.h.request(WORKLOAD_ROUTE, { headers: { authorization: `Bearer ${token}` } })).status, 200);
    assert.ok(isUnmodified(`${originals[0]!} `, originals), "trailing whitespace is stripped by HTTP");
    assert.ok(!isUnmodified(originals[0]!.slice(0, -2), originals));
  });

  it("random Authorization values", async () => {
    const batch = fc.array(fc.record({ route, authorization: authorizationValue() }), {
      minLength: 1,
      maxLength: BATCH,
    });
    await check(fc.asyncProperty(batch, allRefused));
  });

  it("random three-segment base64url tokens", async () => {
    const parts = {
      kids: [s.activeKid, s.retiredKid, s.revokedKid, s.trusted.kid],
      signatures: originals.map((t) => segmentsOf(t)[2]),
      claims: decodeJwt(s.valid),
    };
    const token = threeSegmentToken(parts).filter((t) => !isUnmodified(t, originals));
    const batch = fc.array(fc.record({ route, token }), { minLength: 1, maxLength: BATCH });
    await check(
      fc.asyncProperty(batch, (items) =>
        allRefused(items.map((i) => ({ route: i.route, authorization: `Bearer ${i.token}` }))),
      ),
    );
  });

  it("mutations of valid tokens (bit flips, edits, segment swaps, re-encoded JSON)", async () => {
    const mutated = mutatedToken(originals).filter(({ token }) => !isUnmodified(token, originals));
    const batch = fc.array(fc.record({ route, mutated }), { minLength: 1, maxLength: BATCH });
    await check(
      fc.asyncProperty(batch, (items) =>
        allRefused(items.map((i) => ({ route: i.route, authorization: `Bearer ${i.mutated.token}` }))),
      ),
    );
  });
});
