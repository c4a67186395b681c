// The rotation timeline's steps that an operator asks for: an emergency rotation, revoking a key,
// and applyStep refusing steps it cannot apply. Each case starts from a happy-path state
// (timeline-expectations.ts) and changes one thing.

import assert from "node:assert/strict";
import { activeKey, applyStep, emergencySteps, MAX_PUBLISHED_KEYS, revokeSteps } from "../../worker/keys/timeline.js";
import { ACTIVE, ES256_POLICY, NEXT, POLICY, RETIRED, retiredKeys, timelineError } from "./timeline-expectations.js";
import { applyAll, DAY_MS, HOUR_MS, KidSource, kidsOf, stateOf, T0 } from "./timeline-fixtures.js";

describe("emergencySteps", () => {
  const NOW = T0 + 20 * DAY_MS;

  it("activates a prepared next key at once; the old key stays published, retired", () => {
    const steps = emergencySteps([ACTIVE, NEXT], POLICY);
    assert.deepEqual(
      steps.map((s) => [s.kind, s.kind === "activate" ? s.kid : ""]),
      [["activate", "n"]],
    );
    const keys = applyAll([ACTIVE, NEXT], steps, NOW, new KidSource());
    assert.equal(stateOf(keys, "n"), "active");
    assert.deepEqual(
      keys.find((k) => k.kid === "a"),
      { ...ACTIVE, state: "retired", retiredAt: NOW },
    );
  });

  it("creates a fresh active key when none is prepared", () => {
    const steps = emergencySteps([ACTIVE], POLICY);
    assert.deepEqual(
      steps.map((s) => [s.kind, s.kind === "create" ? `${s.state}/${s.alg}` : ""]),
      [["create", "active/RS256"]],
    );
    const keys = applyAll([ACTIVE], steps, NOW, new KidSource());
    assert.equal(activeKey(keys)?.kid, "k1");
    assert.equal(activeKey(keys)?.activatedAt, NOW);
    assert.equal(stateOf(keys, "a"), "retired");
  });

  it("does not activate a prepared key of the old algorithm", () => {
    const steps = emergencySteps([ACTIVE, NEXT], ES256_POLICY);
    assert.deepEqual(
      steps.map((s) => [s.kind, s.kind === "create" ? `${s.state}/${s.alg}` : s.kid]),
      [
        ["unpublish", "n"],
        ["create", "active/ES256"],
      ],
    );
  });

  it(`refuses with ERR_TOO_MANY_KEYS past ${MAX_PUBLISHED_KEYS} published keys`, () => {
    const full = [ACTIVE, ...retiredKeys(MAX_PUBLISHED_KEYS - 1, NOW - HOUR_MS)];
    assert.throws(() => emergencySteps(full, POLICY), timelineError("ERR_TOO_MANY_KEYS"));
    const room = [ACTIVE, ...retiredKeys(MAX_PUBLISHED_KEYS - 2, NOW - HOUR_MS)];
    assert.equal(applyAll(room, emergencySteps(room, POLICY), NOW, new KidSource()).length, MAX_PUBLISHED_KEYS);
  });
});

describe("revokeSteps", () => {
  const NOW = T0 + 20 * DAY_MS;
  const ALL = [RETIRED, ACTIVE, NEXT];

  it("withdraws a next key and nothing else", () => {
    const keys = applyAll(ALL, revokeSteps(ALL, "n", POLICY), NOW, new KidSource());
    assert.deepEqual(kidsOf(keys), ["a", "r"]);
    assert.equal(activeKey(keys)?.kid, "a");
  });

  it("withdraws a retired key and nothing else", () => {
    const keys = applyAll(ALL, revokeSteps(ALL, "r", POLICY), NOW, new KidSource());
    assert.deepEqual(kidsOf(keys), ["a", "n"]);
  });

  it("withdraws the active key and promotes the next one at once", () => {
    const keys = applyAll(ALL, revokeSteps(ALL, "a", POLICY), NOW, new KidSource());
    assert.deepEqual(kidsOf(keys), ["n", "r"]);
    assert.equal(activeKey(keys)?.kid, "n");
    assert.equal(activeKey(keys)?.activatedAt, NOW);
  });

  it("withdraws the active key and creates a new one when there is no next key", () => {
    const keys = applyAll([RETIRED, ACTIVE], revokeSteps([RETIRED, ACTIVE], "a", POLICY), NOW, new KidSource());
    assert.deepEqual(kidsOf(keys), ["k1", "r"]);
    assert.equal(activeKey(keys)?.kid, "k1");
  });

  it("creates a new active key rather than promote a next key of the old algorithm", () => {
    const keys = applyAll(ALL, revokeSteps(ALL, "a", ES256_POLICY), NOW, new KidSource());
    assert.equal(activeKey(keys)?.kid, "k1");
    assert.equal(activeKey(keys)?.alg, "ES256");
  });

  it("refuses an unknown kid with ERR_UNKNOWN_KEY", () => {
    assert.throws(() => revokeSteps(ALL, "nope", POLICY), timelineError("ERR_UNKNOWN_KEY"));
  });
});

describe("applyStep", () => {
  const create = { kind: "create", state: "next", alg: "RS256", reason: "test" } as const;

  it("refuses a create step without a generated key, or with one of another algorithm", () => {
    assert.throws(() => applyStep([ACTIVE], create, T0), /a create step needs a new RS256 key \(the key store's bug\)/);
    assert.throws(
      () => applyStep([ACTIVE], create, T0, { kid: "x", alg: "ES256" }),
      /a create step needs a new RS256 key \(the key store's bug\)/,
    );
  });

  it("refuses to activate or unpublish a key it does not hold", () => {
    assert.throws(
      () => applyStep([ACTIVE], { kind: "activate", kid: "x", reason: "test" }, T0),
      timelineError("ERR_UNKNOWN_KEY"),
    );
    assert.throws(
      () => applyStep([ACTIVE], { kind: "unpublish", kid: "x", reason: "test" }, T0),
      timelineError("ERR_UNKNOWN_KEY"),
    );
  });
});
