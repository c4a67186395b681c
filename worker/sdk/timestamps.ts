// Expiry instants as AWS (`<Expiration>2026-05-01T12:00:00Z</Expiration>`) and GCP
// (`"expireTime": "2026-05-01T12:00:00.123456789Z"`, protobuf JSON: 0, 3, 6 or 9 fraction digits)
// send them. Only UTC ("Z") is accepted: both services always send it.

const RFC3339_UTC = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z$/;

/** Milliseconds since the epoch, or undefined when `text` is not an RFC 3339 UTC timestamp. */
export function parseUtcTimestamp(text: string): number | undefined {
  const match = RFC3339_UTC.exec(text);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const millis = Number((match[7] ?? "").padEnd(3, "0").slice(0, 3));
  const ms = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  const back = new Date(ms);
  // Date.UTC rolls 2026-02-30 over to March; a real timestamp round-trips.
  if (back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  return ms;
}
