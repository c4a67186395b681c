// The time provider's fake: a Sleep's durations are Go durations, as time.ParseDuration reads them.

import assert from "node:assert/strict";
import { refused } from "./refusal-assert.js";
import { declare, freshDeploy } from "./register.js";
import { SLEEP } from "./time.js";

describe("fake time: Sleep", () => {
  it("accepts what Go's time.ParseDuration accepts: units, fractions, a sign, a bare 0, either micro sign", () => {
    for (const createDuration of [
      "30s",
      "1m30s",
      "1h2m3.5s",
      "0",
      ".5s",
      "1.s",
      "+2ms",
      "10us",
      "10\u00b5s",
      "10\u03bcs",
      "250ns",
    ]) {
      assert.equal(
        declare(freshDeploy(), SLEEP, "settle", { createDuration }).createDuration,
        createDuration,
        createDuration,
      );
    }
  });

  it("refuses what it refuses: a number without a unit, an unknown unit, nothing, a unit without a number", () => {
    for (const createDuration of ["30", "1d", "", "s", "1 s", "5m-3s"]) {
      refused(
        () => declare(freshDeploy(), SLEEP, "settle", { createDuration }),
        /createDuration .* is not a duration such as "30s"/,
      );
    }
  });
});
