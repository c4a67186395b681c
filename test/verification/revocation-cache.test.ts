// The per-isolate cache of the issuer's revocation list (revocation-check.ts), observed from the
// issuer's side with the verifier's injected clock. Like the JWKS cache it shares values between
// callers, never a request in flight: "settles within 1 s" tells a caller that answers at once from
// one waiting for another caller's request.

import assert from "node:assert/strict";
import { createVerifier, type VerificationErrorCode, type Verifier } from "@worker-identity/verifier";
import { until, within } from "../support/settling.js";
import { AUDIENCE, deferred, heldRefresh, LocalIssuer, T0, testKey } from "./local-issuer.js";
import { refusedWith } from "./refusals.js";

interface Setup {
  readonly local: LocalIssuer;
  readonly verifier: Verifier;
  at(seconds: number): void;
  token(): Promise<string>;
  /** Publishes a kill switch covering every token of the test's workload. */
  revokeAll(): void;
}

describe("verifier: revocation list cache", () => {
  const started: LocalIssuer[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((local) => local.stop()));
  });

  async function setup(): Promise<Setup> {
    const local = await LocalIssuer.start([await testKey("ES256")]);
    started.push(local);
    let clock = T0;
    const verifier = createVerifier({
      issuer: local.issuer,
      audience: AUDIENCE,
      now: () => clock,
      jwks: { cacheMaxAgeSeconds: 3_600 },
      revocationList: { url: local.revocationListUrl },
    });
    const seconds = Math.floor(T0 / 1_000);
    return {
      local,
      verifier,
      at: (s) => void (clock = T0 + s * 1_000),
      token: () => local.sign(local.claims(clock)),
      revokeAll: () =>
        void (local.revocations = [
          { kind: "workload", name: "billing", revokedAt: seconds + 1_000, expiresAt: seconds + 2_000 },
        ]),
    };
  }

  /** Past the list's max-age (11 s), a verification whose refresh the issuer holds until `held` resolves. */
  const refreshHeld = (s: Setup) => heldRefresh(s, 11, "revocationGate", () => s.local.revocationRequests);

  async function refused(promise: Promise<unknown>, code: VerificationErrorCode): Promise<void> {
    await refusedWith(promise, code);
  }

  it("fetches the list once per max-age (10 s as the issuer sends it)", async () => {
    const s = await setup();
    await s.verifier.verify(await s.token());
    s.at(9);
    await s.verifier.verify(await s.token());
    assert.equal(s.local.revocationRequests, 1);
    s.at(10);
    s.revokeAll();
    await refused(s.verifier.verify(await s.token()), "ERR_TOKEN_REVOKED");
    assert.equal(s.local.revocationRequests, 2);
  });

  it("while another verification refreshes the expired list, others use the copy: no wait, no request", async () => {
    const s = await setup();
    const { held, pending: refreshing } = await refreshHeld(s);
    for (let i = 0; i < 3; i++) await within(1_000, s.verifier.verify(await s.token()));
    assert.equal(s.local.revocationRequests, 2);
    held.resolve();
    await refreshing;
  });

  it("with no copy, each verification fetches the list for itself and none waits for another's request", async () => {
    const fresh = await setup();
    const held = deferred();
    fresh.local.revocationGate = held.promise;
    const first = fresh.verifier.verify(await fresh.token());
    await until(() => fresh.local.revocationRequests === 1);
    fresh.local.revocationGate = undefined;
    fresh.revokeAll();
    await within(1_000, refused(fresh.verifier.verify(await fresh.token()), "ERR_TOKEN_REVOKED"));
    assert.equal(fresh.local.revocationRequests, 2);
    held.resolve();
    await refused(first, "ERR_TOKEN_REVOKED");
  });

  it("a refresh marked under way longer than the fetch timeout counts as abandoned", async () => {
    const s = await setup();
    const { held, pending: stuck } = await refreshHeld(s); // stands in for a request canceled mid-fetch
    s.local.revocationGate = undefined;
    s.revokeAll();
    s.at(15);
    await within(1_000, s.verifier.verify(await s.token()));
    assert.equal(
      s.local.revocationRequests,
      2,
      "4 s after it started, the refresh is still under way: the copy serves",
    );
    s.at(16);
    await within(1_000, refused(s.verifier.verify(await s.token()), "ERR_TOKEN_REVOKED"));
    assert.equal(s.local.revocationRequests, 3, "5 s after, another verification fetches the list");
    held.resolve();
    await refused(stuck, "ERR_TOKEN_REVOKED");
  });

  it("an answer to an earlier request never replaces the answer to a later one", async () => {
    const s = await setup();
    const { held, pending: stuck } = await refreshHeld(s);
    s.local.revocationGate = undefined;
    s.revokeAll();
    s.at(17);
    await refused(s.verifier.verify(await s.token()), "ERR_TOKEN_REVOKED");
    s.local.revocations = []; // the held request will answer with the list as it was
    held.resolve();
    await stuck;
    s.at(18);
    await refused(s.verifier.verify(await s.token()), "ERR_TOKEN_REVOKED");
    assert.equal(s.local.revocationRequests, 3, "the later answer was kept, and is fresh");
  });

  it("while the list cannot be fetched, asks the issuer once per fetch timeout, not once per token", async () => {
    const s = await setup();
    await s.verifier.verify(await s.token());
    s.local.revocationStatus = 500;
    s.at(11);
    await s.verifier.verify(await s.token());
    const afterFailure = s.local.revocationRequests;
    s.at(15);
    for (let i = 0; i < 3; i++) await s.verifier.verify(await s.token());
    assert.equal(s.local.revocationRequests, afterFailure, "no request within 5 s of the failed one");
    s.at(16);
    await s.verifier.verify(await s.token());
    assert.equal(s.local.revocationRequests, afterFailure + 1);
  });

  it("keeps using the copy while the list cannot be fetched, for 300 s past its max-age", async () => {
    const s = await setup();
    await s.verifier.verify(await s.token());
    s.local.revocationStatus = 500;
    s.at(11);
    await s.verifier.verify(await s.token());
    s.at(10 + 299);
    await s.verifier.verify(await s.token());
    s.at(10 + 300);
    await refused(s.verifier.verify(await s.token()), "ERR_REVOCATION_UNAVAILABLE");
    s.local.revocationStatus = 200;
    await s.verifier.verify(await s.token());
  });
});
