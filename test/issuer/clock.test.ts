import assert from "node:assert/strict";
import { clockFromOffset } from "../../worker/clock.js";
import { IssuerConfigError } from "../../worker/errors.js";

/** Generous: only the time between two Date.now() calls separates expected from actual. */
const TOLERANCE_MS = 1_000;

function assertNear(actual: number, expected: number, what: string): void {
  assert.ok(
    Math.abs(actual - expected) <= TOLERANCE_MS,
    `${what}: ${actual} is not within ${TOLERANCE_MS} ms of ${expected}`,
  );
}

describe("clockFromOffset", () => {
  it("without an offset, reads the platform clock", () => {
    for (const offset of [undefined, ""]) {
      const clock = clockFromOffset(offset);
      assertNear(clock.now(), Date.now(), JSON.stringify(offset));
      assert.equal(clock.toPlatformTime(1_700_000_000_000), 1_700_000_000_000);
    }
  });

  it("treats an explicit zero like no offset", () => {
    const clock = clockFromOffset("0");
    assertNear(clock.now(), Date.now(), "0");
    assert.equal(clock.toPlatformTime(1_700_000_000_000), 1_700_000_000_000);
  });

  it("moves now() forward by a positive offset in seconds", () => {
    const clock = clockFromOffset("86400");
    assertNear(clock.now(), Date.now() + 86_400_000, "one day ahead");
  });

  it("moves now() back by a negative offset", () => {
    const clock = clockFromOffset("-3600");
    assertNear(clock.now(), Date.now() - 3_600_000, "one hour behind");
  });

  it("converts issuer time back to platform time by removing the offset", () => {
    assert.equal(clockFromOffset("86400").toPlatformTime(1_700_086_400_000), 1_700_000_000_000);
    assert.equal(clockFromOffset("-3600").toPlatformTime(1_700_000_000_000), 1_700_003_600_000);
  });

  it("round-trips: the platform time of now() is the platform's now", () => {
    const clock = clockFromOffset("2592000");
    assertNear(clock.toPlatformTime(clock.now()), Date.now(), "round trip");
  });

  it("accepts fractional seconds, to the millisecond", () => {
    const clock = clockFromOffset("1.5");
    assert.equal(clock.toPlatformTime(10_000), 8_500);
    assertNear(clock.now(), Date.now() + 1_500, "1.5 s ahead");
  });

  it("throws IssuerConfigError for a value that is not a number", () => {
    for (const offset of ["abc", "1 day", "NaN", "Infinity", "-Infinity", "12s"]) {
      assert.throws(
        () => clockFromOffset(offset),
        (error: unknown) => {
          assert.ok(error instanceof IssuerConfigError, `${JSON.stringify(offset)}: ${String(error)}`);
          assert.equal(error.code, "ERR_ISSUER_CONFIG");
          assert.match(error.message, /^\[ERR_ISSUER_CONFIG\] TEST_CLOCK_OFFSET_SECONDS must be a number of seconds/);
          assert.match(error.message, /remove it outside tests/);
          return true;
        },
        JSON.stringify(offset),
      );
    }
  });
});
