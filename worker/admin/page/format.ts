// How the operator page writes instants and durations: ISO 8601 in UTC, to the second, so a
// person reads the same text whatever their browser's zone, and spans in the largest units.

/** "2026-12-04 01:28:09 UTC" for an instant in milliseconds. */
export function utc(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/** The machine-readable form for a `<time datetime>`: "2026-12-04T01:28:09Z". */
export function utcAttribute(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

const UNITS: readonly (readonly [string, number])[] = [
  ["d", 86_400_000],
  ["h", 3_600_000],
  ["min", 60_000],
  ["s", 1_000],
];

/** "7 d", "1 h 30 min", "45 s": at most two units, dropping what is below a second. */
export function span(ms: number): string {
  let rest = Math.max(0, Math.round(ms / 1_000) * 1_000);
  const parts: string[] = [];
  for (const [unit, size] of UNITS) {
    if (rest >= size && parts.length < 2) {
      parts.push(`${Math.floor(rest / size)} ${unit}`);
      rest %= size;
    } else if (parts.length > 0) break;
  }
  return parts.length === 0 ? "0 s" : parts.join(" ");
}
