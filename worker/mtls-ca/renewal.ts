// When certificates are issued and renewed: pure functions of (validity, now). Time is cut into
// windows aligned to the Unix epoch; every certificate belongs to one window, and a certificate
// is a pure function of (seed, window), so any `pulumi up` inside a window computes the same
// bytes (no diff), and the first `pulumi up` of the next window re-issues it.
//
// A window is two thirds of the validity: a certificate starts at its window's start and lives
// `validity` days, so whenever the program runs, the certificate it deploys has more than a
// third of its life left. Certificates renew that way, the CA (a longer validity) too.

const DAY_MS = 86_400_000;

// ---- thresholds -------------------------------------------------------------------------
/** A certificate is renewed once at most this share of its life is left. */
export const RENEW_WHEN_REMAINING = 1 / 3;
/** Certificates are valid from this long before their window opens: peers' clocks may lag. */
export const BACKDATE_MS = 3_600_000;

export interface ValidityWindow {
  /** Index of the window since the Unix epoch: part of the key label, so each window has its own key. */
  readonly index: number;
  /** The window's start: the certificate's nominal issue time. */
  readonly startsAt: Date;
  /** The first `pulumi up` from here issues the next certificate. */
  readonly renewsAt: Date;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

/** Days between two issues of a certificate valid `validityDays`: its life less the renewal share. */
export function renewalPeriodDays(validityDays: number): number {
  if (!Number.isInteger(validityDays) || validityDays < 2)
    throw new RangeError("validityDays: an integer of at least 2");
  return validityDays - Math.ceil(validityDays * RENEW_WHEN_REMAINING);
}

/** The window number `index` of certificates valid `validityDays`. */
export function windowAt(validityDays: number, index: number): ValidityWindow {
  const periodMs = renewalPeriodDays(validityDays) * DAY_MS;
  const start = index * periodMs;
  return {
    index,
    startsAt: new Date(start),
    renewsAt: new Date(start + periodMs),
    notBefore: new Date(start - BACKDATE_MS),
    notAfter: new Date(start + validityDays * DAY_MS),
  };
}

/** The window `nowMs` falls in. */
export function currentWindow(validityDays: number, nowMs: number): ValidityWindow {
  return windowAt(validityDays, Math.floor(nowMs / (renewalPeriodDays(validityDays) * DAY_MS)));
}

/**
 * The windows whose certificates must stay deployed at `nowMs`, oldest first, the current one
 * last: every window up to the current one whose certificate has not expired (RFC 5280: valid
 * through its notAfter). A workload deployed with wrangler names its certificate's id and keeps
 * presenting it until it is redeployed, so a renewal adds the new certificate and the previous
 * one stays until its own notAfter, never longer. With a window of two thirds of the validity,
 * that is the previous window at most (and, for the one millisecond an older certificate's
 * notAfter meets a window's start, that one too).
 */
export function liveWindows(validityDays: number, nowMs: number): ValidityWindow[] {
  const live = [currentWindow(validityDays, nowMs)];
  for (let index = live[0]!.index - 1; ; index -= 1) {
    const earlier = windowAt(validityDays, index);
    if (earlier.notAfter.getTime() < nowMs) return live;
    live.unshift(earlier);
  }
}

/**
 * The CA windows whose certificates origins must trust at `nowMs`: the previous one while a
 * certificate it signed may still be valid (until its own notAfter), the current one, and the
 * next one, published a whole CA window before it signs anything.
 */
export function trustedCaWindows(caValidityDays: number, nowMs: number): ValidityWindow[] {
  const current = currentWindow(caValidityDays, nowMs);
  const previous = windowAt(caValidityDays, current.index - 1);
  const next = windowAt(caValidityDays, current.index + 1);
  return nowMs < previous.notAfter.getTime() ? [previous, current, next] : [current, next];
}

/**
 * The CA window that signs a workload certificate: the one its own window starts in. A workload
 * window that straddles a CA boundary keeps its issuer, so crossing the boundary re-issues nothing.
 * Requires caValidityDays ≥ 3 × validityDays (the config validator's rule), so the certificate
 * ends before its CA does.
 */
export function issuingCaWindow(caValidityDays: number, workloadWindow: ValidityWindow): ValidityWindow {
  return currentWindow(caValidityDays, workloadWindow.startsAt.getTime());
}
