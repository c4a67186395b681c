// The revocation list as pure functions: entries, what they cover, when they expire, the
// published document, the admin request, what a repeated revocation changes, and what issuance
// does with them.

import assert from "node:assert/strict";
import { errorCodeOf } from "../../worker/errors.js";
import { revocationChange } from "../../worker/revocation/change.js";
import { waitBeforeSigning } from "../../worker/revocation/issuance.js";
import {
  killSwitchSecond,
  mergeEntries,
  parseRevocationDocument,
  type RevocationEntry,
  revocationCovering,
  revocationDocument,
  revocationEntry,
} from "../../worker/revocation/list.js";
import { nothingLeftToRevoke, parseRevocationRequest } from "../../worker/revocation/request.js";
import { issuerSettings } from "../support/issuer-settings.js";

const settings = issuerSettings({ maxTokenLifetimeSeconds: 3_600, clockSkewSeconds: 60 });
const T = 1_800_000_000; // seconds

describe("revocation entries", () => {
  it("keep a jti until its exp plus the clock skew", () => {
    assert.deepEqual(revocationEntry({ kind: "jti", jti: "j1", exp: T + 300 }, settings, T * 1_000 + 250), {
      kind: "jti",
      jti: "j1",
      exp: T + 300,
      revokedAt: T,
      expiresAt: T + 360,
    });
  });

  it("keep a kill switch until every token issued up to it has expired: revokedAt + max lifetime + skew", () => {
    assert.deepEqual(revocationEntry({ kind: "workload", name: "billing" }, settings, T * 1_000 + 999), {
      kind: "workload",
      name: "billing",
      revokedAt: T,
      expiresAt: T + 3_660,
    });
  });

  it("merge a repeated kill switch into the later one, a repeated jti into the longer one", () => {
    const first = revocationEntry({ kind: "workflow", name: "w" }, settings, T * 1_000);
    const again = revocationEntry({ kind: "workflow", name: "w" }, settings, (T + 100) * 1_000);
    assert.deepEqual(mergeEntries(first, again), again);
    assert.deepEqual(mergeEntries(again, first), again);
    const jti = revocationEntry({ kind: "jti", jti: "j", exp: T + 50 }, settings, T * 1_000);
    const later = revocationEntry({ kind: "jti", jti: "j", exp: T + 90 }, settings, (T + 5) * 1_000);
    assert.deepEqual(mergeEntries(jti, later), {
      kind: "jti",
      jti: "j",
      exp: T + 90,
      revokedAt: T,
      expiresAt: T + 150,
    });
  });
});

describe("what a revocation covers", () => {
  const entries: RevocationEntry[] = [
    { kind: "jti", jti: "dead", exp: T + 100, revokedAt: T, expiresAt: T + 160 },
    { kind: "workload", name: "billing", revokedAt: T, expiresAt: T + 3_660 },
    { kind: "workflow", name: "nightly-export", revokedAt: T, expiresAt: T + 3_660 },
  ];
  const now = T + 10;

  it("a jti entry covers that token only", () => {
    assert.equal(revocationCovering(entries, { jti: "dead", iat: T + 5, worker: "other" }, now)?.kind, "jti");
    assert.equal(revocationCovering(entries, { jti: "alive", iat: T + 5, worker: "other" }, now), undefined);
  });

  it("a kill switch covers its workload's or workflow's tokens issued up to it (iat ≤ revokedAt), not later ones", () => {
    assert.equal(revocationCovering(entries, { jti: "a", iat: T, worker: "billing" }, now)?.kind, "workload");
    assert.equal(revocationCovering(entries, { jti: "a", iat: T - 500, worker: "billing" }, now)?.kind, "workload");
    assert.equal(revocationCovering(entries, { jti: "a", iat: T + 1, worker: "billing" }, now), undefined);
    assert.equal(revocationCovering(entries, { jti: "a", iat: T, workflow: "nightly-export" }, now)?.kind, "workflow");
    assert.equal(
      revocationCovering(entries, { jti: "a", iat: T, workflow: "billing" }, now),
      undefined,
      "kinds do not mix",
    );
    assert.equal(revocationCovering(entries, { jti: "a", iat: T, worker: "nightly-export" }, now), undefined);
  });

  it("an expired entry covers nothing (everything it covered has expired)", () => {
    assert.equal(revocationCovering(entries, { jti: "dead", iat: T }, T + 160), undefined);
    assert.equal(revocationCovering(entries, { jti: "a", iat: T, worker: "billing" }, T + 3_660), undefined);
  });

  it("issuance waits out a kill switch's own second, and only that", () => {
    assert.equal(killSwitchSecond(entries, "workload", "billing", now), T);
    assert.equal(waitBeforeSigning(entries, "workload", "billing", T * 1_000 + 300), 700);
    assert.equal(waitBeforeSigning(entries, "workload", "billing", (T + 1) * 1_000), 0);
    assert.equal(waitBeforeSigning(entries, "workload", "ledger-sync", T * 1_000 + 300), 0);
    assert.equal(waitBeforeSigning(entries, "workflow", "nightly-export", T * 1_000), 1_000);
  });
});

