// The soak run's order of faults (bench/soak.ts): drawn from a seed, so a run can be repeated,
// and in shuffled rounds, so a short run still meets every kind of fault.

import assert from "node:assert/strict";
import { FAULT_KINDS, faultSchedule, seededRandom } from "../../bench/soak.js";

describe("soak run: the seeded fault schedule", () => {
  it("repeats for a seed and differs between seeds", () => {
    assert.deepEqual(faultSchedule(7, 30), faultSchedule(7, 30));
    assert.notDeepEqual(faultSchedule(7, 30), faultSchedule(8, 30));
  });

  it("meets every kind once in each full round, in an order that is not the list's", () => {
    const schedule = faultSchedule(20_261_204, FAULT_KINDS.length * 3);
    for (let round = 0; round < 3; round++) {
      const slice = schedule.slice(round * FAULT_KINDS.length, (round + 1) * FAULT_KINDS.length);
      assert.deepEqual([...slice].sort(), [...FAULT_KINDS].sort(), `round ${round}`);
    }
    assert.notDeepEqual(schedule.slice(0, FAULT_KINDS.length), [...FAULT_KINDS]);
    assert.equal(faultSchedule(1, 4).length, 4);
  });

  it("draws numbers spread over [0, 1)", () => {
    const random = seededRandom(42);
    const draws = Array.from({ length: 10_000 }, random);
    assert.ok(draws.every((x) => x >= 0 && x < 1));
    const low = draws.filter((x) => x < 0.5).length;
    assert.ok(low > 4_700 && low < 5_300, `${low} of 10,000 below 0.5`);
  });
});
