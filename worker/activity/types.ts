// The issuer's issuance log, as the key store keeps it and the operator page reads it: counts
// per requester, audience and outcome, and the last events, bounded and privacy-safe. What a
// record may hold is fixed here: names the stack registered, an audience, an outcome and an
// error code, a time. Never a token, a jti, a claim value a workload chose, or a client address.

/** Whether a request got a token. */
export type ActivityOutcome = "issued" | "refused";

/** How the request reached the issuer. */
export type ActivityChannel = "rpc" | "workflow" | "exchange";

/** One issuance or refusal, as the isolate reports it to the key store. */
export interface ActivityEvent {
  /** Issuer time, milliseconds. */
  readonly at: number;
  readonly channel: ActivityChannel;
  /** "workload" or "workflow": which registry `name` is in. */
  readonly requester: "workload" | "workflow";
  /** The registered name; null when the request named none the stack registers (it is then never echoed). */
  readonly name: string | null;
  /**
   * The audience asked for when it is one the requester may have, or the literal "(other)" for
   * an audience outside its allow-list (a refused audience is never echoed: it is caller input).
   * Null when none was asked for.
   */
  readonly audience: string | null;
  readonly outcome: ActivityOutcome;
  /** The error code of a refusal (ERR_…); null for an issuance. */
  readonly code: string | null;
}

/** The audience recorded for one outside the requester's allow-list. */
export const OTHER_AUDIENCE = "(other)";

/** Events counted together: one row of the page's table. */
export interface ActivityCount {
  readonly requester: ActivityEvent["requester"];
  readonly name: string | null;
  readonly audience: string | null;
  readonly outcome: ActivityOutcome;
  readonly code: string | null;
  readonly count: number;
  readonly firstAt: number;
  readonly lastAt: number;
}

/**
 * What one recordActivity call carries: an isolate's events since its last send, already
 * counted there (so a busy isolate sends a few rows, not every event), and the last of them.
 */
export interface ActivityBatch {
  readonly counts: readonly ActivityCount[];
  /** The batch's last events, oldest first, at most the log's `limits.recent`. */
  readonly recent: readonly ActivityEvent[];
  /** Events the isolate could not count (its own table was full). */
  readonly uncounted: number;
}

/** The log as the operator page reads it. */
export interface ActivitySummary {
  /** Issuer time of the oldest counted event; null when none was ever recorded. */
  readonly since: number | null;
  /** Most recent first. */
  readonly counts: readonly ActivityCount[];
  /** The last events, most recent first, at most `limits.recent`. */
  readonly recent: readonly ActivityEvent[];
  readonly limits: { readonly counts: number; readonly recent: number };
  /** Events counted under no row because the table was full (each still in `recent` while it lasts). */
  readonly uncounted: number;
}
