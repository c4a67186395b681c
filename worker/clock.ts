// The issuer's clock. Production reads the platform clock. The local stack and the test suite
// can shift it with TEST_CLOCK_OFFSET_SECONDS (restarting the runtime with a new offset is how
// tests travel through a rotation); the Pulumi program never sets that binding.

export interface Clock {
  /** Current time in ms, as the issuer sees it. */
  now(): number;
  /** Converts an issuer instant to the platform instant (for Durable Object alarms). */
  toPlatformTime(issuerTime: number): number;
}

import { IssuerConfigError } from "./errors.js";
import { lastParsed } from "./isolate/last-parsed.js";

/** The binding is fixed per isolate, so the clock is built once (worker/isolate/last-parsed.ts). */
export const clockFromOffset: (offsetSeconds: string | undefined) => Clock = lastParsed((offsetSeconds) => {
  const parsed = offsetSeconds === undefined || offsetSeconds === "" ? 0 : Number(offsetSeconds);
  if (!Number.isFinite(parsed)) {
    throw new IssuerConfigError("TEST_CLOCK_OFFSET_SECONDS must be a number of seconds; remove it outside tests");
  }
  const offsetMs = Math.trunc(parsed * 1_000);
  return {
    now: () => Date.now() + offsetMs,
    toPlatformTime: (issuerTime) => issuerTime - offsetMs,
  };
});