describe("the published document", () => {
  it("serializes in a stable order and parses back", () => {
    const a: RevocationEntry = { kind: "workload", name: "b", revokedAt: T, expiresAt: T + 1 };
    const b: RevocationEntry = { kind: "jti", jti: "z", exp: T, revokedAt: T, expiresAt: T + 60 };
    const document = revocationDocument([a, b]);
    assert.deepEqual(document, revocationDocument([b, a]));
    assert.deepEqual(parseRevocationDocument(JSON.parse(JSON.stringify(document))), document);
  });

  it("refuses anything that is not a list of well-formed entries", () => {
    for (const bad of [
      null,
      [],
      {},
      { entries: {} },
      { entries: [{ kind: "jti", jti: "x" }] },
      { entries: [{ kind: "user", name: "x", revokedAt: 1, expiresAt: 2 }] },
      { entries: [{ kind: "workload", name: "a/b", revokedAt: 1, expiresAt: 2 }] },
      { entries: [{ kind: "workload", name: "a", revokedAt: 1.5, expiresAt: 2 }] },
    ]) {
      assert.equal(parseRevocationDocument(bad), undefined, JSON.stringify(bad));
    }
  });
});

describe("the admin API's revocation request", () => {
  const now = T * 1_000;
  const parse = (body: unknown) =>
    parseRevocationRequest(typeof body === "string" ? body : JSON.stringify(body), settings, now);
  const refusal = (body: unknown) => {
    try {
      parse(body);
    } catch (error) {
      assert.equal(errorCodeOf(error), "ERR_INVALID_REQUEST");
      return (error as Error).message;
    }
    assert.fail(`accepted ${JSON.stringify(body)}`);
  };

  it("accepts a jti with its exp, a workload or a workflow", () => {
    assert.deepEqual(parse({ jti: "9b1d-e2", exp: T + 300 }), { kind: "jti", jti: "9b1d-e2", exp: T + 300 });
    assert.deepEqual(parse({ workload: "billing" }), { kind: "workload", name: "billing" });
    assert.deepEqual(parse({ workflow: "nightly-export" }), { kind: "workflow", name: "nightly-export" });
  });

  it("refuses everything else, saying what to send", () => {
    assert.match(refusal("{"), /must be JSON/);
    assert.match(refusal({}), /exactly one of jti, workload or workflow/);
    assert.match(refusal({ workload: "a", workflow: "b" }), /exactly one/);
    assert.match(refusal({ jti: "x" }), /exp must be the token's exp claim/);
    assert.match(refusal({ jti: "x", exp: (T + 4_000) * 1_000 }), /not milliseconds/);
    assert.match(refusal({ workload: "billing", exp: T }), /exp belongs to a jti revocation only/);
    assert.match(refusal({ workload: "a/b" }), /must be a Worker script name/);
    assert.match(refusal({ jti: "x", exp: T, note: "y" }), /exactly one/);
    assert.match(refusal("x".repeat(2_000)), /at most 1024 bytes/);
  });
});

describe("a revocation of a token that has expired", () => {
  const now = T * 1_000;
  const parse = (exp: number, skew = settings) => parseRevocationRequest(JSON.stringify({ jti: "j", exp }), skew, now);

  it("is recorded while a verifier may still accept the token (exp + clockSkewSeconds ahead), and then covers it", () => {
    // Expired 10 s ago: a verifier with the default 30 s tolerance still accepts it.
    const target = parse(T - 10);
    const entry = revocationEntry(target, settings, now);
    assert.equal(entry.expiresAt, T + 50);
    assert.equal(revocationCovering([entry], { jti: "j", iat: T - 310 }, T)?.kind, "jti");
    assert.deepEqual(parse(T - 59), { kind: "jti", jti: "j", exp: T - 59 });
  });

  it("is refused once exp + clockSkewSeconds has passed: its entry would be born expired", () => {
    for (const exp of [T - 60, T - 3_600, 0]) {
      assert.throws(
        () => parse(exp),
        (error: Error) => {
          assert.equal(errorCodeOf(error), "ERR_INVALID_REQUEST");
          assert.match(error.message, /nothing left to revoke: the token expired at /);
          assert.match(error.message, new RegExp(new Date(exp * 1_000).toISOString().replace(".000Z", "Z")));
          assert.match(error.message, /clockSkewSeconds \(60 s\)/);
          return true;
        },
        String(exp),
      );
    }
  });

  it("follows the issuer's clockSkewSeconds", () => {
    const none = issuerSettings({ maxTokenLifetimeSeconds: 3_600, clockSkewSeconds: 0 });
    assert.equal(nothingLeftToRevoke(T + 1, none, now), undefined);
    assert.ok(nothingLeftToRevoke(T, none, now));
    const most = issuerSettings({ maxTokenLifetimeSeconds: 3_600, clockSkewSeconds: 300 });
    assert.equal(nothingLeftToRevoke(T - 299, most, now), undefined);
    assert.ok(nothingLeftToRevoke(T - 300, most, now));
  });
});

describe("what a repeated revocation changes", () => {
  const killSwitch = (second: number) =>
    revocationEntry({ kind: "workload", name: "billing" }, settings, second * 1_000);
  const jti = (exp: number, second = T) => revocationEntry({ kind: "jti", jti: "j", exp }, settings, second * 1_000);

  it("adds an entry where none is live", () => {
    assert.deepEqual(revocationChange(undefined, killSwitch(T), T), { outcome: "added", entry: killSwitch(T) });
    // An entry past its expiry (not yet purged) counts as none: the new one replaces it whole.
    const stale = jti(T - 100, T - 200);
    assert.deepEqual(revocationChange(stale, jti(T + 300), T), { outcome: "added", entry: jti(T + 300) });
  });

  it("changes nothing when the live entry already covers it", () => {
    assert.deepEqual(revocationChange(killSwitch(T), killSwitch(T), T), { outcome: "unchanged", entry: killSwitch(T) });
    assert.deepEqual(revocationChange(jti(T + 300), jti(T + 300, T + 5), T + 5), {
      outcome: "unchanged",
      entry: jti(T + 300),
    });
    assert.deepEqual(revocationChange(jti(T + 300), jti(T + 200, T + 5), T + 5), {
      outcome: "unchanged",
      entry: jti(T + 300),
    });
  });

  it("extends a kill switch to a later second, and a jti to a later exp", () => {
    assert.deepEqual(revocationChange(killSwitch(T), killSwitch(T + 7), T + 7), {
      outcome: "extended",
      entry: killSwitch(T + 7),
    });
    assert.deepEqual(revocationChange(jti(T + 300), jti(T + 400, T + 5), T + 5), {
      outcome: "extended",
      entry: { kind: "jti", jti: "j", exp: T + 400, revokedAt: T, expiresAt: T + 460 },
    });
  });
});
