// How long the issuer says a document may be kept: Cache-Control's max-age, by directive.

/** max-age from Cache-Control (a quoted value too); no-cache and no-store count as 0. */
export function maxAgeOf(header: string | null): number | undefined {
  if (header === null) return undefined;
  let maxAge: number | undefined;
  for (const directive of header.toLowerCase().split(",")) {
    const [name, value] = directive
      .trim()
      .split("=", 2)
      .map((part) => part.trim());
    if (name === "no-cache" || name === "no-store") return 0;
    if (name === "max-age" && value !== undefined && /^"?\d+"?$/.test(value)) maxAge = Number(value.replace(/"/g, ""));
  }
  return maxAge;
}
