// Human-readable output of the admin API's key listing.

export interface KeyListingView {
  readonly now: number;
  readonly keys: readonly {
    readonly kid: string;
    readonly alg: string;
    readonly state: string;
    readonly createdAt: number;
    readonly activatedAt: number | null;
    readonly retiredAt: number | null;
    readonly unpublishAt: number | null;
  }[];
  readonly events: readonly {
    readonly at: number;
    readonly kid: string;
    readonly event: string;
    readonly reason: string;
  }[];
  readonly rotationPeriodDays: number;
  readonly jwksMaxAgeSeconds: number;
  readonly publicationDelaySeconds: number;
  readonly nextCheckAt: number;
  /** Absent from issuers older than the KEK rotation; null when the KEK secrets are unusable. */
  readonly sealing?: {
    readonly currentKekId: string;
    readonly previousKekId: string | null;
    readonly underCurrent: number;
    readonly underPrevious: number;
    readonly underNeither: number;
  } | null;
}

const iso = (ms: number | null): string => (ms === null ? "-" : new Date(ms).toISOString().replace(".000Z", "Z"));

export function printKeyListing(listing: KeyListingView, print: (line: string) => void = console.log): void {
  const rows = listing.keys.map((k) => [
    k.kid,
    k.alg,
    k.state,
    iso(k.createdAt),
    iso(k.activatedAt),
    iso(k.retiredAt),
    iso(k.unpublishAt),
  ]);
  const header = ["kid", "alg", "state", "created", "activated", "retired", "leaves JWKS"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  print(line(header));
  for (const row of rows) print(line(row));
  print(
    `\nrotation every ${listing.rotationPeriodDays} days; JWKS max-age ${listing.jwksMaxAgeSeconds} s; ` +
      `a new key is published ${listing.publicationDelaySeconds} s before it signs; next check ${iso(listing.nextCheckAt)}`,
  );
  const sealing = listing.sealing;
  if (sealing === null) {
    print(
      "sealed: unknown: KEY_ENCRYPTION_KEY or KEY_ENCRYPTION_KEY_PREVIOUS is missing or malformed (keys rewrap names which)",
    );
  } else if (sealing !== undefined) {
    const parts = [`${sealing.underCurrent} under KEK ${sealing.currentKekId} (KEY_ENCRYPTION_KEY)`];
    if (sealing.previousKekId !== null)
      parts.push(`${sealing.underPrevious} under KEK ${sealing.previousKekId} (KEY_ENCRYPTION_KEY_PREVIOUS)`);
    if (sealing.underNeither > 0) parts.push(`${sealing.underNeither} under a KEK the issuer does not hold`);
    const advice =
      sealing.underNeither > 0
        ? "; set the KEK they were sealed with as KEY_ENCRYPTION_KEY_PREVIOUS"
        : sealing.underPrevious > 0
          ? "; run keys rewrap before removing KEY_ENCRYPTION_KEY_PREVIOUS"
          : "";
    print(`sealed: ${parts.join(", ")}${advice}`);
  }
  const recent = listing.events.slice(0, 5);
  if (recent.length > 0) {
    print("\nrecent events:");
    for (const e of recent) print(`  ${iso(e.at)}  ${e.event.padEnd(11)} ${e.kid}  (${e.reason})`);
  }
}

/** The admin API's answer to POST /admin/keys/rewrap (worker/keys/key-store-types.ts, RewrapReport). */
export interface RewrapReportView {
  readonly currentKekId: string;
  readonly rewrapped: number;
  readonly underPrevious: number;
  readonly previousKekId: string | null;
  readonly removable: boolean;
}

export function printRewrap(report: RewrapReportView, print: (line: string) => void = console.log): void {
  const keys = (n: number) => `${n} signing key${n === 1 ? "" : "s"}`;
  print(`re-sealed ${keys(report.rewrapped)} under KEK ${report.currentKekId} (KEY_ENCRYPTION_KEY)`);
  if (report.previousKekId === null) {
    print("KEY_ENCRYPTION_KEY_PREVIOUS is not set: every key is sealed under KEY_ENCRYPTION_KEY");
  } else if (report.removable) {
    print(`no key depends on KEK ${report.previousKekId} any more: KEY_ENCRYPTION_KEY_PREVIOUS can be removed`);
  } else {
    print(
      `${keys(report.underPrevious)} still sealed under KEK ${report.previousKekId}: keep KEY_ENCRYPTION_KEY_PREVIOUS and run keys rewrap again`,
    );
  }
}
