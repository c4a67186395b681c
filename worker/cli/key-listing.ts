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
  const recent = listing.events.slice(0, 5);
  if (recent.length > 0) {
    print("\nrecent events:");
    for (const e of recent) print(`  ${iso(e.at)}  ${e.event.padEnd(11)} ${e.kid}  (${e.reason})`);
  }
}
